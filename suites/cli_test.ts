/**
 * The CLI as a user runs it, in a child process with a pipe for stdout (so: plain text, no
 * colour, no progress bar).
 *
 * @module
 */

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

async function cli(args: string[], permissions = ["--allow-read", "--allow-env"]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "suites/cli.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("a table per suite in plain text, with JSON and HTML files written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout } = await cli(
      [
        "--backend",
        "simulator",
        "--filter",
        "DMA-limited",
        // Its figures were pinned under lowest-first placement, the default before issue 12.
        "--placement",
        "lowest-first",
        "--json",
        `${dir}/results.json`,
        "--html",
        `${dir}/report.html`,
      ],
      ["--allow-read", "--allow-env", `--allow-write=${dir}`],
    );
    assert.equal(code, 0, stdout);
    assert.ok(!stdout.includes("\x1b["), "no colour when stdout is not a terminal");
    assert.match(stdout, /^DMA-limited devices$/m);
    assert.match(
      stdout,
      /^case\s+backend\s+bytes\s+pages\s+runs\s+max address\s+p50\s+p99\s+verdict$/m,
    );
    assert.match(
      stdout,
      /^24-bit DMA \(HighAddress 16 MiB\)\s+simulator\s+20 KiB\s+5\s+1\s+0x\w+\s.*passed$/m,
    );
    assert.match(
      stdout,
      /^5 case\(s\), seeds: DMA-limited devices 1, 11: 5 passed, 0 failed, 5 ignored, 0 observed/m,
    );

    const json = JSON.parse(await Deno.readTextFile(`${dir}/results.json`));
    assert.deepEqual(json.backends, ["simulator"]);
    assert.equal(json.suites.length, 1);
    const [first] = json.suites[0].cases;
    assert.equal(first.runs[0].summary.pages, 5);
    assert.equal(first.runs[0].allocations[0].highAddress, "0xFFFFFFFF");
    assert.equal(first.crossCheck.status, "ignored");

    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.match(html, /^<!doctype html>/);
    assert.equal(html.match(/<svg class="memory-map"/g)?.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without the hardware the run passes with the hardware ignored and the reason printed", async () => {
  // No --allow-ffi: the native helper cannot be loaded.
  const { code, stdout } = await cli(["--filter", "Lifecycle and misuse › double map"]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^\s+hardware\s+-\s+-\s+-\s+-\s+-\s+-\s+ignored$/m);
  assert.match(stdout, /^ {2}hardware ignored: hardware backend unavailable: .+ \(1 case\(s\)\)$/m);
});

Deno.test("a failed expectation exits 1 and says what failed", async () => {
  const { code, stdout } = await cli([
    "--backend",
    "simulator",
    "suites/testdata/failing_suite.ts",
  ]);
  assert.equal(code, 1);
  assert.match(stdout, /^two pages fails\s+simulator\s+8 KiB\s+2\s+.*failed$/m);
  assert.match(
    stdout,
    /^ {2}two pages fails › simulator: allocatePagesForMdl\("buffer", 6000 bytes\): 2 page\(s\), expected 1$/m,
  );
});

Deno.test("a failed step expectation exits 1 and names the step", async () => {
  const { code, stdout } = await cli([
    "--backend",
    "simulator",
    "suites/testdata/per_step_suite.ts",
  ]);
  assert.equal(code, 1, stdout);
  assert.match(stdout, /^second buffer may be partial\s+simulator\s+.*passed$/m);
  assert.match(
    stdout,
    /^ {2}second buffer must be whole › simulator: step 2 \(allocatePagesForMdl "second"\): byteCount 1044480 < requested 4194304 \(partial result\)$/m,
  );
});

Deno.test("a malformed suite exits 2 with every problem, and nothing runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await cli(
      ["--json", `${dir}/results.json`, "suites/testdata/malformed_suite.ts"],
      ["--allow-read", "--allow-env", `--allow-write=${dir}`],
    );
    assert.equal(code, 2);
    assert.match(stderr, /^6 problem\(s\) in suite definition:/m);
    assert.match(stderr, /› request\.audio\.notificationCount: notificationCount 2 must divide/);
    assert.equal(stdout, "");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad options exit 2 with the option named", async () => {
  const backend = await cli(["--backend", "gpu"]);
  assert.equal(backend.code, 2);
  assert.match(backend.stderr, /--backend must be simulator, hardware or all, got "gpu"/);
  const seed = await cli(["--seed", "1.5"]);
  assert.equal(seed.code, 2);
  assert.match(seed.stderr, /--seed must be a non-negative integer, got "1.5"/);
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: cli\.ts/);
});

Deno.test("suites in file order, each with its own seed; an impossible budget always fails when modeled", async () => {
  const run = await cli(["--backend", "simulator", "suites/testdata/budget_suite.ts"]);
  assert.equal(run.code, 1);
  assert.ok(
    run.stdout.indexOf("Zeta, written first") < run.stdout.indexOf("Alpha, written second"),
  );
  assert.match(run.stdout, /seeds: Zeta, written first 1; Alpha, written second 7/);
  assert.match(run.stdout, /p99 latency .* \(modeled\) exceeds the budget of 0\.001 µs/);
  // Modeled latencies are deterministic: reporting measured budgets only does not relax them.
  const report = await cli([
    "--backend",
    "simulator",
    "--measured-budgets",
    "report",
    "suites/testdata/budget_suite.ts",
  ]);
  assert.equal(report.code, 1);
  const bad = await cli(["--measured-budgets", "sometimes"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--measured-budgets must be enforce or report, got "sometimes"/);
});

Deno.test("a cost profile drives the simulator's modeled latency; a bad one exits 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/profile.json`,
      JSON.stringify({
        schema: "wavert-bench.cost-profile/1",
        name: "test",
        createdAt: "2026-01-01T00:00:00Z",
        fittedOn: "linux-host",
        costModel: { allocateCallNs: 7000, allocatePageNs: 0, zeroBytesPerSecond: 1e30 },
        freshPages: "zeroed",
        points: [],
      }),
    );
    const permissions = ["--allow-read", "--allow-env", `--allow-write=${dir}`];
    const { code } = await cli([
      "--backend",
      "simulator",
      "--filter",
      "Lifecycle and misuse › double map",
      "--cost-profile",
      `${dir}/profile.json`,
      "--json",
      `${dir}/results.json`,
    ], permissions);
    assert.equal(code, 0);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/results.json`));
    assert.equal(json.suites[0].cases[0].runs[0].summary.p50Ns, 7000);

    const bad = await cli(["--cost-profile", `${dir}/results.json`], permissions);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cost-profile: .* is not a cost profile/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
