// The buggy example's two findings come out of `deno test` and out of the CLI (terminal, JSON,
// HTML); a driver suite that does not expect them fails; a crashing driver fails one case only.
import assert from "node:assert/strict";
import { driverCompilerMissing, exampleDrivers } from "../ffi/driver/build_driver.ts";
import { runDriverSuites } from "./driver_provider.ts";
import { defineDriverSuite } from "./driver_suite.ts";

const missing = await driverCompilerMissing();
const suffix = missing ? ` (ignored: ${missing})` : "";
const root = new URL("..", import.meta.url);
const PERMISSIONS = ["--allow-read", "--allow-env", "--allow-ffi", "--allow-run", "--allow-write"];
const BUGS = ["actual-size-exceeds-mdl", "failed-allocate-leaked"];

async function deno(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test({
  name: "deno test: the buggy example's case passes by catching both classic bugs" + suffix,
  ignore: missing !== null,
  async fn() {
    const { code, stdout } = await deno([
      "test",
      ...PERMISSIONS,
      "--filter",
      "buggy",
      "suites/bundled_drivers_test.ts",
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /memory-cap \(6 run\(s\), found actual-size-exceeds-mdl\) \.\.\. ok/);
    assert.match(stdout, /systematic \(7 run\(s\), found failed-allocate-leaked\) \.\.\. ok/);
    for (const rule of BUGS) {
      assert.match(stdout, new RegExp(`^caught ${rule} at CMiniportWaveRTStream::Allocate`, "m"));
    }
    assert.match(stdout, /ok \| 1 passed \(\d+ steps\) \| 0 failed/);
  },
});

Deno.test({
  name: "the CLI shows both findings as caught, in the terminal, the JSON and the HTML" + suffix,
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const { code, stdout } = await deno([
        "run",
        ...PERMISSIONS,
        "cli/suites.ts",
        "--driver",
        "--filter",
        "Example miniport",
        "--json",
        `${dir}/r.json`,
        "--html",
        `${dir}/r.html`,
      ]);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /^ {2}buggy: the sweep catches both classic bugs {2}passed/m);
      for (const rule of BUGS) assert.match(stdout, new RegExp(`^ {4}caught ${rule} at `, "m"));
      assert.match(stdout, /^3 driver case\(s\): 3 passed, 0 failed, 0 ignored; 2 expected/m);
      assert.match(stdout, /^0 case\(s\)/m, "--driver runs no allocation case");

      const json = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
      const buggy = json.drivers[0].cases[2];
      assert.equal(buggy.status, "passed");
      assert.deepEqual(buggy.caught, BUGS);
      const partial = buggy.findings.find((f: { rule: string }) => f.rule === BUGS[0]);
      assert.equal(partial.shrunk.requestedBytes, 8192);
      assert.match(partial.pasteable, /^\/\/ fails actual-size-exceeds-mdl\n/);
      assert.match(partial.callSite, /^CMiniportWaveRTStream::AllocateBufferWithNotification/);

      const html = await Deno.readTextFile(`${dir}/r.html`);
      for (const rule of BUGS) {
        assert.match(html, new RegExp(`<div class="finding caught" data-rule="${rule}">`));
      }
      assert.match(html, /<pre class="pasteable">\/\/ fails failed-allocate-leaked/);
      assert.match(html, /<div class="call-site">at CMiniportWaveRTStream::/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a driver suite that does not expect the bugs fails in the CLI, naming them" + suffix,
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const module = `${dir}/buggy_suite.ts`;
      const suiteModule = new URL("./driver_suite.ts", import.meta.url).href;
      await Deno.writeTextFile(
        module,
        `import { defineDriverSuite } from "${suiteModule}";
export const mine = defineDriverSuite({
  name: "Mine",
  library: { example: "buggy" },
  cases: [{ name: "capped", requestedBytes: 8192, conditions: { memoryCapBytes: 8192 } }],
});
`,
      );
      const { code, stdout } = await deno(["run", ...PERMISSIONS, "cli/suites.ts", module]);
      assert.equal(code, 1, stdout);
      assert.match(stdout, /^ {2}capped {2}failed/m);
      assert.match(stdout, /^ {4}found actual-size-exceeds-mdl at CMiniportWaveRTStream::/m);
      assert.match(stdout, /^ {4}unexpected finding "actual-size-exceeds-mdl"$/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a driver that crashes fails its own driver case and nothing else" + suffix,
  ignore: missing !== null,
  async fn() {
    const suite = defineDriverSuite({
      name: "Crash",
      library: { ...exampleDrivers.contract, sources: [...exampleDrivers.contract.sources] },
      cases: ["ok", "crash", "ok again"].map((mode) => ({
        name: mode,
        requestedBytes: 4096,
        parameters: mode.split(" ")[0],
      })),
    });
    const [report] = await runDriverSuites([suite]);
    assert.deepEqual(report.cases.map((c) => c.status), ["passed", "failed", "passed"]);
    assert.deepEqual(report.cases[1].findings.map((f) => f.rule), ["driver-crash"]);
    assert.deepEqual(report.cases[1].failures, ['unexpected finding "driver-crash"']);
  },
});
