import assert from "node:assert/strict";
import { build, buildTargets, compilerAvailable } from "./build.ts";

const compiler = await compilerAvailable();
if (!compiler) console.log("C ABI test skipped: unavailable: no C compiler (cc or $CC)");

Deno.test({
  name: "the C ABI test program passes (bad sizes, null buffers, short arrays, double free)",
  ignore: !compiler,
  async fn() {
    await build(buildTargets.abiTest);
    const { success, stdout, stderr } = await new Deno.Command(buildTargets.abiTest.output, {
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.ok(success, `${text}\n${new TextDecoder().decode(stderr)}`);
    assert.match(text, /^\d+ passed, 0 failed$/m);
  },
});
