import assert from "node:assert/strict";
import { Simulator } from "../core/simulator.ts";
import { runIsolated } from "../ffi/isolation.ts";
import { helperAvailability } from "../ffi/library.ts";
import { fromTaggedJson } from "../suites/tagged_json.ts";
import { compareOutcomes, differential, type DifferentialReport } from "./differential.ts";
import { runSequence } from "./run_sequence.ts";
import { defineSuite } from "../suites/define_suite.ts";

Deno.test("a simulator agrees with an identical simulator on every generated sequence", () => {
  using twin = new Simulator({ machine: "x64-16gib" });
  const report = differential(twin, { runs: 200, seed: 3 });
  assert.equal(report.divergence, undefined);
  assert.deepEqual(report.capabilityDifferences, {});
  assert.ok(report.steps > 500);
});

Deno.test("a real divergence is found, shrunk and written as a suite case", () => {
  // The "hardware" here keeps exact byte counts: the ByteCount policy question the Windows
  // cross-check will settle. Any request that is not a page multiple shows it.
  using exact = new Simulator({ machine: "x64-16gib", policies: { byteCount: "requested" } });
  const report = differential(exact, { runs: 200, seed: 5 });
  const divergence = report.divergence;
  assert.ok(divergence);
  assert.equal(divergence.steps.length, 1, "one allocation shows it");
  assert.equal(divergence.differences[0].field, "bytes");
  assert.match(divergence.suiteCase.name, /^differential: step 1/);
  defineSuite({ name: "differential regressions", cases: [divergence.suiteCase] });
});

Deno.test("capability differences are labelled, not counted as divergences", () => {
  const step = {
    call: "allocateContiguousPagesForMdl" as const,
    handle: "h0",
    lowAddress: 0n,
    highAddress: 0xffffffffn,
    totalBytes: 4096,
  };
  const map = { call: "mapAllocatedPages" as const, handle: "h0", cacheType: "Cached" as const };
  const [difference, consequence] = compareOutcomes(
    [{ step, result: "mdl", bytes: 4096, pages: 1, contiguous: true }, {
      step: map,
      result: "mapped",
    }],
    [{ step, result: "null" }, { step: map, result: "skipped" }],
  );
  assert.equal(difference.field, "result");
  assert.match(difference.capability ?? "", /transparent huge pages/);
  // Mapping the handle that was NULL on one side differs only as a consequence.
  assert.equal(consequence.stepIndex, 1);
  assert.match(consequence.capability ?? "", /^follows from: /);
});

const helper = helperAvailability();
Deno.test({
  name: `differential run of 300 sequences against this machine's hardware${
    helper.available ? "" : ` (unavailable: ${helper.reason})`
  }`,
  ignore: !helper.available,
  async fn() {
    const report = fromTaggedJson<DifferentialReport>(
      await runIsolated(
        new URL("./differential_cases.ts", import.meta.url),
        "differentialRun",
        { input: { runs: 300, seed: 20261124 } },
      ) as string,
    );
    assert.equal(report.divergence, undefined, JSON.stringify(report.divergence?.differences));
    assert.equal(report.runs, 300);
  },
});

Deno.test("misuse rules agree between backends in one sequence", () => {
  using a = new Simulator();
  using b = new Simulator({ seed: 99, fragmentation: 0.5 });
  const steps = [
    { call: "allocatePagesForMdl" as const, handle: "h0", highAddress: 0xffffffffn, totalBytes: 1 },
    { call: "freePagesFromMdl" as const, handle: "h0" },
    { call: "freePagesFromMdl" as const, handle: "h0" },
  ];
  assert.deepEqual(compareOutcomes(runSequence(a, steps), runSequence(b, steps)), []);
});
