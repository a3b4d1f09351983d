/**
 * The `--json` output, schema `wavert-bench.suite-results/1`: the envelope (host facts, command
 * line), then the whole run report with each run's table figures, its latencies as raw samples
 * and as an encoded HDR histogram (`latencyHdr`, mergeable across runs and machines), each suite's
 * source file, and addresses as hex strings (JSON has no 64-bit integers).
 *
 * @module
 */

import { type RunReport, summarizeRun } from "../suites/results.ts";
import { bigintAsHex, type Envelope } from "../results/envelope.ts";
import { encodeSamples } from "../stats/hdr.ts";

/**
 * What goes around the report in the file.
 *
 * @example
 * ```ts
 * import { envelopeFor } from "../results/envelope.ts";
 * const context: JsonContext = {
 *   envelope: await envelopeFor("suite-results"),
 *   suiteFiles: new Map([["My driver", "my_driver_test.ts"]]),
 * };
 * ```
 */
export interface JsonContext {
  /** Tag, host facts and command line of the file. */
  readonly envelope: Envelope<"suite-results">;
  /** Each suite's source module, by suite name; null where unknown. */
  readonly suiteFiles?: ReadonlyMap<string, string>;
}

/**
 * The suite-results file as a value, before serialisation.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * import { envelopeFor } from "../results/envelope.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * suiteResultsFile(report, { envelope: await envelopeFor("suite-results") }).schema;
 * // "wavert-bench.suite-results/1"
 * ```
 */
export function suiteResultsFile(
  report: RunReport,
  context: JsonContext,
): Envelope<"suite-results"> & Omit<RunReport, "suites"> & { suites: unknown[] } {
  return {
    ...context.envelope,
    ...report,
    suites: report.suites.map((suite) => ({
      ...suite,
      file: context.suiteFiles?.get(suite.name) ?? null,
      cases: suite.cases.map((c) => ({
        ...c,
        runs: c.runs.map((run) => ({
          ...run,
          latencyHdr: run.latencyNs.length === 0 ? null : encodeSamples(run.latencyNs),
          summary: summarizeRun(run),
        })),
      })),
    })),
  };
}

/**
 * Serialises a run report as a suite-results file; bigint values become "0x…" strings.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * import { envelopeFor } from "../results/envelope.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * const json = reportToJson(report, { envelope: await envelopeFor("suite-results") });
 * // '{\n  "schema": "wavert-bench.suite-results/1",\n  "createdAt": ...'
 * ```
 */
export function reportToJson(report: RunReport, context: JsonContext): string {
  return JSON.stringify(suiteResultsFile(report, context), bigintAsHex, 2) + "\n";
}
