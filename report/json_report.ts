/**
 * The `--json` output: the whole run report with each run's table figures, addresses as hex
 * strings (JSON has no 64-bit integers).
 *
 * @module
 */

import { type RunReport, summarizeRun } from "../suites/results.ts";

/**
 * Serialises a run report; bigint values become "0x…" strings.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * const json = reportToJson(report); // '{\n  "seed": 1,\n  "startedAt": ...'
 * ```
 */
export function reportToJson(report: RunReport): string {
  const withSummaries = {
    ...report,
    suites: report.suites.map((suite) => ({
      ...suite,
      cases: suite.cases.map((c) => ({
        ...c,
        runs: c.runs.map((run) => ({ ...run, summary: summarizeRun(run) })),
      })),
    })),
  };
  return JSON.stringify(
    withSummaries,
    (_key, value) => typeof value === "bigint" ? "0x" + value.toString(16).toUpperCase() : value,
    2,
  ) + "\n";
}
