// Each contract check, proven able to fail: the C test driver breaks one rule per mode, through
// IPortWaveRTStream's C vtable. Runs in this process (no mode crashes).
import assert from "node:assert/strict";
import { buildDriverLibrary, driverCompilerMissing, exampleDrivers } from "./build_driver.ts";
import { runDriverCaseInProcess } from "./run_case.ts";

const missing = await driverCompilerMissing();
const library = missing ? "" : await buildDriverLibrary(exampleDrivers.contract);
const suffix = missing ? ` (ignored: ${missing})` : "";

function run(mode: string) {
  return runDriverCaseInProcess({ library, requestedBytes: 4096, parameters: mode });
}

Deno.test({
  name: "the C test driver that follows every rule passes, and its buffer is real memory" + suffix,
  ignore: missing !== null,
  fn() {
    const result = run("ok");
    assert.deepEqual(result.findings, []);
    assert.equal(result.passed, true);
    assert.deepEqual(result.steps.map((s) => s.call), ["allocate", "free"]);
    assert.equal(result.steps[0].byteCount, 4096);
    assert.deepEqual(result.steps[0].contents, [0x5a, 0x5a], "the driver's fill, read back");
    assert.ok(result.portCalls >= 4);
  },
});

const cases: [mode: string, rule: string, bugCheck?: number][] = [
  ["actual-too-big", "actual-size-exceeds-mdl"],
  ["offset-too-big", "offset-not-in-first-page"],
  ["foreign-mdl", "buffer-mdl-foreign"],
  ["bad-cache-type", "cache-type-not-allowed"],
  ["cache-mismatch", "cache-type-mismatch"],
  ["fail-leaks-mdl", "failed-allocate-leaked"],
  ["fail-leaks-mapping", "failed-allocate-leaked"],
  ["fail-leaks-pool", "failed-allocate-leaked"],
  ["free-leaks-mdl", "free-left-resources"],
  ["free-leaks-mapping", "free-left-resources"],
  ["free-leaks-pool", "free-left-resources"],
  ["dispatch", "irql-not-passive", 0xc4],
  ["irql-not-restored", "irql-not-restored"],
  ["paged-code-dispatch", "paged-code-at-raised-irql", 0x0a],
  ["double-free", "double-free", 0xc2],
  ["pool-double-free", "pool-double-free", 0xc2],
];

for (const [mode, rule, bugCheck] of cases) {
  Deno.test({
    name: `contract check ${rule} fails the driver that ${mode}` + suffix,
    ignore: missing !== null,
    fn() {
      const result = run(mode);
      assert.equal(result.passed, false);
      const finding = result.findings.find((f) => f.rule === rule);
      assert.ok(finding, `${rule} not among ${JSON.stringify(result.findings)}`);
      if (bugCheck !== undefined) {
        assert.equal(finding.bugCheck, bugCheck);
        assert.equal(finding.stopped, true, "a bug check stops the driver");
        assert.equal(result.stopped, true);
        assert.match(finding.callSite ?? "", /^wrt_driver_\w+\+0x[0-9A-F]+ \(libcontract_driver/);
      }
    },
  });
}

Deno.test({
  name: "a bug check stops the driver mid-call and still frees everything" + suffix,
  ignore: missing !== null,
  fn() {
    const result = run("double-free");
    assert.deepEqual(result.steps.map((s) => s.call), ["allocate", "free"]);
    assert.equal(result.steps[1].stopped, true);
    // The next case on the same library starts clean.
    assert.equal(run("ok").passed, true);
  },
});
