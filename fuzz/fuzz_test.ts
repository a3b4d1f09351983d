import assert from "node:assert/strict";
import type { Backend, Mdl, WaveRtStream } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import { fuzz, FUZZ_MACHINE, SHARD_RUNS, shardTasks } from "./fuzz.ts";
import type { FuzzConditions, FuzzFailure } from "./fuzz_report.ts";
import { fuzzParallel } from "./parallel.ts";
import { mergeShards } from "./shard_merge.ts";
import { runSequence, SequenceChecker } from "./run_sequence.ts";
import { unreachableRules } from "./misuse_model.ts";
import { ViolationRules } from "../core/violations.ts";
import fc from "npm:fast-check@4.10.2";
import { concretize, sequenceArbitrary } from "./sequence.ts";
import { caseSource } from "./suite_case.ts";
import { defineSuite } from "../suites/define_suite.ts";

Deno.test("a short fixed-seed fuzz run with faults keeps every invariant and leaks nothing", () => {
  const report = fuzz({ runs: 300, seed: 20261124 });
  assert.equal(report.failure, undefined, report.failure?.message);
  assert.equal(report.runs, 300);
  // The generator must really reach the interesting paths, or the run proves little.
  assert.ok(report.outcomes.mdl > 100, JSON.stringify(report.outcomes));
  assert.ok(report.outcomes.null > 0, "some allocations fail under faults");
  assert.ok(report.partial > 0, "some allocations come back partial");
  assert.ok(report.outcomes.mapped > 0);
  for (const rule of ["double-free", "use-after-free", "free-while-mapped", "double-map"]) {
    assert.ok(report.violations[rule] > 0, `misuse ${rule} was generated and flagged`);
  }
});

Deno.test("the same seed replays the same sequences", () => {
  assert.deepEqual(fuzz({ runs: 40, seed: 9 }), fuzz({ runs: 40, seed: 9 }));
});

Deno.test("misuse is checked for the exact rule", () => {
  using sim = new Simulator();
  const outcomes = runSequence(sim, [
    { call: "allocatePagesForMdl", handle: "a", highAddress: 0xffffffffn, totalBytes: 1920 },
    { call: "mapAllocatedPages", handle: "a", cacheType: "WriteCombined" },
    { call: "freePagesFromMdl", handle: "a" },
    { call: "mapAllocatedPages", handle: "a", cacheType: "Cached" },
    { call: "unmapAllocatedPages", handle: "a" },
    { call: "freePagesFromMdl", handle: "a" },
    { call: "freePagesFromMdl", handle: "a" },
  ]);
  assert.deepEqual(outcomes.map((o) => o.rule ?? o.result), [
    "mdl",
    "mapped",
    "free-while-mapped",
    "double-map",
    "unmapped",
    "freed",
    "double-free",
  ]);
  assert.deepEqual(sim.leaks(), []);
});

Deno.test("concretize names handles by allocation and drops steps before any allocation", () => {
  assert.deepEqual(
    concretize([
      { call: "freePagesFromMdl", which: 3 },
      { call: "allocatePagesForMdl", highAddress: 0xfffffn, totalBytes: 1 },
      { call: "allocatePagesForMdl", highAddress: 0xfffffn, totalBytes: 2 },
      { call: "unmapAllocatedPages", which: 3 },
    ]).map((s) => `${s.call}:${s.handle}`),
    ["allocatePagesForMdl:h0", "allocatePagesForMdl:h1", "unmapAllocatedPages:h1"],
  );
});

Deno.test("concretize keeps every generated field but which, in order, then the handle", () => {
  const generated = fc.sample(sequenceArbitrary({ maxSteps: 12 }), { numRuns: 3000, seed: 5 });
  const keys = new Set<string>();
  for (const g of generated) {
    const steps = concretize(g);
    const kept = g.filter((step, i) =>
      step.call === "assertNoLeaks" || g.slice(0, i + 1).some((s) => "totalBytes" in s)
    );
    assert.equal(steps.length, kept.length);
    kept.forEach((step, i) => {
      const { which: _, ...rest } = step as typeof step & { which?: number };
      const expected = Object.entries(rest);
      const got = Object.entries(steps[i]);
      assert.deepEqual(
        got.slice(0, -1),
        step.call === "assertNoLeaks" ? [["call", step.call]] : expected,
      );
      assert.equal(got[got.length - 1][0], "handle");
      for (const [k] of expected) keys.add(k);
    });
  }
  // Every optional field the generator writes was seen, so each was compared.
  for (const k of ["lowAddress", "cacheType", "engine", "addressDelta", "mdl", "irql"]) {
    assert.ok(keys.has(k), k);
  }
});

Deno.test("a run that fails only after others, not when fast-check reruns the shard, is reported", () => {
  let built = 0;
  const failsOnce = (conditions: FuzzConditions): Backend => {
    if (++built === 40) throw new Error("state left behind by an earlier run");
    return new Simulator({ machine: FUZZ_MACHINE, seed: conditions.seed, faults: {} });
  };
  const report = fuzz({ runs: 100, seed: 9, faults: false, backend: failsOnce });
  const failure = report.failure;
  assert.ok(failure, "the failed run must be reported, not lost when the rerun passes");
  assert.match(failure.message, /^state left behind by an earlier run\n.*depends on the runs/);
  assert.match(failure.path, /^\d+$/);
  assert.equal(failure.seed, 9);
  assert.equal(report.runs, 100, "the rerun ran the whole shard");
});

/** A simulator with one rule flipped: allocatePagesForMdl ignores HighAddress. */
function ignoresHighAddress(conditions: FuzzConditions): Backend {
  const sim = new Simulator({
    machine: FUZZ_MACHINE,
    fragmentation: conditions.fragmentation,
    seed: conditions.seed,
  });
  const inner = sim.stream();
  const broken: WaveRtStream = {
    allocatePagesForMdl: (_high: bigint, total: number | bigint) =>
      inner.allocatePagesForMdl(0x7fffffffffffffffn, total),
    allocateContiguousPagesForMdl: (low, high, total) =>
      inner.allocateContiguousPagesForMdl(low, high, total),
    mapAllocatedPages: (mdl: Mdl, cacheType) => inner.mapAllocatedPages(mdl, cacheType),
    unmapAllocatedPages: (va, mdl) => inner.unmapAllocatedPages(va, mdl),
    freePagesFromMdl: (mdl) => inner.freePagesFromMdl(mdl),
    getPhysicalPagesCount: (mdl) => inner.getPhysicalPagesCount(mdl),
    getPhysicalPageAddress: (mdl, i) => inner.getPhysicalPageAddress(mdl, i),
    get lastCall() {
      return inner.lastCall;
    },
  };
  return {
    name: "broken simulator",
    pageSize: sim.pageSize,
    capabilities: sim.capabilities,
    limits: sim.limits,
    stream: () => broken,
    leaks: () => sim.leaks(),
    assertNoLeaks: () => sim.assertNoLeaks(),
    close: () => sim.close(),
    [Symbol.dispose]: () => sim.close(),
  };
}

Deno.test("a deliberately broken rule is caught and shrunk to at most 3 steps", () => {
  const report = fuzz({ runs: 2000, seed: 4, faults: false, backend: ignoresHighAddress });
  const failure = report.failure;
  assert.ok(failure, "the broken rule must be found");
  assert.match(failure.message, /outside the requested range/);
  assert.ok(failure.steps.length <= 3, `shrunk to ${failure.steps.length} steps`);
  // The shrunk case is a valid suite case, and as source it reads like one.
  defineSuite({ name: "fuzz regressions", cases: [failure.suiteCase] });
  assert.match(caseSource(failure.suiteCase), /steps: \[\n\s+\{ call: "allocatePagesForMdl"/);
  assert.ok(failure.path.length > 0, "a replay path is given");
  // Replaying the seed and path reproduces the same failure.
  const replay = fuzz({
    runs: 1,
    seed: failure.seed,
    path: failure.path,
    faults: false,
    backend: ignoresHighAddress,
  });
  assert.equal(replay.failure?.message, failure.message);
});

Deno.test("the same seed gives the same report with 1 and 2 workers", async () => {
  const options = { runs: SHARD_RUNS + 100, seed: 31, maxSteps: 6 };
  const single = fuzz(options);
  const progress: number[] = [];
  const parallel = await fuzzParallel({
    ...options,
    workers: 2,
    onProgress: (p) => progress.push(p.runs),
  });
  assert.deepEqual(parallel, single);
  assert.equal(single.runs, options.runs);
  assert.deepEqual(progress.length, 2, "one progress report per shard");
  assert.equal(progress.at(-1), options.runs);
});

Deno.test("shards: seeds differ per shard and the report merges up to the first failure", () => {
  const tasks = [...shardTasks({ seed: 5, runs: 2500, maxSteps: 12, faults: true })];
  assert.deepEqual(tasks.map((t) => t.runs), [1000, 1000, 500]);
  assert.equal(tasks[0].seed, 5);
  assert.equal(new Set(tasks.map((t) => t.seed)).size, 3);
  const ok = { runs: 10, steps: 50, outcomes: { mdl: 20 }, violations: {}, partial: 1 };
  const failure = { ...fuzz({ runs: 1, seed: 1 }), message: "x" } as unknown as FuzzFailure;
  const merged = mergeShards(5, [
    { index: 2, ...ok },
    { index: 1, ...ok, failure },
    { index: 0, ...ok },
  ]);
  assert.equal(merged.runs, 20, "shard 2 comes after the failing shard 1 and is left out");
  assert.equal(merged.outcomes.mdl, 40);
  assert.equal(merged.failure, failure);
});

Deno.test("a modest run reaches every rule of ViolationRules, each flagged exactly", () => {
  const report = fuzz({ runs: 1000, seed: 12 });
  assert.equal(report.failure, undefined, report.failure?.message);
  // The simulator can be driven into every rule; a backend that cannot says why (misuse model).
  using sim = new Simulator();
  assert.deepEqual(unreachableRules(sim), {});
  for (const rule of Object.values(ViolationRules)) {
    assert.ok(report.violations[rule.id] > 0, `${rule.id}: ${JSON.stringify(report.violations)}`);
  }
});

Deno.test("a backend without raised IRQL or engine mappings lists those rules as unreachable", () => {
  using sim = new Simulator();
  const userMode: Backend = {
    name: "user-mode",
    pageSize: sim.pageSize,
    capabilities: sim.capabilities,
    limits: sim.limits,
    stream: () => sim.stream(),
    leaks: () => sim.leaks(),
    assertNoLeaks: () => sim.assertNoLeaks(),
    close: () => sim.close(),
    [Symbol.dispose]: () => sim.close(),
  };
  assert.deepEqual(Object.keys(unreachableRules(userMode)).sort(), [
    "cache-type-conflict",
    "irql-not-passive",
  ]);
  const outcomes = runSequence(userMode, [
    { call: "allocatePagesForMdl", handle: "a", highAddress: 0xffffffffn, totalBytes: 4096 },
    { call: "freePagesFromMdl", handle: "a", irql: 2 },
    { call: "mapAllocatedPages", handle: "a", cacheType: "Cached", engine: true },
    { call: "freePagesFromMdl", handle: "a" },
  ]);
  assert.deepEqual(outcomes.map((o) => o.result), ["mdl", "skipped", "skipped", "freed"]);
});

Deno.test("the new misuse shapes are predicted by the model and flagged with their rule", () => {
  using sim = new Simulator();
  const outcomes = new SequenceChecker({ otherBackend: () => new Simulator() });
  const seen: string[] = [];
  outcomes.run(sim, [
    { call: "allocatePagesForMdl", handle: "a", highAddress: 0xffffffffn, totalBytes: 8192 },
    {
      call: "allocatePagesForMdl",
      handle: "b",
      highAddress: 0xffffffffn,
      totalBytes: 8192,
      irql: 2,
    },
    { call: "mapAllocatedPages", handle: "a", cacheType: "Cached", engine: true },
    { call: "mapAllocatedPages", handle: "a", cacheType: "WriteCombined" },
    { call: "mapAllocatedPages", handle: "a", cacheType: "Cached" },
    { call: "unmapAllocatedPages", handle: "a", addressDelta: 4096 },
    { call: "freePagesFromMdl", handle: "a", mdl: "spread" },
    { call: "freePagesFromMdl", handle: "a", mdl: "other-backend" },
    { call: "unmapAllocatedPages", handle: "a", mdl: "forged" },
    { call: "assertNoLeaks", handle: "" },
    { call: "freePagesFromMdl", handle: "a" },
    { call: "unmapAllocatedPages", handle: "a", engine: true },
    { call: "unmapAllocatedPages", handle: "a" },
    { call: "freePagesFromMdl", handle: "a" },
    { call: "assertNoLeaks", handle: "" },
  ], { step: (_i, result, _b, _p, _c, rule) => void seen.push(rule ?? result) });
  assert.deepEqual(seen, [
    "mdl",
    "irql-not-passive",
    "mapped",
    "cache-type-conflict",
    "mapped",
    "unmap-wrong-address",
    "foreign-mdl",
    "foreign-mdl",
    "foreign-mdl",
    "leaked-pages",
    "free-while-mapped",
    "unmapped",
    "unmapped",
    "freed",
    "no-leaks",
  ]);
  assert.deepEqual(sim.leaks(), []);
});
