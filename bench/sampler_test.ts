import assert from "node:assert/strict";
import { Simulator } from "../core/simulator.ts";
import { harnessOverheadNs, sampleLatency } from "./sampler.ts";
import { defaultSweepSizes, sweepBackend } from "./sweep.ts";

const FOUR_GIB = 0xffffffffn;

Deno.test("samples come from the backend's own timing and every MDL is freed", () => {
  using sim = new Simulator({ costModel: { allocateCallNs: 1000, allocatePageNs: 10 } });
  const free = sim.freePageCount;
  const s = sampleLatency(sim, {
    call: "allocatePagesForMdl",
    totalBytes: 8192,
    highAddress: FOUR_GIB,
  }, {
    warmup: 3,
    samples: 50,
  });
  assert.equal(s.durationsNs.length, 50);
  assert.equal(s.source, "modeled");
  assert.equal(s.backend, "simulator");
  // The first allocation gets zeroed pages; later ones reuse freed (stale) pages and pay to zero.
  const zero = 8192 / sim.costModel.zeroBytesPerSecond * 1e9;
  assert.ok(s.durationsNs.every((d) => d === 1020 + zero), String(s.durationsNs[0]));
  assert.equal(sim.freePageCount, free);
  assert.deepEqual(sim.leaks(), []);
});

Deno.test("NULL and partial results are counted, not sampled", () => {
  using sim = new Simulator({ faults: { failNth: [1, 3], memoryCapBytes: 4096 } });
  const s = sampleLatency(sim, {
    call: "allocatePagesForMdl",
    totalBytes: 8192,
    highAddress: FOUR_GIB,
  }, {
    warmup: 0,
    samples: 4,
  });
  assert.equal(s.nullResults, 2);
  assert.equal(s.partialResults, 2);
  assert.equal(s.durationsNs.length, 2);
});

Deno.test("harness overhead is measured as a non-negative number of nanoseconds", () => {
  using sim = new Simulator({ captureAllocationSites: false });
  const ns = harnessOverheadNs(sim, {
    call: "allocatePagesForMdl",
    totalBytes: 4096,
    highAddress: FOUR_GIB,
  }, 2000);
  assert.ok(Number.isFinite(ns) && ns >= 0);
});

Deno.test("a sweep covers one page to 64 MiB and summarizes every size", () => {
  assert.deepEqual(defaultSweepSizes(4096, 32768), [4096, 8192, 16384, 32768]);
  assert.equal(defaultSweepSizes(4096).at(-1), 64 << 20);
  using sim = new Simulator();
  const sweep = sweepBackend(sim, [4096, 65536, 1 << 20], { samples: 5, warmup: 1 });
  assert.deepEqual(sweep.cases.map((c) => c.pages), [1, 16, 256]);
  assert.ok(sweep.cases.every((c) => c.summary !== null && c.histogram.length > 0));
});
