import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import type { Mdl } from "./backend.ts";
import { CacheType } from "./constants.ts";
import { Simulator } from "./simulator.ts";

const PAGE = 4096;

type Op =
  | { kind: "alloc"; high: bigint; bytes: number }
  | { kind: "contig"; low: bigint; high: bigint; bytes: number }
  | { kind: "map"; which: number; cacheType: CacheType }
  | { kind: "unmap"; which: number }
  | { kind: "free"; which: number };

const address = fc.constantFrom(0xfffffn, 0x3fffffn, 0xffffffn, 0x7fffffffffffffffn);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("alloc" as const),
    high: address,
    bytes: fc.integer({ min: 1, max: 64 * PAGE }),
  }),
  fc.record({
    kind: fc.constant("contig" as const),
    low: fc.constantFrom(0n, 0x100000n),
    high: fc.constantFrom(0x3fffffn, 0xffffffn, 0x7fffffffffffffffn),
    bytes: fc.integer({ min: 1, max: 16 * PAGE }),
  }),
  fc.record({
    kind: fc.constant("map" as const),
    which: fc.nat(),
    cacheType: fc.constantFrom(CacheType.NonCached, CacheType.Cached, CacheType.WriteCombined),
  }),
  fc.record({ kind: fc.constant("unmap" as const), which: fc.nat() }),
  fc.record({ kind: fc.constant("free" as const), which: fc.nat() }),
);

Deno.test("random sequences keep every invariant: unique in-range frames, counts, full restore", () => {
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 60 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.constantFrom(0, 0.3, 0.9),
      fc.constantFrom(0, 0.1),
      (ops, seed, fragmentation, probability) => {
        const sim = new Simulator({
          machine: { pageSize: PAGE, ranges: [{ base: 0x1000n, length: 0x7ff000n }] },
          fragmentation,
          seed,
          faults: { probability, memoryCapBytes: 1 << 22 },
        });
        const stream = sim.stream();
        const initialFree = sim.freePageCount;
        const live: { mdl: Mdl; high: bigint; low: bigint; contiguous: boolean; asked: number }[] =
          [];
        const mapped = new Map<Mdl, bigint>();
        for (const o of ops) {
          if (o.kind === "alloc" || o.kind === "contig") {
            const low = o.kind === "contig" ? o.low : 0n;
            const mdl = o.kind === "alloc"
              ? stream.allocatePagesForMdl(o.high, o.bytes)
              : stream.allocateContiguousPagesForMdl(o.low, o.high, o.bytes);
            if (mdl) {
              live.push({
                mdl,
                high: o.high,
                low,
                contiguous: o.kind === "contig",
                asked: o.bytes,
              });
            }
          } else if (live.length > 0) {
            const entry = live[o.which % live.length];
            const va = mapped.get(entry.mdl);
            if (o.kind === "map" && va === undefined) {
              const got = stream.mapAllocatedPages(entry.mdl, o.cacheType);
              if (got !== null) mapped.set(entry.mdl, got);
            } else if (o.kind === "unmap" && va !== undefined) {
              stream.unmapAllocatedPages(va, entry.mdl);
              mapped.delete(entry.mdl);
            } else if (o.kind === "free" && va === undefined) {
              stream.freePagesFromMdl(entry.mdl);
              live.splice(live.indexOf(entry), 1);
            }
          }
          // Invariants after every step.
          const seen = new Set<number>();
          let held = 0;
          for (const { mdl, high, low, contiguous, asked } of live) {
            const rounded = Math.ceil(asked / PAGE) * PAGE;
            assert.equal(mdl.byteCount % PAGE, 0);
            assert.ok(mdl.byteCount > 0 && mdl.byteCount <= rounded);
            if (contiguous) assert.equal(mdl.byteCount, rounded, "contiguous is never partial");
            assert.equal(stream.getPhysicalPagesCount(mdl), mdl.pfns.length);
            for (let i = 0; i < mdl.pfns.length; i++) {
              const pfn = mdl.pfns[i];
              assert.ok(!seen.has(pfn), `frame ${pfn} is in two MDLs`);
              seen.add(pfn);
              assert.ok(!sim.isFrameFree(pfn));
              const address = BigInt(pfn * PAGE);
              assert.ok(address >= low && address + BigInt(PAGE) - 1n <= high);
              assert.ok(pfn >= 1 && pfn < 0x800, "inside RAM");
              if (contiguous && i > 0) assert.equal(pfn, mdl.pfns[i - 1] + 1);
            }
            held += mdl.pfns.length;
          }
          assert.equal(sim.freePageCount + held, initialFree);
        }
        sim.close();
        assert.equal(sim.freePageCount, initialFree, "freeing everything restores freePageCount");
        assert.deepEqual(sim.leaks(), []);
      },
    ),
    { numRuns: 1000, seed: 2026 },
  );
});
