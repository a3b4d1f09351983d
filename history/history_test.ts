import assert from "node:assert/strict";
import { openSqliteHistory } from "./sqlite_store.ts";
import { openHistory } from "./open_history.ts";
import { sampleRun } from "./testdata/sample_runs.ts";
import { caseTrends } from "./trends.ts";
import { HISTORY_SCHEMA_VERSION } from "./migrations.ts";
import { DatabaseSync } from "node:sqlite";

const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();

Deno.test("two processes writing one SQLite history at once lose nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/history.sqlite`;
    const writer = (tag: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--allow-run=git",
          new URL("./testdata/sample_runs.ts", import.meta.url).pathname,
          path,
          "40",
          tag,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const results = await Promise.all([writer("first"), writer("second")]);
    for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const store = openSqliteHistory(path);
    const runs = await store.readRuns();
    await store.close();
    assert.equal(runs.length, 80);
    assert.ok(runs.every((run) => run.results.length === 2));
    const db = new DatabaseSync(path);
    assert.equal(
      (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      "wal",
    );
    assert.equal(
      (db.prepare("SELECT MAX(version) AS v FROM wavert_schema").get() as { v: number }).v,
      HISTORY_SCHEMA_VERSION,
    );
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed write leaves no half-written run: one transaction per run", async () => {
  const path = await Deno.makeTempFile({ suffix: ".sqlite" });
  try {
    const store = openSqliteHistory(path);
    const run = await sampleRun(at(0), 1000);
    // The same case twice breaks the primary key on the second result row.
    const broken = { ...run, results: [run.results[0], run.results[0]] };
    await assert.rejects(() => store.insertRun(broken), /UNIQUE|constraint/i);
    assert.equal((await store.readRuns()).length, 0);
    await store.insertRun(run);
    assert.deepEqual(await store.readRuns(), [run]);
    await store.close();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("trends flag a slower latency by Mann–Whitney with effect size, and a new failure", async () => {
  const steady = await Promise.all(
    Array.from({ length: 10 }, (_, i) => sampleRun(at(i), 1000 + (i % 3) * 5)),
  );
  const slower = await Promise.all(
    Array.from({ length: 5 }, (_, i) => sampleRun(at(10 + i), 1300 + (i % 3) * 5)),
  );
  const flagged = caseTrends([...steady, ...slower]);
  assert.equal(flagged.length, 2);
  assert.match(
    flagged[0].regression ?? "",
    /p50 29\.9 % slower \(Mann–Whitney p=0\.0018, effect 1\.00\)/,
  );
  assert.ok(flagged[0].test!.effect >= 0.5);

  const same = await Promise.all(
    Array.from({ length: 5 }, (_, i) => sampleRun(at(10 + i), 1000 + (i % 3) * 5)),
  );
  assert.ok(caseTrends([...steady, ...same]).every((t) => t.regression === null));

  const failed = await sampleRun(at(20), 1000, "failed");
  assert.match(caseTrends([...steady, failed])[0].regression ?? "", /failed after passed/);
  assert.equal(caseTrends(steady.slice(0, 4))[0].note, "too few runs");
});

Deno.test("the history CLI exits 1 on a regression, 2 on a missing file or database", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/h.sqlite`;
    const store = openSqliteHistory(path);
    for (let i = 0; i < 15; i++) {
      await store.insertRun(await sampleRun(at(i), i < 10 ? 1000 : 2000));
    }
    await store.close();
    const cli = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--allow-net=127.0.0.1",
          new URL("../cli/history.ts", import.meta.url).pathname,
          ...args,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
    };
    const run = await cli(path, "--html", `${dir}/history.html`);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^REGRESSION Sample › a case › simulator/m);
    assert.match(await Deno.readTextFile(`${dir}/history.html`), /<svg[^>]*>.*polyline/s);
    const missing = await cli(`${dir}/none.sqlite`);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    const unreachable = await cli("postgres://nobody@127.0.0.1:9/none");
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr.trim(), /^history: postgres:\/\/\S+: PostgreSQL unreachable/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("opening an unreachable PostgreSQL history fails in one line", async () => {
  await assert.rejects(
    () => openHistory("postgres://nobody@127.0.0.1:9/none"),
    /^Error: PostgreSQL unreachable or refused: connect ECONNREFUSED/,
  );
});
