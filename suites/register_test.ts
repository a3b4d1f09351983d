/**
 * `registerSuite` under a real `deno test` in a child process, so that `--filter`, `--junit-path`
 * and `--reporter` are exercised exactly as a user runs them.
 *
 * @module
 */

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);
const fixture = "suites/testdata/failing_suite.ts";

async function denoTest(...args: string[]) {
  const junit = await Deno.makeTempFile({ suffix: ".xml" });
  try {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-read", "--allow-env", `--junit-path=${junit}`, ...args, fixture],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code,
      output: new TextDecoder().decode(stdout),
      junit: await Deno.readTextFile(junit),
    };
  } finally {
    await Deno.remove(junit);
  }
}

Deno.test("one Deno.test per case, one step per backend and an ignored cross-check with its reason", async () => {
  const { code, junit, output } = await denoTest("--filter", "one page");
  assert.equal(code, 0);
  assert.match(output, /\| 1 filtered out/);
  assert.match(junit, /<testcase name="Fixture › one page passes" /);
  assert.match(junit, /<testcase name="Fixture › one page passes &gt; simulator" /);
  // Stable names: the reason is logged, not part of the name, which no privilege changes.
  assert.match(junit, /name="Fixture › one page passes &gt; cross-check"[^>]*>\s*<skipped\/>/);
  assert.match(output, /cross-check ignored: needs two backends that ran the case/);
  assert.doesNotMatch(junit, /\(ignored:/);
  assert.doesNotMatch(
    junit,
    /two pages fails &gt; simulator/,
    "--filter must not run the other case",
  );
});

Deno.test("a broken expectation fails its backend step with every reason in the JUnit file", async () => {
  const { code, junit } = await denoTest();
  assert.notEqual(code, 0);
  assert.match(
    junit,
    /name="Fixture › two pages fails &gt; simulator"[^>]*>\s*<failure message="Uncaught CaseFailure: simulator \(suite registered at [^)]+\):\s+allocatePagesForMdl\(&quot;buffer&quot;, 1920 bytes\): 1 page\(s\), expected 2/,
  );
});

Deno.test("with callSite, every JUnit case and failure names the suite's own file", async () => {
  const { junit } = await denoTest();
  const classnames = [...junit.matchAll(/<testcase [^>]*classname="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(classnames.length >= 6, junit);
  assert.deepEqual([...new Set(classnames)], ["./suites/testdata/failing_suite.ts"]);
  assert.match(
    junit,
    /suite registered at file:\/\/\S+\/suites\/testdata\/failing_suite\.ts:\d+:\d+/,
  );
  assert.doesNotMatch(junit, /classname="\.\/suites\/register\.ts"/);
});

Deno.test("--reporter keeps working on registered suites", async () => {
  const { code, output } = await denoTest("--reporter=tap", "--filter", "one page");
  assert.equal(code, 0);
  assert.match(output, /^TAP version 14/m);
  assert.match(output, /^ok \d+ - Fixture › one page passes/m);
});
