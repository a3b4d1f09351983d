import assert from "node:assert/strict";
import { build, type BuildTarget, buildTargets, compilerAvailable } from "./build.ts";

const compiler = await compilerAvailable();
const unavailable = compiler ? "" : " (unavailable: no C compiler, cc or $CC)";

/** Builds a C test program with the host compiler, runs it, and expects "N passed, 0 failed". */
async function passes(target: BuildTarget): Promise<void> {
  await build(target);
  const { success, stdout, stderr } = await new Deno.Command(target.output, {
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.ok(success, `${text}\n${new TextDecoder().decode(stderr)}`);
  assert.match(text, /^\d+ passed, 0 failed$/m);
}

Deno.test({
  name: "the C ABI test program passes (bad sizes, null buffers, short arrays, double free)" +
    unavailable,
  ignore: !compiler,
  fn: () => passes(buildTargets.abiTest),
});

Deno.test({
  name: "the Windows bridge protocol passes its C tests (truncated, oversized, other version, " +
    "bad counts, round trips)" + unavailable,
  ignore: !compiler,
  fn: () => passes(buildTargets.protocolTest),
});

Deno.test({
  name: "the test driver's request handling passes its C tests against a fake " +
    "IPortWaveRTStream (handles, map/unmap/free order, batches, cleanup)" + unavailable,
  ignore: !compiler,
  fn: () => passes(buildTargets.sessionTest),
});
