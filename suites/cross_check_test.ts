import assert from "node:assert/strict";
import { Simulator, type SimulatorOptions } from "../core/simulator.ts";
import { crossCheck, formatDivergences } from "./cross_check.ts";
import { defineSuite } from "./define_suite.ts";
import { type BackendRun, ignoredRun } from "./results.ts";
import { runCase } from "./run_case.ts";

const tenMs = defineSuite({
  name: "Cross",
  cases: [{
    name: "10 ms",
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
    expect: { bytes: { atLeast: 1920 } },
  }],
}).cases[0];

function runOn(name: string, options: SimulatorOptions): BackendRun {
  using sim = new Simulator({ seed: 1, ...options });
  return runCase({ name, backend: sim, machine: sim.machine }, tenMs);
}

Deno.test("backends agreeing on sizes and page counts pass", () => {
  const a = runOn("simulator", {});
  const b = runOn("other", { fragmentation: 0.5, seed: 2 });
  const check = crossCheck([a, b]);
  assert.equal(check.status, "passed");
  assert.deepEqual(check.notes, [
    "latency not compared with the simulator: its cost model is not calibrated",
  ]);
});

Deno.test("run-length distributions are compared with KS where both backends read frames", () => {
  const big = defineSuite({
    name: "Big",
    cases: [{
      name: "4 MiB",
      request: { call: "allocatePagesForMdl", highAddress: -1n, totalBytes: 4 << 20 },
      expect: { bytes: { atLeast: 4 << 20 } },
    }],
  }).cases[0];
  const on = (name: string, options: SimulatorOptions) => {
    using sim = new Simulator({ seed: 1, ...options });
    return runCase({ name, backend: sim, machine: sim.machine }, big);
  };
  const same = crossCheck([on("a", {}), on("b", { seed: 2 })]);
  assert.equal(same.status, "passed");
  assert.match(same.notes[0], /^run lengths agree \(a vs b\): KS D = 0\.\d+, n = \d+, m = \d+/);
  const other = crossCheck([on("a", {}), on("low", { placement: "lowest-first" })]);
  assert.equal(other.status, "passed", "a placement difference is a note, not a failure");
  // One long run against hundreds of short ones: D = 1, yet a single run is too few to reject.
  assert.match(other.notes[0], /\(a vs low\): KS D = 1\.0000, n = \d+, m = 1, p = 0\.\d+/);
});

Deno.test("a ByteCount policy difference is a readable size divergence", () => {
  const rounded = runOn("rounded", { policies: { byteCount: "rounded" } });
  const requested = runOn("requested", { policies: { byteCount: "requested" } });
  const check = crossCheck([rounded, requested]);
  assert.equal(check.status, "failed");
  assert.equal(
    formatDivergences(check.divergences),
    ['step 1 "buffer".byteCount: sizes must agree', "  rounded    4096", "  requested  1920"].join(
      "\n",
    ),
  );
});

Deno.test("the cross-check is ignored, with every reason, unless two backends ran", () => {
  const check = crossCheck([
    runOn("simulator", {}),
    ignoredRun("hardware", "hardware backend unavailable: helper not built"),
  ]);
  assert.equal(check.status, "ignored");
  assert.equal(
    check.reason,
    "needs two backends that ran the case (hardware: hardware backend unavailable: helper not built)",
  );
});

Deno.test("pages beyond the bound diverge only on a backend that claims to enforce it", () => {
  const good = runOn("simulator", {});
  const [allocation] = good.allocations;
  const beyond: BackendRun = {
    ...good,
    backend: "hardware",
    allocations: [{ ...allocation, extent: { ...allocation.extent!, pagesBeyondBound: 1 } }],
  };
  const claimed = crossCheck([good, beyond]);
  assert.equal(claimed.status, "failed");
  assert.equal(claimed.divergences[0].field, "pagesBeyondBound");
  assert.deepEqual(claimed.divergences[0].values, { simulator: "0", hardware: "1" });

  const unclaimed = crossCheck([
    good,
    { ...beyond, claims: beyond.claims.filter((c) => c !== "highAddressEnforced") },
  ]);
  assert.equal(unclaimed.status, "passed");
});

Deno.test("with a calibrated model, measured p50 must lie within the stated tolerance", () => {
  const modeled = runOn("simulator", {
    costModel: { allocateCallNs: 10_000, allocatePageNs: 0, zeroBytesPerSecond: 1e30 },
  });
  const measured = (ns: number): BackendRun => ({
    ...modeled,
    backend: "hardware",
    timingSource: "measured",
    latencyNs: [ns],
  });
  assert.equal(crossCheck([modeled, measured(14_000)], { calibrated: true }).status, "passed");
  const far = crossCheck([modeled, measured(16_000)], { calibrated: true });
  assert.equal(far.status, "failed");
  assert.equal(far.divergences[0].field, "latency.p50");
  assert.deepEqual(far.divergences[0].values, {
    simulator: "10.0 µs (modeled)",
    hardware: "16.0 µs (measured)",
  });
  assert.equal(
    crossCheck([modeled, measured(16_000)], { calibrated: true, latencyTolerance: 0.7 }).status,
    "passed",
  );
});

Deno.test("a sequence with per-step expectations cross-checks allocation by allocation", () => {
  const [testCase] = defineSuite({
    name: "Cross",
    cases: [{
      name: "second buffer under a cap",
      steps: [
        {
          call: "allocatePagesForMdl",
          handle: "cyclic",
          highAddress: 0xFFFFFFFFn,
          totalBytes: 8192,
          expect: { bytes: "requested" },
        },
        {
          call: "allocatePagesForMdl",
          handle: "second",
          highAddress: 0xFFFFFFFFn,
          totalBytes: 1 << 20,
          expect: { bytes: "partial-allowed" },
        },
        { call: "freePagesFromMdl", handle: "second" },
        { call: "freePagesFromMdl", handle: "cyclic" },
      ],
    }],
  }).cases;
  const under = (name: string, capPages: number, options: SimulatorOptions = {}) => {
    using sim = new Simulator({ seed: 1, ...options, faults: { memoryCapBytes: capPages * 4096 } });
    return runCase({ name, backend: sim, machine: sim.machine }, testCase);
  };
  const a = under("simulator", 100);
  const b = under("other", 100, { fragmentation: 0.5, seed: 2 });
  assert.equal(a.status, "passed", a.failures.join("\n"));
  assert.equal(crossCheck([a, b]).status, "passed");

  // Both backends pass their own per-step expectations, yet the second buffer's sizes disagree.
  const c = under("smaller", 50);
  assert.equal(c.status, "passed", c.failures.join("\n"));
  assert.equal(
    formatDivergences(crossCheck([a, c]).divergences),
    [
      'step 2 "second".byteCount: sizes must agree',
      "  simulator  401408",
      "  smaller    196608",
      'step 2 "second".pages: page counts must agree',
      "  simulator  98",
      "  smaller    48",
    ].join("\n"),
  );
});
