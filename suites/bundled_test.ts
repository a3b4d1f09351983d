/**
 * The bundled suites under `deno test`: every case on the simulator and, where this machine
 * offers it, the hardware, with the cross-check between them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulatorProvider } from "./backends.ts";
import { bundledSuites, pressure } from "./bundled.ts";
import { registerSuite } from "./register.ts";

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
