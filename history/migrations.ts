/**
 * The history's versioned schema: migrations applied in order, each once, recorded in
 * `wavert_schema(version)`. The same tables in SQLite and PostgreSQL; only types differ.
 *
 * @module
 */

/**
 * SQL of each migration, for a dialect; migration i brings the schema to version i + 1.
 *
 * @example
 * ```ts
 * migrations("sqlite").length; // 2
 * ```
 */
export function migrations(dialect: "sqlite" | "postgres"): string[] {
  const integer = dialect === "sqlite" ? "INTEGER" : "BIGINT";
  const real = dialect === "sqlite" ? "REAL" : "DOUBLE PRECISION";
  return [
    `CREATE TABLE wavert_runs (
       id TEXT PRIMARY KEY,
       created_at TEXT NOT NULL,
       seed ${integer} NOT NULL,
       hostname TEXT,
       project_version TEXT,
       git_commit TEXT,
       host TEXT NOT NULL,
       command TEXT NOT NULL
     );
     CREATE TABLE wavert_results (
       run_id TEXT NOT NULL REFERENCES wavert_runs(id),
       suite TEXT NOT NULL,
       case_name TEXT NOT NULL,
       backend TEXT NOT NULL,
       verdict TEXT NOT NULL,
       reason TEXT,
       bytes ${integer},
       pages ${integer} NOT NULL,
       contiguous_runs ${integer},
       p50_ns ${real},
       p99_ns ${real},
       samples ${integer} NOT NULL,
       latency_hdr TEXT,
       PRIMARY KEY (run_id, suite, case_name, backend)
     )`,
    `CREATE INDEX wavert_results_case ON wavert_results (suite, case_name, backend);
     CREATE INDEX wavert_runs_created ON wavert_runs (created_at)`,
  ];
}

/**
 * The schema version this code writes and reads.
 *
 * @example
 * ```ts
 * HISTORY_SCHEMA_VERSION; // 2
 * ```
 */
export const HISTORY_SCHEMA_VERSION = 2;

/**
 * The migrations a history at schema version `current` still needs, in order; a history newer
 * than this code is refused.
 *
 * @example
 * ```ts
 * pendingMigrations("sqlite", 1).length; // 1
 * ```
 */
export function pendingMigrations(dialect: "sqlite" | "postgres", current: number): string[] {
  if (current > HISTORY_SCHEMA_VERSION) {
    throw new Error(
      `schema version ${current} is newer than this wavert-bench (${HISTORY_SCHEMA_VERSION})`,
    );
  }
  return migrations(dialect).slice(current);
}

/**
 * Column order of a run row, shared by both stores' INSERT.
 *
 * @example
 * ```ts
 * RUN_COLUMNS.join(", "); // "id, created_at, seed, hostname, ..."
 * ```
 */
export const RUN_COLUMNS = [
  "id",
  "created_at",
  "seed",
  "hostname",
  "project_version",
  "git_commit",
  "host",
  "command",
] as const;

/**
 * Column order of a result row, shared by both stores' INSERT and SELECT.
 *
 * @example
 * ```ts
 * RESULT_COLUMNS.join(", "); // "suite, case_name, backend, verdict, ..."
 * ```
 */
export const RESULT_COLUMNS = [
  "suite",
  "case_name",
  "backend",
  "verdict",
  "reason",
  "bytes",
  "pages",
  "contiguous_runs",
  "p50_ns",
  "p99_ns",
  "samples",
  "latency_hdr",
] as const;
