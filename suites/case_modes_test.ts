import assert from "node:assert/strict";
import type { Backend } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import type { BackendProvider } from "./backends.ts";
import { simulatorProvider } from "./backends.ts";
import { crossCheck } from "./cross_check.ts";
import { defineSuite, inDefinitionOrder, SuiteDefinitionError } from "./define_suite.ts";
import { registerSuite } from "./register.ts";
import { failedRun, summarizeRun } from "./results.ts";
import { runCase } from "./run_case.ts";
import { runSuites } from "./run_suites.ts";

const request = {
  call: "allocatePagesForMdl",
  highAddress: 0xFFFFFFFFn,
  totalBytes: 4096,
} as const;

const modes = defineSuite({
  name: "Modes",
  cases: [
    { name: "runs", request },
    { name: "skipped", skip: "flaky on this rig", request },
    { name: "to do", todo: true, request },
    { name: "simulator only", backends: ["simulator"], request },
  ],
});

/** A provider that says which cases reached it. */
const hardwareStandIn: BackendProvider = {
  name: "hardware",
  run: (testCase, options) =>
    simulatorProvider.run(testCase, options).then((run) => ({
      ...run,
      backend: "hardware",
    })),
};

Deno.test("skip and todo are ignored with their reason; backends limits where a case runs", async () => {
  const report = await runSuites([modes], {
    seed: 1,
    providers: [simulatorProvider, hardwareStandIn],
  });
  const [runs, skipped, todo, simOnly] = report.suites[0].cases;
  assert.deepEqual(runs.runs.map((r) => r.status), ["passed", "passed"]);
  assert.deepEqual(skipped.runs.map((r) => r.reason), [
    "skipped: flaky on this rig",
    "skipped: flaky on this rig",
  ]);
  assert.deepEqual(todo.runs.map((r) => r.reason), ["todo", "todo"]);
  assert.deepEqual(simOnly.runs.map((r) => r.status), ["passed", "ignored"]);
  assert.equal(simOnly.runs[1].reason, "the case runs on simulator only");
});

Deno.test("only: as deno test, only the cases marked so run", async () => {
  const suite = defineSuite({
    name: "Only",
    cases: [{ name: "a", request }, { name: "b", only: true, request }],
  });
  const report = await runSuites([suite], { seed: 1, providers: [simulatorProvider] });
  assert.deepEqual(report.suites[0].cases.map((c) => c.case), ["b"]);
});

Deno.test("registerSuite hands skip/todo to Deno.test as ignore and only as only", () => {
  const definitions: Deno.TestDefinition[] = [];
  const suite = defineSuite({
    name: "Registered",
    cases: [{ name: "to do", todo: "after the bridge", request }, {
      name: "alone",
      only: true,
      request,
    }],
  });
  registerSuite(suite, {
    callSite: (_register, definition) => void definitions.push(definition),
  });
  assert.deepEqual(definitions.map((d) => [d.name, d.ignore, d.only]), [
    ["Registered › to do", true, undefined],
    ["Registered › alone", false, true],
  ]);
});

Deno.test("contradicting modes and unknown backends are refused, naming the field", () => {
  const problems = (() => {
    try {
      defineSuite({
        name: "Bad modes",
        cases: [
          { name: "both", skip: true, todo: true, request },
          { name: "only skipped", only: true, skip: "x", request },
          // @ts-expect-error: not a backend
          { name: "gpu", backends: ["gpu"], request },
        ],
      });
    } catch (e) {
      if (e instanceof SuiteDefinitionError) return e.problems.map((p) => p.field);
    }
    return [];
  })();
  assert.deepEqual(problems, ["todo", "only", "backends[0]"]);
});

Deno.test("suites come in the order defined, not by export name", async () => {
  const module = await import("./testdata/budget_suite.ts");
  const named = Object.values(module);
  assert.deepEqual(named.map((s) => s.name), ["Alpha, written second", "Zeta, written first"]);
  assert.deepEqual(inDefinitionOrder(named).map((s) => s.name), [
    "Zeta, written first",
    "Alpha, written second",
  ]);
});

Deno.test("a call that threw shows its error, not NULL", () => {
  using sim = new Simulator({ seed: 1 });
  const throwing = new Proxy(sim, {
    get(target, key) {
      if (key === "stream") {
        return () => {
          const stream = target.stream();
          return new Proxy(stream, {
            get(s, k) {
              if (k === "allocatePagesForMdl") {
                return () => {
                  throw new Error("mlock: Operation not permitted");
                };
              }
              const value = Reflect.get(s, k);
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as unknown as Backend;
  const run = runCase({ name: "hardware", backend: throwing, machine: null }, modes.cases[0]);
  assert.equal(run.status, "failed");
  assert.deepEqual(run.failures, [
    'step 1 (allocatePagesForMdl "buffer") threw: mlock: Operation not permitted',
  ]);
  assert.equal(run.allocations[0].error, "mlock: Operation not permitted");
  assert.equal(summarizeRun(run).error, "mlock: Operation not permitted");
  const other = { ...run, backend: "simulator" };
  const check = crossCheck([run, other]);
  // Two failed runs that agree prove nothing.
  assert.equal(check.status, "ignored");
  assert.match(check.reason!, /every backend's run failed \(hardware, simulator\)/);
});

Deno.test("a cross-check of two runs that broke down is not passed", () => {
  const check = crossCheck([failedRun("simulator", "crashed"), failedRun("hardware", "crashed")]);
  assert.notEqual(check.status, "passed");
});
