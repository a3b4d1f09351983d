import assert from "node:assert/strict";
import { CacheType } from "../core/constants.ts";
import { defineSuite, isSuite, type Suite, SuiteDefinitionError } from "./define_suite.ts";
import { registerSuite } from "./register.ts";
import type { SuiteInput } from "./schema.ts";

const tenMs = { sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 } as const;

Deno.test("a single request resolves to allocate, map, unmap and free with its size in bytes", () => {
  const suite = defineSuite({
    name: "Formats",
    conditions: { machine: "x64-4gib", seed: 9 },
    cases: [{
      name: "10 ms",
      conditions: { fragmentation: 0.25 },
      request: {
        call: "allocatePagesForMdl",
        highAddress: 0xFFFFFFFF,
        audio: tenMs,
        map: "WriteCombined",
      },
    }],
  });
  const [testCase] = suite.cases;
  assert.deepEqual(isSuite(suite), true);
  assert.deepEqual(testCase.kind, "request");
  assert.deepEqual(testCase.conditions, {
    machine: "x64-4gib",
    fragmentation: 0.25,
    seed: 9,
    faults: undefined,
    memoryCapBytes: undefined,
  });
  assert.deepEqual(testCase.steps.map((s) => s.call), [
    "allocatePagesForMdl",
    "mapAllocatedPages",
    "unmapAllocatedPages",
    "freePagesFromMdl",
  ]);
  const allocate = testCase.steps[0];
  assert.deepEqual("allocation" in allocate && allocate.allocation.totalBytes, 1920);
  assert.deepEqual("allocation" in allocate && allocate.allocation.highAddress, 0xFFFFFFFFn);
  assert.deepEqual(testCase.steps[1], {
    call: "mapAllocatedPages",
    handle: "buffer",
    cacheType: CacheType.WriteCombined,
  });
  // Without a bytes expectation a complete allocation is expected.
  assert.deepEqual(testCase.expect.bytes, "requested");
  assert.deepEqual(testCase.repetitions, 1);
  assert.deepEqual(Object.isFrozen(testCase.steps[0]), true);
});

Deno.test("a latency budget sets the repetitions", () => {
  const suite = defineSuite({
    name: "Latency",
    cases: [{
      name: "p99",
      request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
      expect: { latency: { p99Us: 500, repetitions: 200 } },
    }],
  });
  assert.deepEqual(suite.cases[0].repetitions, 200);
  assert.deepEqual(suite.cases[0].expect.latency, { p50Us: undefined, p99Us: 500 });
});

Deno.test("a malformed suite reports every problem at once, naming suite, case and field", async () => {
  // The fixture calls defineSuite at module level, as a user's suite file does.
  const error = await import("./testdata/malformed_suite.ts").then(() => null, (e: unknown) => e);
  if (!(error instanceof SuiteDefinitionError)) {
    throw new Error(`expected a SuiteDefinitionError, got ${error}`);
  }
  const problems = error.problems.map((p) => `${p.case} › ${p.field}`);
  assert.deepEqual(
    new Set(problems),
    new Set([
      `"odd frames in two halves" (cases[0]) › request.audio.notificationCount`,
      `"bounds reversed and a typo" (cases[1]) › expect.byte`,
      `"bounds reversed and a typo" (cases[1]) › request.lowAddress`,
      `"handle used before allocation" (cases[2]) › steps[1].totalBytes`,
      `"handle used before allocation" (cases[2]) › expect.violation`,
      `"handle used before allocation" (cases[2]) › steps[0].handle`,
    ]),
  );
  for (const p of error.problems) assert.deepEqual(p.suite, "Malformed");
  assert.deepEqual(error.message.startsWith("6 problem(s) in suite definition:"), true);
  assert.match(
    error.message,
    /suite "Malformed" › case "bounds reversed and a typo" \(cases\[1\]\) › expect\.byte: unknown field\(s\) "byte"/,
  );
});

Deno.test("suite-level problems and duplicate case names are reported", () => {
  const input = {
    name: "Dupes",
    conditions: { fragmentation: 1.5 },
    cases: [
      { name: "same", request: { call: "allocatePagesForMdl", highAddress: 1n, totalBytes: 1 } },
      { name: "same", request: { call: "allocatePagesForMdl", highAddress: 1n, totalBytes: 1 } },
      { request: { call: "allocatePagesForMdl", highAddress: 1n, totalBytes: 1 } },
    ],
  } as unknown as SuiteInput;
  const error = definitionError(() => defineSuite(input));
  assert.deepEqual(
    new Set(error.problems.map((p) => `${p.case} › ${p.field}`)),
    new Set([
      "undefined › conditions.fragmentation",
      "cases[2] › name",
      `"same" (cases[1]) › name`,
    ]),
  );
});

Deno.test("contradictory expectations are rejected before anything runs", () => {
  const error = definitionError(() =>
    defineSuite({
      name: "Contradictions",
      cases: [
        {
          name: "null with bytes",
          request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
          expect: { result: "null", bytes: 4096 },
        },
        {
          name: "violation from a single request",
          request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
          expect: { violation: "double-map" },
        },
        {
          name: "size given twice",
          request: {
            call: "allocatePagesForMdl",
            highAddress: 0xFFFFFFFFn,
            totalBytes: 4096,
            audio: tenMs,
          },
        },
        { name: "nothing to do" },
      ],
    })
  );
  assert.deepEqual(error.problems.map((p) => p.field), [
    "expect.result",
    "expect.violation",
    "request.totalBytes",
    "request",
  ]);
});

function definitionError(define: () => unknown): SuiteDefinitionError {
  try {
    define();
  } catch (error) {
    if (error instanceof SuiteDefinitionError) return error;
    throw error;
  }
  throw new Error("expected a SuiteDefinitionError, but the suite was accepted");
}

Deno.test("registerSuite refuses a suite that did not go through defineSuite", () => {
  const unvalidated = { name: "raw", cases: [] } as unknown as Suite;
  assert.throws(() => registerSuite(unvalidated), {
    name: "TypeError",
    message: "registerSuite needs a suite returned by defineSuite(...), which validates it",
  });
});
