/**
 * The results history in PostgreSQL (the `postgres` npm client): the same tables as SQLite,
 * migrations under an advisory lock so that two processes migrate once, one transaction per run.
 *
 * @module
 */

import postgres from "npm:postgres@3.4.9";
import { HISTORY_SCHEMA_VERSION, migrations, RESULT_COLUMNS } from "./migrations.ts";
import type { HistoryRun, HistoryStore } from "./model.ts";
import { assembleRuns, resultValues } from "./row_mapping.ts";

/** Arbitrary constant key of the advisory lock migrations hold. */
const MIGRATION_LOCK = 16_0616;

/**
 * Connects to a PostgreSQL history (creating and migrating its tables when needed); an
 * unreachable server or a refused login rejects with the driver's message.
 *
 * @example
 * ```ts ignore
 * const store = await openPostgresHistory("postgres://postgres@127.0.0.1:5432/postgres");
 * console.log((await store.readRuns()).length);
 * await store.close();
 * ```
 */
export async function openPostgresHistory(url: string): Promise<HistoryStore> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {}, idle_timeout: 0 });
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.unsafe("CREATE TABLE IF NOT EXISTS wavert_schema (version INTEGER NOT NULL)");
      const [row] = await tx.unsafe("SELECT MAX(version) AS v FROM wavert_schema");
      const current = Number(row?.v ?? 0);
      if (current > HISTORY_SCHEMA_VERSION) {
        throw new Error(
          `schema version ${current} is newer than this wavert-bench (${HISTORY_SCHEMA_VERSION})`,
        );
      }
      const steps = migrations("postgres");
      for (let v = current; v < steps.length; v++) {
        for (const statement of steps[v].split(";")) await tx.unsafe(statement);
        await tx.unsafe("INSERT INTO wavert_schema (version) VALUES ($1)", [v + 1]);
      }
    });
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw error;
  }
  const placeholders = RESULT_COLUMNS.map((_, i) => `$${i + 2}`).join(", ");
  return {
    async insertRun(run: HistoryRun): Promise<void> {
      await sql.begin(async (tx) => {
        await tx.unsafe(
          `INSERT INTO wavert_runs (id, created_at, seed, hostname, project_version, git_commit,
             host, command) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            run.id,
            run.createdAt,
            run.seed,
            run.hostname,
            run.projectVersion,
            run.gitCommit,
            JSON.stringify(run.host),
            JSON.stringify(run.command),
          ],
        );
        for (const result of run.results) {
          await tx.unsafe(
            `INSERT INTO wavert_results (run_id, ${RESULT_COLUMNS.join(", ")})
             VALUES ($1, ${placeholders})`,
            [run.id, ...resultValues(result)],
          );
        }
      });
    },
    async readRuns(): Promise<HistoryRun[]> {
      const runs = await sql.unsafe("SELECT * FROM wavert_runs ORDER BY created_at, id");
      const results = await sql.unsafe("SELECT * FROM wavert_results");
      return assembleRuns(runs, results);
    },
    async close(): Promise<void> {
      await sql.end({ timeout: 5 });
    },
  };
}
