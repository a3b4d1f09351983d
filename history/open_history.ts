/**
 * `--history FILE|URL`: a `postgres://` or `postgresql://` URL opens PostgreSQL, anything else a
 * SQLite file. Opening checks the connection and migrates, so an unreachable database is refused
 * before any work.
 *
 * @module
 */

import type { Envelope } from "../results/envelope.ts";
import type { RunReport } from "../suites/results.ts";
import { type HistoryStore, toHistoryRun } from "./model.ts";
import { openPostgresHistory } from "./postgres_store.ts";
import { openSqliteHistory } from "./sqlite_store.ts";

/**
 * A history opened for the CLI: stores whole run reports.
 *
 * @example
 * ```ts ignore
 * const history = await openHistory("out/history.sqlite");
 * await history.store(report, { envelope });
 * await history.close();
 * ```
 */
export interface OpenedHistory extends HistoryStore {
  store(report: RunReport, context: { envelope: Envelope<"suite-results"> }): Promise<void>;
}

/**
 * Whether `target` names a PostgreSQL database rather than a SQLite file.
 *
 * @example
 * ```ts
 * isPostgresUrl("postgres://u@127.0.0.1/db"); // true
 * isPostgresUrl("out/history.sqlite"); // false
 * ```
 */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * Opens the history at `target`; rejects with a one-line reason when it cannot.
 *
 * @example
 * ```ts
 * const path = await Deno.makeTempFile({ suffix: ".sqlite" });
 * const history = await openHistory(path);
 * await history.close();
 * ```
 */
export async function openHistory(target: string): Promise<OpenedHistory> {
  let store: HistoryStore;
  try {
    store = isPostgresUrl(target) ? await openPostgresHistory(target) : openSqliteHistory(target);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const what = isPostgresUrl(target) ? "PostgreSQL unreachable or refused" : "cannot open";
    throw new Error(`${what}: ${message.split("\n")[0]}`);
  }
  return {
    ...store,
    store: (report, { envelope }) => store.insertRun(toHistoryRun(report, envelope)),
  };
}
