import assert from "node:assert/strict";
import type { Mdl } from "./backend.ts";
import { CacheType, Irql } from "./constants.ts";
import { Simulator } from "./simulator.ts";
import { DriverViolation } from "./violations.ts";

const FOUR_GIB = 0xffffffffn;

/** Asserts that `body` throws a DriverViolation with `rule`, and that free memory is unchanged. */
function assertViolation(
  sim: Simulator,
  rule: string,
  body: () => unknown,
  bugCheck?: [number, number],
): DriverViolation {
  const free = sim.freePageCount;
  const leaks = sim.leaks().length;
  let caught: unknown;
  try {
    body();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DriverViolation, `expected DriverViolation ${rule}, got ${caught}`);
  assert.equal(caught.rule, rule);
  if (bugCheck) assert.deepEqual([caught.bugCheck, caught.parameter1], bugCheck);
  assert.equal(sim.freePageCount, free, "a violation changes no state");
  assert.equal(sim.leaks().length, leaks);
  return caught;
}

Deno.test("double map is PcUnmapAllocatedPages, bug check 0xC4/0x71004", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined)!;
  const e = assertViolation(
    sim,
    "double-map",
    () => stream.mapAllocatedPages(mdl, CacheType.WriteCombined),
    [0xc4, 0x71004],
  );
  assert.equal(e.verifierRule, "PcUnmapAllocatedPages");
  assert.match(e.message, /bug check 0xC4\/0x71004/);
  assert.equal(mdl.mappedSystemVa, va, "the first mapping is intact");
});

Deno.test("free while mapped is a violation and frees nothing", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
  stream.mapAllocatedPages(mdl, CacheType.Cached);
  assertViolation(sim, "free-while-mapped", () => stream.freePagesFromMdl(mdl), [0xc4, 0x71004]);
});

Deno.test("unmap of an unmapped MDL, and unmap at the wrong address", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
  assertViolation(sim, "unmap-not-mapped", () => stream.unmapAllocatedPages(0x1000n, mdl));
  const va = stream.mapAllocatedPages(mdl, CacheType.Cached)!;
  assertViolation(sim, "unmap-wrong-address", () => stream.unmapAllocatedPages(va + 4096n, mdl));
  assert.equal(mdl.mappedSystemVa, va);
});

Deno.test("use after free and double free", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  stream.freePagesFromMdl(mdl);
  assertViolation(sim, "double-free", () => stream.freePagesFromMdl(mdl), [0xc2, 0x07]);
  assertViolation(sim, "use-after-free", () => stream.mapAllocatedPages(mdl, CacheType.Cached));
  assertViolation(sim, "use-after-free", () => stream.getPhysicalPageAddress(mdl, 0));
  assertViolation(sim, "use-after-free", () => stream.getPhysicalPagesCount(mdl));
  assertViolation(sim, "use-after-free", () => mdl.pfns);
});

Deno.test("a freed MDL's PFN array is reused: a copy read before the free stays, a first read after is use-after-free", () => {
  for (const placement of ["lowest-first", "running-system"] as const) {
    using sim = new Simulator({ placement, seed: 3 });
    const stream = sim.stream();
    const read = stream.allocatePagesForMdl(FOUR_GIB, 8 * 4096)!;
    const unread = stream.allocatePagesForMdl(FOUR_GIB, 8 * 4096)!;
    const copy = [...read.pfns];
    stream.freePagesFromMdl(read);
    stream.freePagesFromMdl(unread);
    const next = stream.allocatePagesForMdl(FOUR_GIB, 8 * 4096)!;
    const again = stream.allocatePagesForMdl(FOUR_GIB, 8 * 4096)!;
    assert.deepEqual([...read.pfns], copy, `${placement}: the copy read before the free`);
    assertViolation(sim, "use-after-free", () => unread.pfns);
    const live = new Set([...next.pfns, ...again.pfns]);
    assert.equal(live.size, 16, `${placement}: two live MDLs share no frame`);
    for (const pfn of live) assert.equal(sim.isFrameFree(pfn), false);
    stream.freePagesFromMdl(next);
    stream.freePagesFromMdl(again);
  }
});

Deno.test("a foreign MDL is bug check 0x1A/0x1236, whether forged or from another simulator", () => {
  using sim = new Simulator();
  using other = new Simulator();
  const stream = sim.stream();
  const forged: Mdl = {
    byteCount: 4096,
    byteOffset: 0,
    startVa: 0n,
    mdlFlags: 2,
    mappedSystemVa: null,
    pfns: [1],
  };
  assertViolation(sim, "foreign-mdl", () => stream.freePagesFromMdl(forged), [0x1a, 0x1236]);
  const theirs = other.stream().allocatePagesForMdl(FOUR_GIB, 4096)!;
  assertViolation(sim, "foreign-mdl", () => stream.freePagesFromMdl(theirs));
  assertViolation(sim, "foreign-mdl", () => stream.mapAllocatedPages(theirs, CacheType.Cached));
});

Deno.test("a driver that writes into pfns fails at that line (no silent corruption)", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const victim = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
  const own = mdl.pfns[1];
  assert.throws(() => {
    (mdl.pfns as number[])[1] = victim.pfns[0];
  }, TypeError);
  assert.equal(mdl.pfns[1], own);
  stream.freePagesFromMdl(mdl);
  assert.equal(sim.isFrameFree(victim.pfns[0]), false, "the other MDL's page was not freed");
  assert.equal(sim.isFrameFree(own), true);
});

Deno.test("calls above PASSIVE_LEVEL are PcIrqlIport, 0xC4/0x71003", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  for (
    const call of [
      () => stream.allocatePagesForMdl(FOUR_GIB, 4096),
      () => stream.allocateContiguousPagesForMdl(0n, FOUR_GIB, 4096),
      () => stream.mapAllocatedPages(mdl, CacheType.Cached),
      () => stream.freePagesFromMdl(mdl),
    ]
  ) {
    assertViolation(
      sim,
      "irql-not-passive",
      () => sim.withIrql(Irql.DISPATCH_LEVEL, call),
      [0xc4, 0x71003],
    );
  }
  assert.equal(sim.irql, Irql.PASSIVE_LEVEL, "the IRQL is restored after the violation");
  stream.freePagesFromMdl(mdl);
});

Deno.test("leaks() names each MDL never freed and where it was allocated", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const kept = stream.allocatePagesForMdl(FOUR_GIB, 1920)!;
  const freed = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  stream.freePagesFromMdl(freed);
  const leaks = sim.leaks();
  assert.equal(leaks.length, 1);
  assert.equal(leaks[0].mdlId, 1);
  assert.equal(leaks[0].byteCount, kept.byteCount);
  assert.equal(leaks[0].source, "allocatePagesForMdl");
  assert.match(leaks[0].allocatedAt, /misuse_test\.ts:\d+/);
  const e = assertViolation(sim, "leaked-pages", () => sim.assertNoLeaks(), [0xc4, 0x71005]);
  assert.match(e.message, /MDL #1 \(4096 bytes\)/);
  stream.freePagesFromMdl(kept);
  sim.assertNoLeaks();
});

Deno.test("two mappings of a page with different cache types are flagged", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
  // The port driver maps the buffer into the audio engine's process (user mode)...
  const user = sim.mm.mapLockedPagesSpecifyCache(mdl, "user", CacheType.Cached).value!;
  // ...and the miniport maps it for itself with another cache type.
  assertViolation(sim, "cache-type-conflict", () => {
    stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
  });
  assert.equal(mdl.mappedSystemVa, null);
  sim.mm.unmapLockedPages(user, mdl);
  stream.freePagesFromMdl(mdl);

  using lenient = new Simulator({ policies: { cacheConflict: "record" } });
  const s2 = lenient.stream();
  const m2 = s2.allocatePagesForMdl(FOUR_GIB, 4096)!;
  lenient.mm.mapLockedPagesSpecifyCache(m2, "user", CacheType.Cached);
  assert.ok(s2.mapAllocatedPages(m2, CacheType.WriteCombined) !== null);
  assert.deepEqual(lenient.cacheConflicts, [{
    mdlId: 1,
    existing: CacheType.Cached,
    requested: CacheType.WriteCombined,
  }]);
});

Deno.test("allocation sites: the first N allocations record their line, later ones their number", () => {
  using sim = new Simulator({ captureAllocationSites: 2 });
  const stream = sim.stream();
  for (let i = 0; i < 3; i++) stream.allocatePagesForMdl(FOUR_GIB, 4096);
  const [first, second, third] = sim.leaks();
  assert.match(first.allocatedAt, /misuse_test\.ts:\d+/);
  assert.match(second.allocatedAt, /misuse_test\.ts:\d+/);
  assert.match(third.allocatedAt, /allocation #3 came after the first 2/);
  using none = new Simulator({ captureAllocationSites: false });
  none.stream().allocatePagesForMdl(FOUR_GIB, 4096);
  assert.match(none.leaks()[0].allocatedAt, /captureAllocationSites is false/);
  assert.throws(() => new Simulator({ captureAllocationSites: -1 }), /captureAllocationSites/);
});
