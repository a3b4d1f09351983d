// A crash in the driver's code fails only the case that was running.
import assert from "node:assert/strict";
import { buildDriverLibrary, driverCompilerMissing, exampleDrivers } from "./build_driver.ts";
import { runDriverBatch, runDriverCase } from "./isolated.ts";

const missing = await driverCompilerMissing();
const suffix = missing ? ` (ignored: ${missing})` : "";
const library = missing ? "" : await buildDriverLibrary(exampleDrivers.contract);

Deno.test({
  name: "a driver that dereferences NULL fails its case as driver-crash, naming the signal" +
    suffix,
  ignore: missing !== null,
  async fn() {
    const result = await runDriverCase({ library, requestedBytes: 4096, parameters: "crash" });
    assert.equal(result.passed, false);
    assert.equal(result.findings[0].rule, "driver-crash");
    assert.match(result.findings[0].message, /killed by SIGSEGV \(Segmentation fault accessing/);
    // The faulting instruction, symbolized by the shim's crash reporter.
    assert.match(
      result.findings[0].callSite ?? "",
      /^wrt_driver_allocate_audio_buffer\+0x[0-9a-f]+ \(libcontract_driver\.so\+0x[0-9a-f]+\)$/,
    );
  },
});

Deno.test({
  name: "the cases around a crash still run, each in a fresh child" + suffix,
  ignore: missing !== null,
  async fn() {
    const modes = ["ok", "crash", "double-free", "crash", "ok"];
    const results = await runDriverBatch(
      modes.map((parameters) => ({ library, requestedBytes: 4096, parameters })),
    );
    assert.deepEqual(results.map((r) => r.findings[0]?.rule ?? "passed"), [
      "passed",
      "driver-crash",
      "double-free",
      "driver-crash",
      "passed",
    ]);
  },
});
