/**
 * The results history in a SQLite file (`node:sqlite`): WAL journal, a busy timeout so that two
 * processes writing at once wait for each other instead of failing, and one `BEGIN IMMEDIATE`
 * transaction per run.
 *
 * @module
 */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pendingMigrations } from "./migrations.ts";
import type { HistoryRun, HistoryStore } from "./model.ts";
import { assembleRuns, runInserts } from "./row_mapping.ts";

function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Opens (creating and migrating when needed) a SQLite history file.
 *
 * @example
 * ```ts
 * const path = await Deno.makeTempFile({ suffix: ".sqlite" });
 * const store = openSqliteHistory(path);
 * (await store.readRuns()).length; // 0
 * await store.close();
 * ```
 */
export function openSqliteHistory(path: string): HistoryStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 30000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON");
    inTransaction(db, () => {
      db.exec("CREATE TABLE IF NOT EXISTS wavert_schema (version INTEGER NOT NULL)");
      const row = db.prepare("SELECT MAX(version) AS v FROM wavert_schema").get() as
        | { v: number | null }
        | undefined;
      let version = row?.v ?? 0;
      for (const migration of pendingMigrations("sqlite", version)) {
        db.exec(migration);
        db.prepare("INSERT INTO wavert_schema (version) VALUES (?)").run(++version);
      }
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    async insertRun(run: HistoryRun): Promise<void> {
      inTransaction(db, () => {
        for (const insert of runInserts(run, () => "?")) {
          db.prepare(insert.sql).run(...insert.values);
        }
      });
      await Promise.resolve();
    },
    readRuns(): Promise<HistoryRun[]> {
      const runs = db.prepare("SELECT * FROM wavert_runs ORDER BY created_at, id").all();
      const results = db.prepare("SELECT * FROM wavert_results").all();
      return Promise.resolve(assembleRuns(runs, results));
    },
    close(): Promise<void> {
      db.close();
      return Promise.resolve();
    },
  };
}
