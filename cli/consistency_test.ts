/**
 * Every task has a description and shares the helper build as a dependency; every CLI answers
 * --help without running anything; the fuzz report carries the versioned envelope; the report
 * CLI prints HDR percentile distributions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readOutput } from "../results/read_output.ts";

const root = new URL("..", import.meta.url);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function run(script: string, ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(script, root).pathname, ...args],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("every task has a description; the helper build is a dependency, not a prefix", () => {
  const { tasks } = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root)));
  for (const [name, task] of Object.entries<{ command: string; description?: string }>(tasks)) {
    assert.equal(typeof task, "object", `${name} is a bare string`);
    assert.ok((task.description ?? "").length > 10, `${name} has no description`);
    if (name !== "build:ffi") {
      assert.doesNotMatch(task.command, /ffi\/build\.ts/, `${name} repeats the build step`);
    }
  }
  assert.match(tasks["build:ffi"].command, /--if-outdated$/);
  for (const name of ["demo", "test", "bench", "fuzz"]) {
    assert.deepEqual(tasks[name].dependencies, ["build:ffi"], name);
  }
  // The bench task's CLI sees the options first and runs `deno bench` itself.
  assert.match(tasks.bench.command, /^deno run .* cli\/bench\.ts --deno-bench$/);
});

for (
  const [script, pattern] of [
    ["cli/suites.ts", /^Usage: /],
    ["cli/fuzz.ts", /^usage: deno task fuzz/],
    ["cli/bench.ts", /^Usage: deno task bench/],
    ["cli/history.ts", /^Usage: deno task history/],
    ["cli/report.ts", /^Usage: deno task report/],
  ] as const
) {
  Deno.test(`${script} --help prints its usage and runs nothing`, async () => {
    const { code, stdout, stderr } = await run(script, "--help");
    assert.equal(code, 0, stderr);
    assert.match(stdout, pattern);
    assert.equal(stderr, "");
  });
}

Deno.test("fuzz --json writes the versioned envelope; a bad value is one line, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/fuzz.json`;
    const ok = await run(
      "cli/fuzz.ts",
      "--runs",
      "20",
      "--seed",
      "3",
      "--workers",
      "1",
      "--json",
      file,
    );
    assert.equal(ok.code, 0, ok.stderr);
    const report = await readOutput(file, "fuzz-report");
    assert.equal(report.schema, "wavert-bench.fuzz-report/1");
    assert.equal(report.runs, 20);
    assert.ok(report.command.includes("--json"));
    const bad = await run("cli/fuzz.ts", "--runs", "1.5");
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'fuzz: --runs must be a non-negative integer, got "1.5"\n');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report percentiles prints HdrHistogram's distribution for every swept size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sweep = await run(
      "cli/bench.ts",
      "--samples",
      "20",
      "--largest",
      "8192",
      "--out",
      dir,
    );
    assert.equal(sweep.code, 0, sweep.stderr);
    const { code, stdout, stderr } = await run(
      "cli/report.ts",
      "percentiles",
      `${dir}/latency.json`,
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^simulator 4 KiB \(modeled\), µs:$/m);
    assert.match(stdout, /Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)/);
    assert.match(stdout, /#\[Mean\s+=/);
    const bad = await run("cli/report.ts", "percentiles", `${dir}/nothing.json`);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
