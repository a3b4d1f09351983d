import assert from "node:assert/strict";
import type { Backend } from "../core/backend.ts";
import { Simulator, type SimulatorOptions } from "../core/simulator.ts";
import { defineSuite } from "./define_suite.ts";
import type { SuiteCase } from "./suite_model.ts";
import { runCase } from "./run_case.ts";
import type { CaseInput, StepExpectationsInput, StepInput } from "./schema.ts";
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
    request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 6000, map: "Cached" },
    // Possible at 16 KiB pages, wrong at the simulator's 4 KiB.
    expect: { bytes: 4096, pages: 1 },
  });
  assert.equal(run.status, "failed");
  assert.deepEqual(run.failures, [
    'allocatePagesForMdl("buffer", 6000 bytes): byteCount 8192 ≠ expected 4096',
    'allocatePagesForMdl("buffer", 6000 bytes): 2 page(s), expected 1',
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
  }, { fragmentation: 0.6, seed: 11, fragmentModel: "geometric" });
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
    request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 8192 },
    expect: { pages: 1, latency: { p99Us: 1000, repetitions: 5 } },
  });
  assert.deepEqual(run.failures, [
    'allocatePagesForMdl("buffer", 8192 bytes): 2 page(s), expected 1 (in 5 of 5 repetitions)',
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

/** Under a 1 MiB (256-page) cap: a whole 2-page cyclic buffer, a 1-page BDL, then what is left. */
function underCap(expects: {
  cyclic?: StepExpectationsInput;
  bdl?: StepExpectationsInput;
  second?: StepExpectationsInput;
}, caseExpect?: CaseInput["expect"]): CaseInput {
  return {
    name: "cyclic, BDL, second buffer",
    steps: [
      {
        call: "allocatePagesForMdl",
        handle: "cyclic",
        highAddress: DMA32,
        totalBytes: 8192,
        expect: expects.cyclic,
      },
      {
        call: "allocateContiguousPagesForMdl",
        handle: "bdl",
        highAddress: DMA32,
        totalBytes: 4096,
        expect: expects.bdl,
      },
      {
        call: "allocatePagesForMdl",
        handle: "second",
        highAddress: DMA32,
        totalBytes: 4 << 20,
        expect: expects.second,
      },
      { call: "freePagesFromMdl", handle: "cyclic" },
      { call: "freePagesFromMdl", handle: "bdl" },
      { call: "freePagesFromMdl", handle: "second" },
    ],
    expect: caseExpect,
  };
}
const cap = { faults: { memoryCapBytes: 1 << 20 } };

Deno.test("per-step expectations: each allocation is checked against its own step's", () => {
  const run = runOnSimulator(
    underCap({
      cyclic: { bytes: "requested", pages: 2 },
      bdl: { bytes: 4096, contiguous: true },
      second: { bytes: "partial-allowed", pages: 253 },
    }, { withinBound: true }),
    cap,
  );
  assert.equal(run.status, "passed", run.failures.join("\n"));
  assert.deepEqual(
    run.allocations.map((a) => [a.step, a.handle, a.byteCount, a.pages]),
    [[1, "cyclic", 8192, 2], [2, "bdl", 4096, 1], [3, "second", 253 * 4096, 253]],
  );
  // The same case with the old single case-level expectation cannot say this: "requested" fails
  // the second buffer, "partial-allowed" would let a partial cyclic buffer through.
  const caseLevel = runOnSimulator(underCap({}, { bytes: "requested" }), cap);
  assert.deepEqual(caseLevel.failures, [
    'step 3 (allocatePagesForMdl "second"): byteCount 1036288 < requested 4194304 (partial result)',
  ]);
});

Deno.test("a broken step expectation fails naming that step only, and frees every page", () => {
  const run = runOnSimulator(
    underCap({
      cyclic: { bytes: "requested", pages: 2 },
      bdl: { result: "null" },
      second: { bytes: "requested", pages: 256 },
    }),
    cap,
  );
  assert.equal(run.status, "failed");
  assert.deepEqual(run.failures, [
    'step 2 (allocateContiguousPagesForMdl "bdl") returned 4096 bytes, expected NULL',
    'step 3 (allocatePagesForMdl "second"): byteCount 1036288 < requested 4194304 (partial result)',
    'step 3 (allocatePagesForMdl "second"): 253 page(s), expected 256',
  ]);
});

Deno.test("a step's own expectation overrides the case's for that step only", () => {
  // The case allows partial buffers; the cyclic buffer must still be whole, and here it is not.
  const run = runOnSimulator(
    underCap({ cyclic: { bytes: "requested" } }, { bytes: "partial-allowed" }),
    { faults: { memoryCapBytes: 4096 } },
  );
  assert.deepEqual(run.failures, [
    'step 1 (allocatePagesForMdl "cyclic"): byteCount 4096 < requested 8192 (partial result)',
    'step 2 (allocateContiguousPagesForMdl "bdl") returned NULL, expected an MDL',
    'step 3 (allocatePagesForMdl "second") returned NULL, expected an MDL',
  ]);
  // A step expecting NULL accepts it while the others keep the case's expectation.
  const nullAllowed = runOnSimulator(
    underCap({ bdl: { result: "null" }, second: { result: "mdl-or-null" } }, {
      bytes: "partial-allowed",
    }),
    { faults: { memoryCapBytes: 4096 } },
  );
  assert.equal(nullAllowed.status, "passed", nullAllowed.failures.join("\n"));
});

Deno.test("a contiguity expectation on one step checks that step, not the others", () => {
  const steps = (bdl?: StepExpectationsInput, cyclic?: StepExpectationsInput): CaseInput => ({
    name: "bdl and cyclic buffer",
    steps: [
      {
        call: "allocatePagesForMdl",
        handle: "bdl",
        highAddress: DMA32,
        totalBytes: 4096,
        expect: bdl,
      },
      {
        call: "allocatePagesForMdl",
        handle: "cyclic",
        highAddress: DMA32,
        totalBytes: 1 << 20,
        expect: cyclic,
      },
      { call: "freePagesFromMdl", handle: "bdl" },
      { call: "freePagesFromMdl", handle: "cyclic" },
    ],
  });
  const fragmented = { fragmentation: 0.6, seed: 11, fragmentModel: "geometric" } as const;
  const onBdl = runOnSimulator(steps({ contiguous: true }), fragmented);
  assert.equal(onBdl.status, "passed", onBdl.failures.join("\n"));
  const onCyclic = runOnSimulator(steps(undefined, { contiguous: true }), fragmented);
  assert.equal(onCyclic.failures.length, 1);
  assert.match(
    onCyclic.failures[0],
    /^step 2 \(allocatePagesForMdl "cyclic"\): \d+ contiguous runs, expected 1$/,
  );
});

/** The real simulator seen through a backend with other capabilities, e.g. Linux's. */
function seenAs(sim: Simulator, capabilities: Partial<Backend["capabilities"]>): Backend {
  return {
    name: sim.name,
    pageSize: sim.pageSize,
    capabilities: { ...sim.capabilities, ...capabilities },
    limits: sim.limits,
    stream: () => sim.stream(),
    leaks: () => sim.leaks(),
    assertNoLeaks: () => sim.assertNoLeaks(),
    close: () => sim.close(),
    [Symbol.dispose]: () => sim.close(),
  };
}

const boundCase = (expect?: { withinBound: boolean }, highAddress = DMA32): CaseInput => ({
  name: "bound",
  steps: [
    { call: "allocatePagesForMdl", handle: "a", highAddress, totalBytes: 4096, expect },
    { call: "freePagesFromMdl", handle: "a" },
  ],
});

Deno.test("a bound the backend cannot enforce is observed and counted, never passed", () => {
  using sim = new Simulator({ seed: 1 });
  const unbounded = seenAs(sim, {
    highAddressEnforced: { available: false, reason: "the kernel promises no HighAddress" },
  });
  const opened = { name: "unbounded", backend: unbounded, machine: sim.machine };
  // Checked by default: no withinBound needed.
  for (const expect of [undefined, { withinBound: true }]) {
    const run = runCase(opened, caseOf(boundCase(expect)));
    assert.equal(run.status, "observed", run.failures.join("\n"));
    assert.deepEqual(run.unchecked, []);
    assert.deepEqual(run.allocations[0].bound, {
      highAddress: "0xFFFFFFFF",
      pages: 1,
      check: "observed",
      pagesOutside: 0,
      reason: "the kernel promises no HighAddress",
    });
    assert.deepEqual(run.notes, [
      'observed: 0 of 1 page(s) above the bound 0xFFFFFFFF (step 1 (allocatePagesForMdl "a")); ' +
      "not enforced here: the kernel promises no HighAddress",
    ]);
  }
  // Opting out explicitly: a plain pass, and the run says the bound was not checked.
  const optedOut = runCase(opened, caseOf(boundCase({ withinBound: false })));
  assert.equal(optedOut.status, "passed", optedOut.failures.join("\n"));
  assert.equal(optedOut.allocations[0].bound?.check, "opted-out");
  assert.match(optedOut.notes[0], /bound 0xFFFFFFFF not checked \(withinBound: false\)/);
  assert.deepEqual(sim.leaks(), []);
});

Deno.test("without frame numbers the bound is listed as unchecked with the reason", () => {
  using sim = new Simulator({ seed: 1 });
  const blind = seenAs(sim, {
    frameNumbers: { available: false, reason: "frame numbers need CAP_SYS_ADMIN" },
    highAddressEnforced: { available: false, reason: "the kernel promises no HighAddress" },
  });
  const run = runCase({ name: "blind", backend: blind, machine: null }, caseOf(boundCase()));
  assert.equal(run.status, "passed", run.failures.join("\n"));
  assert.deepEqual(run.unchecked, [
    { expectation: "withinBound", reason: "frame numbers need CAP_SYS_ADMIN" },
  ]);
});

Deno.test("map, unmap and free steps take no expect, also for the type checker", () => {
  // @ts-expect-error: only allocation steps have expectations
  const free: StepInput = { call: "freePagesFromMdl", handle: "a", expect: { bytes: 4096 } };
  assert.throws(
    () =>
      caseOf({
        name: "free",
        steps: [
          { call: "allocatePagesForMdl", handle: "a", highAddress: DMA32, totalBytes: 4096 },
          free,
        ],
      }),
    /› steps\[1\]\.expect: freePagesFromMdl allocates nothing to check/,
  );
});

Deno.test("a mapping that returns NULL fails unless the case says it may fail", () => {
  const request = {
    call: "allocatePagesForMdl",
    highAddress: DMA32,
    totalBytes: 4096,
    map: "WriteCombined",
  } as const;
  const mapsFail: SimulatorOptions = { faults: { probability: 1, operations: ["map"] } };
  const required = runOnSimulator({ name: "must map", request }, mapsFail);
  assert.equal(required.status, "failed");
  assert.match(required.failures.join("\n"), /mapAllocatedPages returned NULL.*"required"/);
  const mayFail = runOnSimulator(
    { name: "may fail", request, expect: { mapping: "may-fail" } },
    mapsFail,
  );
  assert.equal(mayFail.status, "passed", mayFail.failures.join("\n"));
  assert.equal(runOnSimulator({ name: "maps", request }).status, "passed");
});
