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
import { testName } from "./run_suites.ts";

/** Options of {@linkcode registerSuite}. */
export interface RegisterOptions extends Partial<RunOptions> {
  /** Backends to run on. Default: all of them, each ignored with its reason where unavailable. */
  readonly backends?: readonly BackendName[];
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
 * Registers one `Deno.test` per case. A backend that cannot run a case, and a cross-check with
 * fewer than two backends, become ignored steps whose names carry the reason.
 *
 * @example
 * ```ts ignore
 * import { defineSuite, registerSuite } from "../mod.ts";
 * // In a *_test.ts file: one Deno.test per case.
 * registerSuite(defineSuite({ name: "My driver", cases: myCases }));
 * ```
 */
export function registerSuite(suite: Suite, options: RegisterOptions = {}): void {
  if (!isSuite(suite)) {
    throw new TypeError(
      "registerSuite needs a suite returned by defineSuite(...), which validates it",
    );
  }
  const providers = providersFor(options.backends ?? backendNames);
  const runOptions: RunOptions = {
    seed: options.seed ?? DEFAULT_SEED,
    costProfile: options.costProfile,
    measuredLatencyBudgets: options.measuredLatencyBudgets,
  };
  for (const testCase of suite.cases) {
    Deno.test(testName(testCase), async (t) => {
      const runs: BackendRun[] = [];
      for (const provider of providers) {
        // Run before the step: whether the step is ignored is only known once the backend opened.
        const run = await provider.run(testCase, runOptions);
        runs.push(run);
        await t.step({
          name: stepName(run.backend, run),
          ignore: run.status === "ignored",
          fn: async (t) => {
            // What the backend cannot check is ignored with its reason, never counted as passed.
            for (const { expectation, reason } of run.unchecked) {
              await t.step({ name: `${expectation} (ignored: ${reason})`, ignore: true, fn() {} });
            }
            assertPassed(run);
          },
        });
      }
      const check = crossCheck(runs, { calibrated: runOptions.costProfile !== undefined });
      await t.step({
        name: stepName("cross-check", check),
        ignore: check.status === "ignored",
        fn: () => assertAgreed(check),
      });
    });
  }
}

function stepName(name: string, result: BackendRun | CrossCheck): string {
  if (result.status === "observed") return `${name} (observed: HighAddress not enforced here)`;
  return result.status === "ignored" ? `${name} (ignored: ${result.reason})` : name;
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

function assertPassed(run: BackendRun): void {
  if (run.status === "failed") throw new CaseFailure(run.backend, run.failures);
}

function assertAgreed(check: CrossCheck): void {
  if (check.status === "failed") {
    throw new CaseFailure("backends diverge", formatDivergences(check.divergences).split("\n"));
  }
}
