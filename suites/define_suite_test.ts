import assert from "node:assert/strict";
import { CacheType } from "../core/constants.ts";
import { defineSuite, isSuite, SuiteDefinitionError } from "./define_suite.ts";
import type { Suite } from "./suite_model.ts";
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
        highAddress: 0xFFFFFFFFn,
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
  assert.deepEqual(suite.cases[0].expect.latency, {
    p50Us: undefined,
    p99Us: 500,
    tolerance: 0,
    confidence: 0.95,
  });
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
      // The duplicate is reported although both cases have problems of their own.
      `"same" (cases[1]) › name`,
      `"same" (cases[0]) › request.highAddress`,
      `"same" (cases[1]) › request.highAddress`,
      "cases[2] › request.highAddress",
    ]),
  );
  const high = error.problems.find((p) => p.field === "request.highAddress")!;
  assert.equal(
    high.message,
    "must cover at least one page (≥ 0xFFFn): a bound below that leaves nothing to allocate",
  );
  assert.equal(high.received, "1n");
  assert.match(error.message, /› request\.highAddress: must cover at least one page .* \(got 1n\)/);
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

Deno.test("each allocation step carries the case's expectations, overridden field by field by its own", () => {
  const suite = defineSuite({
    name: "Per step",
    cases: [{
      name: "cyclic, BDL, second buffer, lost buffer",
      steps: [
        { call: "allocatePagesForMdl", handle: "cyclic", highAddress: 0xFFFFFFFFn, audio: tenMs },
        {
          call: "allocateContiguousPagesForMdl",
          handle: "bdl",
          highAddress: 0xFFFFFFFFn,
          totalBytes: 4096,
          expect: { bytes: 4096, contiguous: true },
        },
        {
          call: "allocatePagesForMdl",
          handle: "second",
          highAddress: 0xFFFFFFFFn,
          totalBytes: 1 << 22,
          expect: { bytes: "partial-allowed" },
        },
        {
          call: "allocatePagesForMdl",
          handle: "lost",
          highAddress: 0xFFFFFFFFn,
          totalBytes: 4096,
          expect: { result: "null" },
        },
        { call: "freePagesFromMdl", handle: "cyclic" },
        { call: "freePagesFromMdl", handle: "bdl" },
        { call: "freePagesFromMdl", handle: "second" },
      ],
      expect: { pages: 1, withinBound: true, latency: { p99Us: 500, repetitions: 3 } },
    }],
  });
  const [testCase] = suite.cases;
  const expects = testCase.steps.map((s) => "allocation" in s ? s.expect : s.call);
  assert.deepEqual(expects, [
    // Nothing of its own: the case's, with the default complete size.
    { result: "mdl", bytes: "requested", pages: 1, withinBound: true, contiguous: undefined },
    { result: "mdl", bytes: 4096, pages: 1, withinBound: true, contiguous: true },
    { result: "mdl", bytes: "partial-allowed", pages: 1, withinBound: true, contiguous: undefined },
    // NULL inherits no size: the case's pages describe an MDL this step says it will not get.
    {
      result: "null",
      bytes: undefined,
      pages: undefined,
      withinBound: true,
      contiguous: undefined,
    },
    "freePagesFromMdl",
    "freePagesFromMdl",
    "freePagesFromMdl",
  ]);
  // The case-level expectations themselves are resolved exactly as before.
  assert.deepEqual(testCase.expect, {
    result: "mdl",
    bytes: "requested",
    pages: 1,
    withinBound: true,
    contiguous: undefined,
    mapping: "required",
    violation: undefined,
    latency: { p50Us: undefined, p99Us: 500, tolerance: 0, confidence: 0.95 },
  });
  assert.deepEqual(testCase.repetitions, 3);
});

Deno.test("a single request's allocation carries the case's expectations", () => {
  const [testCase] = defineSuite({
    name: "Request",
    cases: [{
      name: "contiguous",
      request: {
        call: "allocateContiguousPagesForMdl",
        highAddress: 0xFFFFFFFFn,
        totalBytes: 8192,
        map: "NonCached",
      },
      expect: { bytes: { atLeast: 8192 }, contiguous: true, mapping: "may-fail" },
    }],
  }).cases;
  const allocate = testCase.steps[0];
  assert.deepEqual("allocation" in allocate && allocate.expect, {
    result: "mdl",
    bytes: { atLeast: 8192 },
    pages: undefined,
    withinBound: true,
    contiguous: true,
  });
});

Deno.test("bad step expectations are all reported at once, naming suite › case › steps[i].expect.field", () => {
  const allocate = { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 };
  const input = {
    name: "Bad steps",
    cases: [
      {
        name: "field by field",
        steps: [
          { ...allocate, handle: "a", expect: { bytes: "all", pages: -1, withinBound: false } },
          { ...allocate, handle: "b", expect: { byte: 4096, latency: { p99Us: 5 } } },
          { ...allocate, handle: "c", expect: { result: "null", pages: 1 } },
          { call: "mapAllocatedPages", handle: "a", cacheType: "Cached", expect: {} },
          { call: "unmapAllocatedPages", handle: "a", expect: { result: "mdl" } },
          { call: "freePagesFromMdl", handle: "a", expect: { bytes: 4096 } },
        ],
      },
      {
        name: "a case expecting NULL",
        steps: [
          { ...allocate, handle: "a", expect: { pages: 1 } },
          { ...allocate, handle: "b", expect: { result: "mdl", pages: 1 } },
          { ...allocate, handle: "c", expect: { violation: "double-free", mapping: "may-fail" } },
        ],
        expect: { result: "null" },
      },
    ],
  } as unknown as SuiteInput;
  const error = definitionError(() => defineSuite(input));
  const where = (p: { case?: string; field: string }) => `${p.case} › ${p.field}`;
  assert.deepEqual(
    new Set(error.problems.map(where)),
    new Set([
      `"field by field" (cases[0]) › steps[0].expect.bytes`,
      `"field by field" (cases[0]) › steps[0].expect.pages`,
      `"field by field" (cases[0]) › steps[1].expect.byte`,
      `"field by field" (cases[0]) › steps[1].expect.latency`,
      `"field by field" (cases[0]) › steps[2].expect.result`,
      `"field by field" (cases[0]) › steps[3].expect`,
      `"field by field" (cases[0]) › steps[4].expect`,
      `"field by field" (cases[0]) › steps[5].expect`,
      `"a case expecting NULL" (cases[1]) › steps[0].expect.result`,
      `"a case expecting NULL" (cases[1]) › steps[2].expect.violation`,
      `"a case expecting NULL" (cases[1]) › steps[2].expect.mapping`,
    ]),
  );
  assert.equal(error.problems.length, 11);
  const message = (field: string, caseIndex = 0) =>
    error.problems.find((p) => p.field === field && p.case?.endsWith(`(cases[${caseIndex}])`))
      ?.message;
  assert.equal(
    message("steps[5].expect"),
    "freePagesFromMdl allocates nothing to check: expect belongs on allocatePagesForMdl and " +
      "allocateContiguousPagesForMdl steps (put the case's expectations in the case's expect)",
  );
  assert.match(message("steps[3].expect")!, /^mapAllocatedPages allocates nothing to check/);
  assert.equal(message("steps[1].expect.byte"), 'unknown field(s) "byte"');
  assert.equal(
    message("steps[2].expect.mapping", 1),
    "mapping is about request.map, which only a single request has: no step can expect it",
  );
  assert.equal(
    message("steps[1].expect.latency"),
    "latency is measured on the case's first allocation: give it in the case's expect, not a step's",
  );
  assert.equal(
    message("steps[2].expect.result"),
    'result "null" contradicts a bytes or pages expectation',
  );
  assert.equal(
    message("steps[0].expect.result", 1),
    'the case expects result "null", which contradicts this step\'s bytes or pages: give the ' +
      "step its own result",
  );
  assert.match(
    error.message,
    /suite "Bad steps" › case "field by field" \(cases\[0\]\) › steps\[5\]\.expect: freePagesFromMdl allocates nothing/,
  );
});

const page = { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 } as const;

Deno.test("every problem of issue 12 is found up front, each with the field and the value received", () => {
  const input = {
    name: "Issue 12",
    cases: [
      { name: "below one page", request: { ...page, highAddress: 0xFFEn } },
      { name: "number address", request: { ...page, highAddress: 0xFFFFFFFF } },
      { name: "empty range", request: page, expect: { bytes: { atLeast: 8192, atMost: 4096 } } },
      { name: "no pages", request: page, expect: { pages: 0 } },
      { name: "too many pages", request: page, expect: { pages: 2 } },
      {
        name: "bytes and pages disagree",
        request: { ...page, totalBytes: 65536 },
        expect: {
          bytes: 8192,
          pages: 5,
        },
      },
      {
        name: "p50 above p99",
        request: page,
        expect: { latency: { p50Us: 9, p99Us: 5, repetitions: 2 } },
      },
      {
        name: "no bound to be within",
        request: { ...page, highAddress: -1n },
        expect: {
          withinBound: true,
        },
      },
      { name: "signed address", request: { ...page, highAddress: 0x8000_0000_0000_0000n } },
      { name: "cache type typo", request: { ...page, map: "Cashed" } },
      { name: "below one page" },
    ],
  } as unknown as SuiteInput;
  const error = definitionError(() => defineSuite(input));
  const got = error.problems.map((p) => [p.case, p.field, p.received]);
  assert.deepEqual(got, [
    [`"below one page" (cases[0])`, "request.highAddress", "0xFFEn"],
    [`"number address" (cases[1])`, "request.highAddress", "4294967295 (a number)"],
    [`"empty range" (cases[2])`, "expect.bytes.atMost", "4096 (a number)"],
    [`"no pages" (cases[3])`, "expect.pages", "0 (a number)"],
    [`"too many pages" (cases[4])`, "expect.pages", "2 (a number)"],
    [`"bytes and pages disagree" (cases[5])`, "expect.bytes", "8192 (a number)"],
    [`"p50 above p99" (cases[6])`, "expect.latency.p50Us", "9 (a number)"],
    [`"no bound to be within" (cases[7])`, "expect.withinBound", "true"],
    [`"signed address" (cases[8])`, "request.highAddress", "0x8000000000000000n"],
    [`"cache type typo" (cases[9])`, "request.map", '"Cashed"'],
    [`"below one page" (cases[10])`, "name", '"below one page"'],
    [`"below one page" (cases[10])`, "request", "nothing (the field is missing)"],
  ]);
  const message = (i: number) => error.problems[i].message;
  assert.equal(
    message(1),
    "must be a bigint, not a number: addresses are bigints in suites as in the stream API, " +
      "e.g. 0xFFFFFFFFn",
  );
  assert.equal(message(2), "is below atLeast 8192: no byte count satisfies both");
  assert.match(message(3), /^contradicts the request: the request asks for 4096 bytes/);
  assert.match(message(4), /at most 1 page\(s\) can come back/);
  assert.match(message(5), /^contradicts pages 5: 8192 bytes are that many pages at no page size/);
  assert.match(message(6), /^overlaps p99Us 5: p50 never exceeds p99/);
  assert.match(message(7), /no bound to be within/);
  // No raw schema text: every message is the suite's own wording.
  for (const p of error.problems) assert.doesNotMatch(p.message, /Invalid input|Too small|Too big/);
});

Deno.test("totalBytes 0 is a case like any other, and no limit is -1n or all-ones", () => {
  const suite = defineSuite({
    name: "Edges",
    cases: [
      {
        name: "zero bytes",
        request: { ...page, totalBytes: 0 },
        expect: { result: "mdl-or-null" },
      },
      { name: "no limit as -1n", request: { ...page, highAddress: -1n } },
      { name: "no limit as all-ones", request: { ...page, highAddress: 0xFFFF_FFFF_FFFF_FFFFn } },
      { name: "bytes as a bigint", request: page, expect: { bytes: 4096n, pages: 1 } },
      {
        name: "bound opted out",
        request: page,
        expect: { withinBound: false },
      },
    ],
  });
  const allocation = (i: number) => {
    const step = suite.cases[i].steps[0];
    assert.ok("allocation" in step);
    return step;
  };
  assert.equal(allocation(0).allocation.totalBytes, 0);
  assert.equal(allocation(1).allocation.highAddress, 0xFFFF_FFFF_FFFF_FFFFn);
  assert.equal(allocation(2).allocation.highAddress, 0xFFFF_FFFF_FFFF_FFFFn);
  assert.equal(allocation(3).expect.bytes, 4096);
  assert.equal(allocation(0).expect.withinBound, true, "checked by default");
  assert.equal(allocation(4).expect.withinBound, false);
});
