/**
 * Rows to runs and back, the same for SQLite and PostgreSQL so that a run reads back identically
 * from either.
 *
 * @module
 */

import { RESULT_COLUMNS, RUN_COLUMNS } from "./migrations.ts";
import type { HistoryResult, HistoryRun } from "./model.ts";
import { sortResults } from "./model.ts";

type Value = string | number | null;

const orNull = (v: unknown): number | null => v === null || v === undefined ? null : Number(v);

/**
 * The values of a result row, in `RESULT_COLUMNS` order.
 *
 * @example
 * ```ts
 * resultValues({
 *   suite: "S", case: "c", backend: "simulator", verdict: "passed", reason: null, bytes: 4096,
 *   pages: 1, contiguousRuns: 1, p50Ns: 1200, p99Ns: 1500, samples: 100, latencyHdr: null,
 * }).length; // 12
 * ```
 */
export function resultValues(r: HistoryResult): Value[] {
  return [
    r.suite,
    r.case,
    r.backend,
    r.verdict,
    r.reason,
    r.bytes,
    r.pages,
    r.contiguousRuns,
    r.p50Ns,
    r.p99Ns,
    r.samples,
    r.latencyHdr,
  ];
}

// The values of a run row, in RUN_COLUMNS order (host facts and command line as JSON).
function runValues(run: HistoryRun): Value[] {
  return [
    run.id,
    run.createdAt,
    run.seed,
    run.hostname,
    run.projectVersion,
    run.gitCommit,
    JSON.stringify(run.host),
    JSON.stringify(run.command),
  ];
}

/** One INSERT statement and the values of its placeholders. */
export interface Insert {
  /** The statement, with the dialect's placeholders. */
  readonly sql: string;
  /** The values, in placeholder order. */
  readonly values: readonly Value[];
}

/**
 * The INSERTs that store a run: its row, then one row per result. `placeholder(i)` writes the
 * dialect's i-th placeholder (from 0): `?` for SQLite, `$1`, `$2`, … for PostgreSQL.
 *
 * @example
 * ```ts
 * import type { HistoryRun } from "./model.ts";
 * const sqliteStatements = (run: HistoryRun) => runInserts(run, () => "?").map((i) => i.sql);
 * ```
 */
export function runInserts(run: HistoryRun, placeholder: (index: number) => string): Insert[] {
  const insert = (table: string, columns: readonly string[], values: Value[]): Insert => ({
    sql: `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${
      columns.map((_, i) => placeholder(i)).join(", ")
    })`,
    values,
  });
  return [
    insert("wavert_runs", RUN_COLUMNS, runValues(run)),
    ...run.results.map((result) =>
      insert("wavert_results", ["run_id", ...RESULT_COLUMNS], [run.id, ...resultValues(result)])
    ),
  ];
}

/**
 * Runs from the rows of `wavert_runs` and `wavert_results` (numbers may come back as strings
 * from PostgreSQL's BIGINT).
 *
 * @example
 * ```ts
 * assembleRuns([], []); // []
 * ```
 */
export function assembleRuns(
  runRows: readonly Record<string, unknown>[],
  resultRows: readonly Record<string, unknown>[],
): HistoryRun[] {
  const byRun = new Map<string, HistoryResult[]>();
  for (const row of resultRows) {
    const list = byRun.get(String(row.run_id)) ?? [];
    list.push({
      suite: String(row.suite),
      case: String(row.case_name),
      backend: String(row.backend),
      verdict: String(row.verdict),
      reason: row.reason === null ? null : String(row.reason),
      bytes: orNull(row.bytes),
      pages: Number(row.pages),
      contiguousRuns: orNull(row.contiguous_runs),
      p50Ns: orNull(row.p50_ns),
      p99Ns: orNull(row.p99_ns),
      samples: Number(row.samples),
      latencyHdr: row.latency_hdr === null ? null : String(row.latency_hdr),
    });
    byRun.set(String(row.run_id), list);
  }
  return runRows.map((row) => ({
    id: String(row.id),
    createdAt: String(row.created_at),
    seed: Number(row.seed),
    hostname: row.hostname === null ? null : String(row.hostname),
    projectVersion: row.project_version === null ? null : String(row.project_version),
    gitCommit: row.git_commit === null ? null : String(row.git_commit),
    host: JSON.parse(String(row.host)),
    command: JSON.parse(String(row.command)),
    results: sortResults(byRun.get(String(row.id)) ?? []),
  }));
}
