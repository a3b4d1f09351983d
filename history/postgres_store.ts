/**
 * The results history in PostgreSQL (the `postgres` npm client): the same tables as SQLite,
 * migrations under an advisory lock so that two processes migrate once, one transaction per run.
 *
 * @module
 */

import postgres from "npm:postgres@3.4.9";
import { pendingMigrations } from "./migrations.ts";
import type { HistoryRun, HistoryStore } from "./model.ts";
import { assembleRuns, runInserts } from "./row_mapping.ts";

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
      let version = Number(row?.v ?? 0);
      for (const migration of pendingMigrations("postgres", version)) {
        for (const statement of migration.split(";")) await tx.unsafe(statement);
        await tx.unsafe("INSERT INTO wavert_schema (version) VALUES ($1)", [++version]);
      }
    });
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw error;
  }
  return {
    async insertRun(run: HistoryRun): Promise<void> {
      await sql.begin(async (tx) => {
        for (const insert of runInserts(run, (i) => `$${i + 1}`)) {
          await tx.unsafe(insert.sql, [...insert.values]);
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
