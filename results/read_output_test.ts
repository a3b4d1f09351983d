import assert from "node:assert/strict";
import { envelopeFor } from "./envelope.ts";
import { OutputFileError, parseOutput } from "./read_output.ts";
import { reportToJson } from "../report/json_report.ts";
import { runSuites } from "../suites/run_suites.ts";
import { simulatorProvider } from "../suites/backends.ts";
import { commonFormats } from "../suites/bundled.ts";

const root = new URL("..", import.meta.url);

Deno.test("a suite-results file the CLI writes validates, with host facts and an HDR per run", async () => {
  const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
  const value = JSON.parse(reportToJson(report, { envelope: await envelopeFor("suite-results") }));
  const file = parseOutput(value, "suite-results", "results.json");
  assert.equal(file.host.denoVersion.value, Deno.version.deno);
  assert.ok(file.command.length >= 2);
  assert.match(file.suites[0].cases[0].runs[0].latencyHdr ?? "", /^HISTF/);
  // Broken on purpose: each problem is one line naming the file and the field.
  delete value.suites[0].cases[0].runs[0].summary;
  assert.throws(
    () => parseOutput(value, "suite-results", "results.json"),
    (e) =>
      e instanceof OutputFileError &&
      /^results\.json: suites\.0\.cases\.0\.runs\.0\.summary: /.test(e.message) &&
      !e.message.includes("\n"),
  );
  assert.throws(
    () =>
      parseOutput({ ...value, schema: "wavert-bench.suite-results/0" }, "suite-results", "r.json"),
    /^OutputFileError: r\.json: schema "wavert-bench\.suite-results\/0", expected "wavert-bench\.suite-results\/1"$/,
  );
});

Deno.test("a baseline with the right tag but no backends is refused in one line, exit 2, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const envelope = await envelopeFor("latency-sweep");
    await Deno.writeTextFile(
      `${dir}/base.json`,
      JSON.stringify({ ...envelope, zeroing: { bytesPerSecond: 1, nsPerPage: 1 }, skipped: {} }),
    );
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        `--allow-write=${dir}`,
        "--allow-ffi",
        "--allow-env",
        "cli/bench.ts",
        "--out",
        `${dir}/out`,
        "--baseline",
        `${dir}/base.json`,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 2, stderr);
    assert.match(stderr, /^bench: --baseline \S+base\.json: backends: /);
    assert.equal(stderr.split("\n").length, 1);
    assert.ok(performance.now() - started < 15_000, "refused before the sweep");
    await assert.rejects(() => Deno.stat(`${dir}/out`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
