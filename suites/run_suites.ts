/**
 * Runs whole suites outside `deno test`, for the CLI: every selected case on every backend, then
 * the cross-check, reporting progress as it goes.
 *
 * @module
 */

import { backendNames, type BackendProvider, type RunOptions } from "./backends.ts";
import { crossCheck } from "./cross_check.ts";
import type { Suite, SuiteCase } from "./suite_model.ts";
import type { BackendRun, CaseReport, RunReport } from "./results.ts";

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
  const selected = suites
    .map((suite) => ({ name: suite.name, cases: suite.cases.filter((c) => matches(c, options)) }))
    .filter((suite) => suite.cases.length > 0);
  const total = selected.reduce((n, s) => n + s.cases.length, 0) * options.providers.length;
  let done = 0;
  const reports = [];
  for (const suite of selected) {
    const cases: CaseReport[] = [];
    for (const testCase of suite.cases) {
      const runs: BackendRun[] = [];
      for (const provider of options.providers) {
        runs.push(await provider.run(testCase, options));
        options.onProgress?.(++done, total, `${testName(testCase)} on ${provider.name}`);
      }
      cases.push({
        suite: suite.name,
        case: testCase.name,
        runs,
        crossCheck: crossCheck(runs, { calibrated: options.costProfile !== undefined }),
      });
    }
    reports.push({ name: suite.name, cases });
  }
  return {
    seed: options.seed,
    startedAt: new Date().toISOString(),
    backends: options.providers.map((p) => p.name).filter((n) => backendNames.includes(n)),
    suites: reports,
  };
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
