/**
 * The PostgreSQL history against a real server: .ci/run starts a throwaway one and exports its
 * URL in WAVERT_TEST_POSTGRES_URL; without it these tests are ignored with that reason.
 *
 * @module
 */

import assert from "node:assert/strict";
import postgres from "npm:postgres@3.4.9";
import { openPostgresHistory } from "./postgres_store.ts";
import { openSqliteHistory } from "./sqlite_store.ts";
import { sampleRun } from "./testdata/sample_runs.ts";

const url = Deno.env.get("WAVERT_TEST_POSTGRES_URL");
const ignore = url === undefined;
if (ignore) {
  console.log(
    "PostgreSQL history tests ignored: WAVERT_TEST_POSTGRES_URL is not set (.ci/run starts a " +
      "throwaway server and sets it)",
  );
}

/** A fresh database per test, dropped afterwards. */
async function withDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  const admin = postgres(url!, { max: 1, onnotice: () => {} });
  const name = `wavert_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  try {
    const target = new URL(url!);
    target.pathname = `/${name}`;
    await fn(target.href);
  } finally {
    await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

Deno.test({
  name: "a run stored in SQLite and in PostgreSQL reads back identically",
  ignore,
  fn: () =>
    withDatabase(async (target) => {
      const runs = [
        await sampleRun("2026-01-01T00:00:00.000Z", 1000),
        await sampleRun("2026-01-02T00:00:00.000Z", 1234.5, "failed"),
      ];
      const pg = await openPostgresHistory(target);
      const path = await Deno.makeTempFile({ suffix: ".sqlite" });
      const lite = openSqliteHistory(path);
      try {
        for (const run of runs) {
          await pg.insertRun(run);
          await lite.insertRun(run);
        }
        const [fromPg, fromLite] = [await pg.readRuns(), await lite.readRuns()];
        assert.deepEqual(fromPg, fromLite);
        assert.deepEqual(fromPg, runs);
      } finally {
        await pg.close();
        await lite.close();
        await Deno.remove(path);
      }
    }),
});

Deno.test({
  name: "PostgreSQL: a failed write leaves no half-written run; reopening does not re-migrate",
  ignore,
  fn: () =>
    withDatabase(async (target) => {
      const pg = await openPostgresHistory(target);
      const run = await sampleRun("2026-01-01T00:00:00.000Z", 1000);
      await assert.rejects(
        () => pg.insertRun({ ...run, results: [run.results[0], run.results[0]] }),
        /duplicate key/,
      );
      assert.equal((await pg.readRuns()).length, 0);
      await pg.close();
      const again = await openPostgresHistory(target);
      await again.insertRun(run);
      assert.deepEqual(await again.readRuns(), [run]);
      await again.close();
    }),
});
