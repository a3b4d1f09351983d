import assert from "node:assert/strict";
import { CacheType } from "./constants.ts";
import { Simulator } from "./simulator.ts";

const FOUR_GIB = 0xffffffffn;

Deno.test("probability 1 fails every allocation and map; nothing is taken", () => {
  using sim = new Simulator({ faults: { probability: 1 } });
  const stream = sim.stream();
  const free = sim.freePageCount;
  assert.equal(stream.allocatePagesForMdl(FOUR_GIB, 4096), null);
  assert.equal(stream.allocateContiguousPagesForMdl(0n, FOUR_GIB, 4096), null);
  assert.equal(sim.freePageCount, free);
  assert.equal(sim.faultsFired, 2);
});

Deno.test("faults can be limited to some operations: a map that fails after an allocation", () => {
  using sim = new Simulator({ faults: { probability: 1, operations: ["map"] } });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  assert.equal(stream.mapAllocatedPages(mdl, CacheType.WriteCombined), null);
  assert.equal(mdl.mappedSystemVa, null);
  stream.freePagesFromMdl(mdl);
});

Deno.test("failNth fails exactly the chosen eligible calls", () => {
  using sim = new Simulator({ faults: { failNth: [2, 4] } });
  const stream = sim.stream();
  const results = Array.from({ length: 5 }, () => stream.allocatePagesForMdl(FOUR_GIB, 4096));
  assert.deepEqual(results.map((m) => m !== null), [true, false, true, false, true]);
  for (const m of results) if (m) stream.freePagesFromMdl(m);
});

Deno.test("random faults are deterministic for a seed and near the requested rate", () => {
  const pattern = (seed: number) => {
    using sim = new Simulator({ seed, faults: { probability: 0.06 } });
    const stream = sim.stream();
    return Array.from({ length: 2000 }, () => {
      const m = stream.allocatePagesForMdl(FOUR_GIB, 4096);
      if (m) stream.freePagesFromMdl(m);
      return m === null;
    });
  };
  const a = pattern(5);
  assert.deepEqual(a, pattern(5));
  assert.notDeepEqual(a, pattern(6));
  const rate = a.filter(Boolean).length / a.length;
  assert.ok(rate > 0.04 && rate < 0.08, `rate ${rate}`);
});

Deno.test("systematic mode fails each distinct call site once", () => {
  using sim = new Simulator({ faults: { systematic: true } });
  const stream = sim.stream();
  const siteA = () => stream.allocatePagesForMdl(FOUR_GIB, 4096);
  const siteB = () => stream.allocatePagesForMdl(FOUR_GIB, 4096);
  const a = [siteA(), siteA(), siteA()];
  const b = [siteB(), siteB()];
  assert.deepEqual(a.map((m) => m === null), [true, false, false]);
  assert.deepEqual(b.map((m) => m === null), [true, false]);
  for (const m of [...a, ...b]) if (m) stream.freePagesFromMdl(m);
});

Deno.test("a memory cap forces partial allocations, then NULL, and frees make room again", () => {
  using sim = new Simulator({ faults: { memoryCapBytes: 10 * 4096 } });
  const stream = sim.stream();
  const first = stream.allocatePagesForMdl(FOUR_GIB, 6 * 4096)!;
  const second = stream.allocatePagesForMdl(FOUR_GIB, 6 * 4096)!;
  assert.equal(second.byteCount, 4 * 4096, "partial: only the 4 pages left under the cap");
  assert.equal(stream.allocatePagesForMdl(FOUR_GIB, 4096), null);
  assert.equal(stream.allocateContiguousPagesForMdl(0n, FOUR_GIB, 4096), null);
  stream.freePagesFromMdl(first);
  const third = stream.allocateContiguousPagesForMdl(0n, FOUR_GIB, 6 * 4096)!;
  assert.equal(third.byteCount, 6 * 4096);
  stream.freePagesFromMdl(second);
  stream.freePagesFromMdl(third);
});

Deno.test("fault options are checked and name the field", () => {
  assert.throws(() => new Simulator({ faults: { probability: 2 } }), /faults.probability/);
  assert.throws(() => new Simulator({ faults: { failNth: [0] } }), /faults.failNth/);
  assert.throws(() => new Simulator({ faults: { memoryCapBytes: -1 } }), /faults.memoryCapBytes/);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new Simulator({ faults: { operations: ["free" as any] } }),
    /faults.operations/,
  );
});
