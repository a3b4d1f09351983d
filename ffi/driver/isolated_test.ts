// A crash in the driver's code fails only the case that was running; one long-lived child
// serves every case of a runner and is replaced only when a case ends it.
import assert from "node:assert/strict";
import { buildDriverLibrary, driverCompilerMissing, exampleDrivers } from "./build_driver.ts";
import { IsolatedDriverRunner, runDriverBatch, runDriverCase } from "./isolated.ts";
import { sweepDriverCase } from "./sweep.ts";

const missing = await driverCompilerMissing();
const suffix = missing ? ` (ignored: ${missing})` : "";
const library = missing ? "" : await buildDriverLibrary(exampleDrivers.contract);
const mode = (parameters: string) => ({ library, requestedBytes: 4096, parameters });
const outcome = (r: { findings: readonly { rule: string }[] }) => r.findings[0]?.rule ?? "passed";

Deno.test({
  name: "a driver that dereferences NULL fails its case as driver-crash, naming the signal" +
    suffix,
  ignore: missing !== null,
  async fn() {
    const result = await runDriverCase(mode("crash"));
    assert.equal(result.passed, false);
    assert.equal(result.findings[0].rule, "driver-crash");
    assert.match(result.findings[0].message, /killed by SIGSEGV \(Segmentation fault accessing/);
    // The faulting instruction, symbolized by the shim's crash reporter.
    assert.match(
      result.findings[0].callSite ?? "",
      /^wrt_driver_allocate_audio_buffer\+0x[0-9A-F]+ \(libcontract_driver\.so\+0x[0-9A-F]+\)$/,
    );
  },
});

Deno.test({
  name: "the cases around a crash still run, each in a fresh child" + suffix,
  ignore: missing !== null,
  async fn() {
    const modes = ["ok", "crash", "double-free", "crash", "ok"];
    const results = await runDriverBatch(modes.map(mode));
    assert.deepEqual(results.map(outcome), [
      "passed",
      "driver-crash",
      "double-free",
      "driver-crash",
      "passed",
    ]);
  },
});

Deno.test({
  name: "one child serves every batch of a runner; a crash replaces it once" + suffix,
  ignore: missing !== null,
  async fn() {
    await using runner = new IsolatedDriverRunner();
    const first = await runner.run(["ok", "double-free", "ok"].map(mode));
    const [second, third] = await Promise.all([runner.run([mode("ok")]), runner.run([mode("ok")])]);
    assert.deepEqual([...first, ...second, ...third].map(outcome), [
      "passed",
      "double-free",
      "passed",
      "passed",
      "passed",
    ]);
    assert.equal(runner.spawned, 1, "four batches, one child");
    const after = await runner.run(["crash", "ok"].map(mode));
    assert.deepEqual(after.map(outcome), ["driver-crash", "passed"]);
    assert.equal(runner.spawned, 2, "the crashed child was replaced, once");
  },
});

Deno.test({
  name: "a case that never returns is killed at the timeout and the next one runs" + suffix,
  ignore: missing !== null,
  async fn() {
    await using runner = new IsolatedDriverRunner({ timeoutMs: 1_000 });
    const [hung, next] = await runner.run(["hang", "ok"].map(mode));
    assert.equal(outcome(hung), "driver-crash");
    assert.match(hung.findings[0].message, /killed by SIGKILL \(timeout\)/);
    assert.equal(outcome(next), "passed");
  },
});

Deno.test({
  name: "a sweep in which one variant crashes the driver reports it and runs every other" +
    suffix,
  ignore: missing !== null,
  async fn() {
    const report = await sweepDriverCase(mode("crash-if-map-fails"), { random: false });
    assert.deepEqual(report.failures.map((f) => f.rule), ["driver-crash"]);
    assert.match(report.failures[0].variant.label, /^MapAllocatedPages fails at /);
    const crashed = report.variants.filter((v) => !v.passed);
    assert.deepEqual(crashed.map((v) => v.variant.label), [report.failures[0].variant.label]);
    assert.ok(report.variants.length > 3, "the baseline, every site and every cap ran");
  },
});
