import assert from "node:assert/strict";
import { Simulator, type SimulatorOptions } from "../core/simulator.ts";
import { defineSuite, type SuiteCase } from "./define_suite.ts";
import { runCase } from "./run_case.ts";
import type { CaseInput } from "./schema.ts";
import { summarizeRun } from "./results.ts";

const DMA32 = 0xFFFFFFFFn;

/** A cost model whose allocation call takes exactly 5 µs, so budgets are tested by logic alone. */
const fiveMicroseconds: SimulatorOptions["costModel"] = {
  allocateCallNs: 5000,
  allocatePageNs: 0,
  zeroBytesPerSecond: 1e30,
};

function caseOf(input: CaseInput): SuiteCase {
  return defineSuite({ name: "Runner", cases: [input] }).cases[0];
}

/** Runs a case on a fresh simulator and proves afterwards that nothing is left allocated. */
function runOnSimulator(input: CaseInput, options: SimulatorOptions = {}) {
  using sim = new Simulator({ seed: 1, costModel: fiveMicroseconds, ...options });
  const run = runCase({
    name: "simulator",
    backend: sim,
    machine: sim.machine,
    liveMdls: () => sim.leaks().length,
    assertNoLeaks: () => sim.assertNoLeaks(),
  }, caseOf(input));
  assert.deepEqual(sim.leaks(), [], "the runner must free every page");
  return run;
}

Deno.test("a 10 ms buffer below 4 GiB passes with one page, one run, inside the bound", () => {
  const run = runOnSimulator({
    name: "10 ms",
    request: {
      call: "allocatePagesForMdl",
      highAddress: DMA32,
      audio: { sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 },
      map: "WriteCombined",
    },
    expect: { bytes: "requested", pages: 1, withinBound: true },
  });
  assert.equal(run.status, "passed", run.failures.join("\n"));
  const summary = summarizeRun(run);
  assert.equal(summary.bytes, 4096);
  assert.equal(summary.pages, 1);
  assert.equal(summary.runs, 1);
  assert.equal(summary.pagesBeyondBound, 0);
  assert.ok(summary.highestAddress! <= DMA32);
  assert.equal(run.timingSource, "modeled");
});

Deno.test("a broken expectation fails with its reason and still frees the pages", () => {
  const run = runOnSimulator({
    name: "wrong",
    request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 1920, map: "Cached" },
    expect: { bytes: 8192, pages: 2 },
  });
  assert.equal(run.status, "failed");
  assert.deepEqual(run.failures, [
    'allocatePagesForMdl("buffer", 1920 bytes): byteCount 4096 ≠ expected 8192',
    'allocatePagesForMdl("buffer", 1920 bytes): 1 page(s), expected 2',
  ]);
});

Deno.test("expected misuse passes when the simulator raises that DriverViolation", () => {
  for (
    const [rule, steps] of [
      ["free-while-mapped", ["map", "free"]],
      ["double-map", ["map", "map"]],
      ["leaked-pages", []],
      ["double-free", ["free", "free"]],
      ["unmap-not-mapped", ["unmap", "free"]],
    ] as const
  ) {
    const calls = {
      map: { call: "mapAllocatedPages", handle: "b", cacheType: "Cached" },
      unmap: { call: "unmapAllocatedPages", handle: "b" },
      free: { call: "freePagesFromMdl", handle: "b" },
    } as const;
    const run = runOnSimulator({
      name: rule,
      steps: [
        { call: "allocatePagesForMdl", handle: "b", highAddress: DMA32, totalBytes: 4096 },
        ...steps.map((s) => calls[s]),
      ],
      expect: { violation: rule },
    });
    assert.equal(run.status, "passed", `${rule}: ${run.failures.join("\n")}`);
    assert.equal(run.violation, rule);
  }
});

Deno.test("unexpected misuse and missing misuse both fail, naming the rule", () => {
  const unexpected = runOnSimulator({
    name: "free while mapped",
    steps: [
      { call: "allocatePagesForMdl", handle: "b", highAddress: DMA32, totalBytes: 4096 },
      { call: "mapAllocatedPages", handle: "b", cacheType: "Cached" },
      { call: "freePagesFromMdl", handle: "b" },
    ],
  });
  assert.equal(unexpected.status, "failed");
  assert.match(unexpected.failures[0], /^unexpected DriverViolation: free-while-mapped/);

  const missing = runOnSimulator({
    name: "correct lifecycle",
    steps: [
      { call: "allocatePagesForMdl", handle: "b", highAddress: DMA32, totalBytes: 4096 },
      { call: "freePagesFromMdl", handle: "b" },
    ],
    expect: { violation: "double-free" },
  });
  assert.deepEqual(missing.failures, ['expected DriverViolation "double-free", none was raised']);
});

Deno.test("a memory cap gives a partial result that partial-allowed accepts and requested rejects", () => {
  const request = { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 4 << 20 } as const;
  const partial = runOnSimulator(
    { name: "partial", request, expect: { bytes: "partial-allowed" } },
    { faults: { memoryCapBytes: 1 << 20 } },
  );
  assert.equal(partial.status, "passed", partial.failures.join("\n"));
  assert.equal(summarizeRun(partial).bytes, 1 << 20);

  const complete = runOnSimulator(
    { name: "complete", request },
    { faults: { memoryCapBytes: 1 << 20 } },
  );
  assert.deepEqual(complete.failures, [
    'allocatePagesForMdl("buffer", 4194304 bytes): byteCount 1048576 < requested 4194304 (partial result)',
  ]);
});

Deno.test("NULL expected, NULL allowed and NULL unexpected under injected faults", () => {
  const request = { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 4096 } as const;
  const faults = { faults: { failNth: [1] } };
  assert.equal(
    runOnSimulator({ name: "n", request, expect: { result: "null" } }, faults).status,
    "passed",
  );
  assert.equal(
    runOnSimulator({ name: "e", request, expect: { result: "mdl-or-null" } }, faults).status,
    "passed",
  );
  assert.deepEqual(runOnSimulator({ name: "m", request }, faults).failures, [
    'allocatePagesForMdl("buffer", 4096 bytes) returned NULL, expected an MDL',
  ]);
  assert.deepEqual(runOnSimulator({ name: "x", request, expect: { result: "null" } }).failures, [
    'allocatePagesForMdl("buffer", 4096 bytes) returned 4096 bytes, expected NULL',
  ]);
});

Deno.test("a contiguous request is one run inside [LowAddress, HighAddress]", () => {
  const run = runOnSimulator({
    name: "contiguous",
    request: {
      call: "allocateContiguousPagesForMdl",
      lowAddress: 16n << 20n,
      highAddress: DMA32,
      totalBytes: 1 << 20,
    },
    expect: { contiguous: true, withinBound: true, pages: 256 },
  });
  assert.equal(run.status, "passed", run.failures.join("\n"));
  assert.equal(run.allocations[0].runs!.length, 1);
  assert.ok(run.allocations[0].extent!.lowestAddress >= 16n << 20n);
});

Deno.test("pages scattered by fragmentation fail a contiguity expectation", () => {
  const run = runOnSimulator({
    name: "scattered",
    request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 1 << 20 },
    expect: { contiguous: true },
  }, { fragmentation: 0.6, seed: 11 });
  assert.equal(run.status, "failed");
  assert.match(run.failures[0], /: \d+ contiguous runs, expected 1$/);
});

Deno.test("a latency budget is checked on p50 and p99 over the repetitions (modeled 5 µs)", () => {
  const request = { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 4096 } as const;
  const within = runOnSimulator({
    name: "within",
    request,
    expect: { latency: { p50Us: 6, p99Us: 6, repetitions: 20 } },
  });
  assert.equal(within.status, "passed", within.failures.join("\n"));
  assert.equal(within.latencyNs.length, 20);

  const over = runOnSimulator({
    name: "over",
    request,
    expect: { latency: { p99Us: 4, repetitions: 20 } },
  });
  assert.equal(over.status, "failed");
  assert.match(
    over.failures[0],
    /^p99 latency 5\.0 µs \(modeled\) exceeds the budget of 4 µs over 20/,
  );
});

Deno.test("failures repeated across repetitions are counted, not repeated", () => {
  const run = runOnSimulator({
    name: "counted",
    request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 4096 },
    expect: { pages: 3, latency: { p99Us: 1000, repetitions: 5 } },
  });
  assert.deepEqual(run.failures, [
    'allocatePagesForMdl("buffer", 4096 bytes): 1 page(s), expected 3 (in 5 of 5 repetitions)',
  ]);
});

Deno.test("reporting measured budgets only never relaxes modeled ones", () => {
  using sim = new Simulator({ seed: 1, costModel: fiveMicroseconds });
  const run = runCase(
    { name: "simulator", backend: sim, machine: sim.machine },
    caseOf({
      name: "over",
      request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 4096 },
      expect: { latency: { p99Us: 4, repetitions: 3 } },
    }),
    { measuredLatencyBudgets: "report" },
  );
  assert.equal(run.status, "failed");
});
