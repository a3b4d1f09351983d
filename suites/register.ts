/**
 * `registerSuite`: turns a suite into `deno test` tests, one `Deno.test` per case with one step per
 * backend and a cross-check step, so `--filter`, `--junit-path` and `--reporter` work as usual.
 *
 * @module
 */

import { type BackendName, backendNames, providersFor, type RunOptions } from "./backends.ts";
import { crossCheck, formatDivergences } from "./cross_check.ts";
import { isSuite } from "./define_suite.ts";
import type { Suite } from "./suite_model.ts";
import type { BackendRun, CrossCheck } from "./results.ts";
import { notRunReason, runCaseOn, testName } from "./run_suites.ts";
import { caseOverBudget } from "./locked_budget.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { helperAvailability } from "../ffi/library.ts";
import type { BackendLimits } from "../core/backend.ts";
import type { SuiteCase } from "./suite_model.ts";
import { LOCKED_BUDGET_ENV } from "../ffi/locked_budget.ts";

/**
 * A function in the user's test file that makes the call it is handed: `(register, definition) =>
 * register(definition)`. Deno records the file and line of whatever calls `Deno.test` and
 * `t.step`, so passing one makes `deno test`, its JUnit classname and its failure locations name
 * the user's file and line instead of suites/register.ts.
 *
 * @example
 * ```ts
 * const callSite: CallSite = (register, definition) => register(definition);
 * ```
 */
export type CallSite = (
  register: (definition: Deno.TestDefinition & Deno.TestStepDefinition) => unknown,
  definition: Deno.TestDefinition & Deno.TestStepDefinition,
) => unknown;

/** Options of {@linkcode registerSuite}. */
export interface RegisterOptions extends Partial<RunOptions> {
  /** Backends to run on. Default: all of them, each ignored with its reason where unavailable. */
  readonly backends?: readonly BackendName[];
  /** Makes the registering calls from the user's file; see {@linkcode CallSite}. */
  readonly callSite?: CallSite;
}

/** "file:line:column" of the caller of registerSuite, from the stack, or null when unreadable. */
function registeredAt(): string | null {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const frame = frames.find((f) => !f.includes(import.meta.url) && /file:\/\//.test(f));
  return /(file:\/\/[^)\s]+:\d+:\d+)/.exec(frame ?? "")?.[1] ?? null;
}

/**
 * The default seed of cases that fix none, so every `deno test` run is reproducible.
 *
 * @example
 * ```ts
 * const options: RegisterOptions = { seed: DEFAULT_SEED + 1 }; // another reproducible layout
 * ```
 */
export const DEFAULT_SEED = 1;

/**
 * Registers one `Deno.test` per case, with a step per backend and a cross-check step. Names are
 * stable ("suite › case", then the backend's name): a backend that cannot run a case, an
 * expectation it cannot check, and a cross-check with fewer than two backends are ignored steps
 * whose reason is logged, never part of the name. Failures name the line that registered the
 * suite; pass `callSite` so that Deno's own locations (and JUnit classnames) do too.
 *
 * @example
 * ```ts ignore
 * import { defineSuite, registerSuite } from "../mod.ts";
 * // In a *_test.ts file: one Deno.test per case, located in this file.
 * registerSuite(defineSuite({ name: "My driver", cases: myCases }), {
 *   callSite: (register, definition) => register(definition),
 * });
 * ```
 */
export function registerSuite(suite: Suite, options: RegisterOptions = {}): void {
  if (!isSuite(suite)) {
    throw new TypeError(
      "registerSuite needs a suite returned by defineSuite(...), which validates it",
    );
  }
  const at = registeredAt();
  const call: CallSite = options.callSite ?? ((register, definition) => register(definition));
  const providers = providersFor(options.backends ?? backendNames);
  const runOptions: RunOptions = {
    seed: options.seed ?? DEFAULT_SEED,
    costProfile: options.costProfile,
    measuredLatencyBudgets: options.measuredLatencyBudgets,
  };
  for (const testCase of suite.cases) {
    const notRun = notRunReason(testCase);
    // Deno shows such a test as ignored; the reason ("todo: ...") is logged, never in the name.
    if (notRun !== null) console.log(`${testName(testCase)} ignored: ${notRun}`);
    call(Deno.test as (d: Deno.TestDefinition) => unknown, {
      name: testName(testCase),
      ignore: notRun !== null,
      ...(testCase.only ? { only: true } : {}),
      fn: async (t) => {
        const step = t.step.bind(t) as (d: Deno.TestStepDefinition) => unknown;
        const runs: BackendRun[] = [];
        for (const provider of providers) {
          // As the CLI refuses them (exit 2), a hardware case over the locked-memory budget fails
          // here with the figures before its child starts, so nothing is allocated.
          const overBudget = provider.name === "hardware" ? hardwareOverBudget(testCase) : null;
          if (overBudget !== null) {
            await call(step, {
              name: provider.name,
              fn: () => {
                throw new CaseFailure(where(provider.name, at), [
                  `${overBudget}; nothing was allocated. Raise it with ${LOCKED_BUDGET_ENV} ` +
                  `or register the suite with backends: ["simulator"]`,
                ]);
              },
            });
            continue;
          }
          // Run before the step: whether it is ignored is only known once the backend opened.
          const run = await runCaseOn(provider, testCase, runOptions);
          runs.push(run);
          logIgnored(run.backend, run);
          await call(step, {
            name: run.backend,
            ignore: run.status === "ignored",
            fn: async (t) => {
              const inner = t.step.bind(t) as (d: Deno.TestStepDefinition) => unknown;
              // What the backend cannot check is ignored with its reason, never counted as passed.
              for (const { expectation, reason } of run.unchecked) {
                console.log(`${run.backend} › ${expectation} ignored: ${reason}`);
                await call(inner, { name: expectation, ignore: true, fn() {} });
              }
              assertPassed(run, at);
            },
          });
        }
        const check = crossCheck(runs, { calibrated: runOptions.costProfile !== undefined });
        logIgnored("cross-check", check);
        await call(step, {
          name: "cross-check",
          ignore: check.status === "ignored",
          fn: () => assertAgreed(check, at),
        });
      },
    });
  }
}

/** The host's locked-memory budget, read once per process from a briefly opened backend. */
let hostBudget: { limits: BackendLimits; pageSize: number } | null | undefined;

/** Why `testCase` is over the host's budget, or null (also when the helper is unavailable). */
function hardwareOverBudget(testCase: SuiteCase): string | null {
  if (hostBudget === undefined) {
    hostBudget = null;
    if (Deno.permissions.querySync({ name: "ffi" }).state === "granted") {
      try {
        if (helperAvailability().available) {
          using backend = openHostBackend();
          hostBudget = { limits: backend.limits, pageSize: backend.pageSize };
        }
      } catch {
        // The hardware step reports why the backend cannot open.
      }
    }
  }
  return hostBudget === null
    ? null
    : caseOverBudget(testCase, hostBudget.limits, hostBudget.pageSize);
}

function logIgnored(name: string, result: BackendRun | CrossCheck): void {
  if (result.status === "ignored") console.log(`${name} ignored: ${result.reason}`);
  if (result.status === "observed") console.log(`${name} observed: HighAddress not enforced here`);
  // Neither passed nor failed: the step passes, and says why it could not decide.
  if (result.status === "inconclusive") {
    const why = result.notes.filter((n) => n.includes("inconclusive"));
    console.log(`${name} inconclusive: ${why.join("; ")}`);
  }
}

/**
 * Thrown by a failing step, listing every broken expectation rather than the first one.
 *
 * @example
 * ```ts
 * new CaseFailure("simulator", ["byteCount 0 < requested 1920"]).message;
 * ```
 */
export class CaseFailure extends Error {
  constructor(where: string, failures: readonly string[]) {
    super(`${where}:\n  ${failures.join("\n  ")}`);
    this.name = "CaseFailure";
  }
}

function where(name: string, at: string | null): string {
  return at === null ? name : `${name} (suite registered at ${at})`;
}

function assertPassed(run: BackendRun, at: string | null): void {
  if (run.status === "failed") throw new CaseFailure(where(run.backend, at), run.failures);
}

function assertAgreed(check: CrossCheck, at: string | null): void {
  if (check.status === "failed") {
    throw new CaseFailure(
      where("backends diverge", at),
      formatDivergences(check.divergences).split("\n"),
    );
  }
}
