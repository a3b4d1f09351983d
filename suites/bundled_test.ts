/**
 * The bundled suites under `deno test`: every case on the simulator and, where this machine
 * offers it, the hardware, with the cross-check between them.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend, WaveRtStream } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import { simulatorProvider } from "./backends.ts";
import { bundledSuites, dmaLimited, pressure } from "./bundled.ts";
import { registerSuite } from "./register.ts";
import { runCase } from "./run_case.ts";

// Our own tests never assert wall-clock time: measured latencies over a bundled budget are noted,
// while the simulator's modeled latencies are still held to it.
for (const suite of bundledSuites) registerSuite(suite, { measuredLatencyBudgets: "report" });

Deno.test("the bundled per-step case holds each buffer to its own step's expectations", async () => {
  const testCase = pressure.cases.find((c) => c.name.startsWith("under a 1 MiB cap the cyclic"));
  assert.ok(testCase, "the bundled per-step case is missing");
  const allocations = testCase.steps.flatMap((s) => "allocation" in s ? [s] : []);
  assert.deepEqual(allocations.map((s) => [s.handle, s.expect.bytes]), [
    ["cyclic", "requested"],
    ["bdl", 4096],
    ["second", "partial-allowed"],
  ]);
  // The case's withinBound reaches every step.
  assert.ok(allocations.every((s) => s.expect.withinBound === true));

  const run = await simulatorProvider.run(testCase, { seed: 1 });
  assert.equal(run.status, "passed", run.failures.join("\n"));
  assert.deepEqual(run.allocations.map((a) => [a.step, a.handle, a.pages]), [
    [1, "cyclic", 94],
    [2, "bdl", 1],
    [3, "second", 161],
  ]);
});

/** The simulator with one rule flipped: both allocators ignore HighAddress, claims unchanged. */
function ignoringHighAddress(sim: Simulator): Backend {
  const anywhere = 0x7FFF_FFFF_FFFF_FFFFn;
  const stream = (): WaveRtStream => {
    const inner = sim.stream();
    return {
      allocatePagesForMdl: (_high, total) => inner.allocatePagesForMdl(anywhere, total),
      allocateContiguousPagesForMdl: (low, _high, total) =>
        inner.allocateContiguousPagesForMdl(low, anywhere, total),
      mapAllocatedPages: (mdl, cacheType) => inner.mapAllocatedPages(mdl, cacheType),
      unmapAllocatedPages: (va, mdl) => inner.unmapAllocatedPages(va, mdl),
      freePagesFromMdl: (mdl) => inner.freePagesFromMdl(mdl),
      getPhysicalPagesCount: (mdl) => inner.getPhysicalPagesCount(mdl),
      getPhysicalPageAddress: (mdl, i) => inner.getPhysicalPageAddress(mdl, i),
      get lastCall() {
        return inner.lastCall;
      },
    };
  };
  return {
    name: "simulator ignoring HighAddress",
    pageSize: sim.pageSize,
    capabilities: sim.capabilities,
    limits: sim.limits,
    stream,
    leaks: () => sim.leaks(),
    assertNoLeaks: () => sim.assertNoLeaks(),
    close: () => sim.close(),
    [Symbol.dispose]: () => sim.close(),
  };
}

Deno.test("a simulator that ignores HighAddress fails the bundled DMA-limited suite", () => {
  const failed = dmaLimited.cases.flatMap((testCase) => {
    using sim = new Simulator({
      machine: testCase.conditions.machine === "host" ? undefined : testCase.conditions.machine,
      fragmentation: testCase.conditions.fragmentation,
      seed: testCase.conditions.seed ?? 1,
    });
    const opened = { name: "flipped", backend: ignoringHighAddress(sim), machine: sim.machine };
    const run = runCase(opened, testCase);
    return run.status === "failed" ? [[testCase.name, run.failures[0]]] : [];
  });
  assert.ok(failed.length > 0, "the flipped rule went unnoticed");
  const [name, failure] = failed.find(([n]) => n.includes("everything below 16 MiB")) ?? [];
  assert.ok(name, `the exhausted-bound case did not fail: ${JSON.stringify(failed)}`);
  assert.match(failure, /page\(s\) outside \[0x0, 0xFFFFFF\]/);
  // The real simulator passes the same suite.
  for (const testCase of dmaLimited.cases) {
    using sim = new Simulator({ fragmentation: testCase.conditions.fragmentation, seed: 1 });
    const run = runCase({ name: "simulator", backend: sim, machine: sim.machine }, testCase);
    assert.equal(run.status, "passed", run.failures.join("\n"));
  }
});
