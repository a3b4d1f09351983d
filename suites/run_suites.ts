/**
 * Runs whole suites outside `deno test`, for the CLI: every selected case on every backend, then
 * the cross-check, reporting progress as it goes.
 *
 * @module
 */

import { backendNames, type BackendProvider, type RunOptions } from "./backends.ts";
import { crossCheck } from "./cross_check.ts";
import type { Suite, SuiteCase } from "./suite_model.ts";
import { type BackendRun, type CaseReport, ignoredRun, type RunReport } from "./results.ts";

/** Options of {@linkcode runSuites}. */
export interface RunSuitesOptions extends RunOptions {
  /** The backends to run every case on, in order; two or more make a cross-check. */
  readonly providers: readonly BackendProvider[];
  /** Keeps cases whose "suite › case" name matches, as `deno test --filter` does. */
  readonly filter?: string;
  /** Called after each case on each backend, with how many of all such runs are done. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

/**
 * Runs the selected cases and returns everything the tables and reports need.
 *
 * @example
 * ```ts
 * import { bundledSuites, simulatorProvider } from "../mod.ts";
 * const report = await runSuites(bundledSuites, { seed: 1, providers: [simulatorProvider] });
 * report.suites.length; // 6
 * ```
 */
export async function runSuites(
  suites: readonly Suite[],
  options: RunSuitesOptions,
): Promise<RunReport> {
  // As `deno test`: when any case says `only`, only those run.
  const anyOnly = suites.some((suite) => suite.cases.some((c) => c.only));
  const selected = suites
    .map((suite) => ({
      name: suite.name,
      cases: suite.cases.filter((c) => matches(c, options) && (!anyOnly || c.only)),
    }))
    .filter((suite) => suite.cases.length > 0);
  const total = selected.reduce((n, s) => n + s.cases.length, 0) * options.providers.length;
  let done = 0;
  const reports = [];
  for (const suite of selected) {
    const cases: CaseReport[] = [];
    for (const testCase of suite.cases) {
      const runs: BackendRun[] = [];
      for (const provider of options.providers) {
        runs.push(await runCaseOn(provider, testCase, options));
        options.onProgress?.(++done, total, `${testName(testCase)} on ${provider.name}`);
      }
      cases.push({
        suite: suite.name,
        case: testCase.name,
        runs,
        crossCheck: crossCheck(runs, { calibrated: options.costProfile !== undefined }),
      });
    }
    const seeds = [...new Set(suite.cases.map((c) => c.conditions.seed ?? options.seed))];
    reports.push({ name: suite.name, cases, seeds: seeds.sort((a, b) => a - b) });
  }
  return {
    seed: options.seed,
    startedAt: new Date().toISOString(),
    backends: options.providers.map((p) => p.name).filter((n) => backendNames.includes(n)),
    suites: reports,
  };
}

/**
 * Why a case does not run at all (`skip` or `todo`), as the reason its runs show; null when it
 * runs.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * notRunReason({ ...commonFormats.cases[0], todo: "needs the Windows bridge" });
 * // "todo: needs the Windows bridge"
 * ```
 */
export function notRunReason(testCase: SuiteCase): string | null {
  if (testCase.todo !== undefined) {
    return testCase.todo === "todo" ? "todo" : `todo: ${testCase.todo}`;
  }
  if (testCase.skip !== undefined) {
    return testCase.skip === "skipped" ? "skipped" : `skipped: ${testCase.skip}`;
  }
  return null;
}

/**
 * Runs a case on one provider, unless the case is skipped, to do, or names other `backends`:
 * then the run is ignored with that reason.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "./backends.ts";
 * import { commonFormats } from "./bundled.ts";
 * const run = await runCaseOn(simulatorProvider, { ...commonFormats.cases[1], skip: "flaky" }, {
 *   seed: 1,
 * });
 * run.reason; // "skipped: flaky"
 * ```
 */
export function runCaseOn(
  provider: BackendProvider,
  testCase: SuiteCase,
  options: RunOptions,
): Promise<BackendRun> {
  const notRun = notRunReason(testCase);
  if (notRun !== null) return Promise.resolve(ignoredRun(provider.name, notRun));
  if (testCase.backends !== undefined && !testCase.backends.includes(provider.name)) {
    return Promise.resolve(
      ignoredRun(provider.name, `the case runs on ${testCase.backends.join(", ")} only`),
    );
  }
  return provider.run(testCase, options);
}

/**
 * The seeds a run used, for its summary: "seed 1" when every case ran with the run's seed,
 * otherwise each suite with its own ("seeds: Formats 1; Pressure 1, 42").
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "./backends.ts";
 * import { pressure } from "./bundled.ts";
 * const report = await runSuites([pressure], { seed: 1, providers: [simulatorProvider] });
 * describeSeeds(report); // "seeds: Memory pressure and fault injection 1, 42"
 * ```
 */
export function describeSeeds(report: RunReport): string {
  const all = new Set(report.suites.flatMap((s) => s.seeds ?? [report.seed]));
  if (all.size <= 1) return `seed ${[...all][0] ?? report.seed}`;
  return "seeds: " +
    report.suites.map((s) => `${s.name} ${(s.seeds ?? [report.seed]).join(", ")}`).join("; ");
}

/**
 * The `Deno.test` name of a case, also what `--filter` matches against.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * testName(commonFormats.cases[0]); // "Common WaveRT formats › 48 kHz stereo 16-bit 10 ms"
 * ```
 */
export function testName(testCase: SuiteCase): string {
  return `${testCase.suite} › ${testCase.name}`;
}

/**
 * Whether a run report holds a failed backend run or cross-check (ignored ones do not count).
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "./bundled.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * Deno.exitCode = hasFailures(report) ? 1 : 0; // 0
 * ```
 */
export function hasFailures(report: RunReport): boolean {
  return report.suites.some((s) =>
    s.cases.some((c) =>
      c.crossCheck.status === "failed" || c.runs.some((r) => r.status === "failed")
    )
  );
}

/** `deno test --filter` semantics: a substring, or a regular expression between slashes. */
function matches(testCase: SuiteCase, options: RunSuitesOptions): boolean {
  const filter = options.filter;
  if (filter === undefined || filter === "") return true;
  const name = testName(testCase);
  const regex = /^\/(.*)\/$/.exec(filter);
  return regex ? new RegExp(regex[1]).test(name) : name.includes(filter);
}
