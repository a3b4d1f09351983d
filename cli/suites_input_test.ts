/**
 * The CLI's handling of bad input and environment, as a user meets it: every case ends with exit
 * status 2 and a one-line message, before anything runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { helperAvailability } from "../ffi/library.ts";

const root = new URL("..", import.meta.url);
const helper = helperAvailability();

async function cli(
  args: string[],
  permissions = ["--allow-read", "--allow-env"],
  env: Record<string, string> = {},
) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "cli/suites.ts", ...args],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

const simulatorOnly = ["--backend", "simulator", "--filter", "DMA-limited"];

Deno.test("an output path that cannot be written is exit 2 naming it, before anything runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const write = ["--allow-read", "--allow-env", `--allow-write=${dir}`];
    for (
      const [flag, path] of [
        ["--json", `${dir}/file/results.json`], // a file where a directory must be
        ["--html", dir], // a directory
        ["--json", ""],
      ]
    ) {
      const { code, stdout, stderr } = await cli([...simulatorOnly, flag, path], write);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, "", "nothing may run before the outputs are checked");
      assert.equal(stderr.trim().split("\n").length, 1, stderr); // one line, no usage hint
      assert.ok(stderr.includes(flag) && stderr.includes(path), stderr);
    }
    // Without write permission: the same, not an uncaught NotCapable after the whole run.
    const { code, stdout, stderr } = await cli([...simulatorOnly, "--json", `${dir}/r.json`]);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, new RegExp(`--json: cannot write ${dir}/r\\.json`));
    // Created up front, so a run that follows can always write it.
    assert.equal((await cli([...simulatorOnly, "--json", `${dir}/a/b/r.json`], write)).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("numeric options are strict: an empty, fractional or exponent seed is refused", async () => {
  for (const seed of ["", "1e3", "0x10", "-1", "1.5", " 7"]) {
    const { code, stderr } = await cli([...simulatorOnly, `--seed=${seed}`]);
    assert.equal(code, 2, `--seed ${JSON.stringify(seed)}: ${stderr}`);
    assert.match(stderr, /--seed must be a non-negative integer/);
  }
  const { code, stderr } = await cli([...simulatorOnly, "--locked-budget", "lots"]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /--locked-budget: a locked-memory budget must be/);
});

Deno.test("a suite module that throws a null-prototype object or calls Deno.exit is exit 2", async () => {
  const module = "suites/testdata/hostile_modules.ts";
  const thrown = await cli(["--backend", "simulator", module], undefined, {
    HOSTILE_MODULE: "null-prototype",
  });
  assert.equal(thrown.code, 2, thrown.stderr);
  assert.match(thrown.stderr, /^\{"reason":"hostile"\}$/m);
  assert.doesNotMatch(thrown.stderr, /Cannot convert object to primitive/);
  const exited = await cli(["--backend", "simulator", module], undefined, {
    HOSTILE_MODULE: "exit",
  });
  assert.equal(exited.code, 2, exited.stderr);
  assert.match(exited.stderr, /a suite module called Deno\.exit\(0\)/);
});

Deno.test("names with control characters are shown escaped in the table", async () => {
  const { code, stdout } = await cli([
    "--backend",
    "simulator",
    "suites/testdata/hostile_modules.ts",
  ]);
  assert.equal(code, 0, stdout);
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(stdout), JSON.stringify(stdout));
  assert.match(stdout, /^evil\\x1b\[2J suite$/m);
  assert.match(stdout, /^over\\rwritten\\x07 /m);
});

Deno.test({
  name: "hardware cases over the locked-memory budget are refused with the figures",
  ignore: !helper.available,
  async fn() {
    const all = ["--allow-read", "--allow-env", "--allow-ffi", "--allow-run"];
    const { code, stdout, stderr } = await cli(
      ["--backend", "hardware", "--filter", "Large", "--locked-budget", "1MiB"],
      all,
    );
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /hardware case\(s\) exceed the locked-memory budget; nothing was allocated/,
    );
    assert.match(
      stderr,
      /needs up to [\d.]+ MiB \(\d+ bytes\) locked, over the locked-memory budget of 1 MiB \(1048576 bytes, WAVERT_LOCKED_BUDGET=1MiB\)/,
    );
  },
});
