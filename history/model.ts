/**
 * What the results history keeps of a run: its envelope (when, where, which command) and, per
 * case and backend, the verdict and the figures a trend needs, latency as an HDR histogram.
 *
 * @module
 */

import type { HostFacts } from "../results/host_facts.ts";
import type { Envelope } from "../results/envelope.ts";
import { type RunReport, summarizeRun } from "../suites/results.ts";
import { encodeSamples } from "../stats/hdr.ts";

/**
 * One case on one backend in one stored run.
 *
 * @example
 * ```ts
 * const row: HistoryResult = {
 *   suite: "S", case: "c", backend: "simulator", verdict: "passed", reason: null, bytes: 4096,
 *   pages: 1, contiguousRuns: 1, p50Ns: 1200, p99Ns: 1500, samples: 100, latencyHdr: null,
 * };
 * ```
 */
export interface HistoryResult {
  readonly suite: string;
  readonly case: string;
  readonly backend: string;
  readonly verdict: string;
  readonly reason: string | null;
  readonly bytes: number | null;
  readonly pages: number;
  readonly contiguousRuns: number | null;
  readonly p50Ns: number | null;
  readonly p99Ns: number | null;
  readonly samples: number;
  readonly latencyHdr: string | null;
}

/**
 * One stored run.
 *
 * @example
 * ```ts
 * function failures(run: HistoryRun) {
 *   return run.results.filter((r) => r.verdict === "failed");
 * }
 * ```
 */
export interface HistoryRun {
  readonly id: string;
  readonly createdAt: string;
  readonly seed: number;
  readonly hostname: string | null;
  readonly projectVersion: string | null;
  readonly gitCommit: string | null;
  readonly host: HostFacts;
  readonly command: readonly string[];
  readonly results: readonly HistoryResult[];
}

/**
 * Where runs are stored: SQLite or PostgreSQL, with the same behaviour.
 *
 * @example
 * ```ts ignore
 * const store: HistoryStore = await openHistory("out/history.sqlite");
 * await store.insertRun(run); // one transaction: the whole run or nothing
 * ```
 */
export interface HistoryStore {
  /** Stores a run in one transaction: on any error nothing of it is kept. */
  insertRun(run: HistoryRun): Promise<void>;
  /** Every run, oldest first (by createdAt, then id), results in a stable order. */
  readRuns(): Promise<HistoryRun[]>;
  close(): Promise<void>;
}

/**
 * The history record of a CLI run.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * import { envelopeFor } from "../results/envelope.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * toHistoryRun(report, await envelopeFor("suite-results")).results[0].backend; // "simulator"
 * ```
 */
export function toHistoryRun(report: RunReport, envelope: Envelope<"suite-results">): HistoryRun {
  return {
    id: crypto.randomUUID(),
    createdAt: envelope.createdAt,
    seed: report.seed,
    hostname: envelope.host.hostname.value,
    projectVersion: envelope.host.projectVersion.value,
    gitCommit: envelope.host.gitCommit.value,
    host: envelope.host,
    command: envelope.command,
    results: report.suites.flatMap((suite) =>
      suite.cases.flatMap((c) =>
        c.runs.map((run) => {
          const summary = summarizeRun(run);
          return {
            suite: suite.name,
            case: c.case,
            backend: run.backend,
            verdict: run.status,
            reason: run.reason ?? null,
            bytes: summary.bytes,
            pages: summary.pages,
            contiguousRuns: summary.runs,
            p50Ns: summary.p50Ns,
            p99Ns: summary.p99Ns,
            samples: run.latencyNs.length,
            latencyHdr: run.latencyNs.length === 0 ? null : encodeSamples(run.latencyNs),
          };
        })
      )
    ),
  };
}

/**
 * Results in the order both stores return them.
 *
 * @example
 * ```ts
 * sortResults([]); // []
 * ```
 */
export function sortResults(results: readonly HistoryResult[]): HistoryResult[] {
  const key = (r: HistoryResult) => [r.suite, r.case, r.backend];
  return [...results].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
}
