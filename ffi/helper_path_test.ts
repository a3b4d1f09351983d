import assert from "node:assert/strict";
import { HELPER_PATH_ENV, resolveHelperPath } from "./library.ts";
import { builtHelperPath, builtHelperPathFor, windowsBuildDir } from "./paths.ts";

Deno.test("Linux loads the shared library built in ffi/native/build/", () => {
  assert.equal(builtHelperPathFor("linux"), builtHelperPath);
  assert.match(builtHelperPathFor("linux"), /\/ffi\/native\/build\/libwavert_helper\.so$/);
});

Deno.test("Windows loads wavert_helper.dll, the bridge to the WaveRT test driver", () => {
  assert.equal(builtHelperPathFor("windows"), `${windowsBuildDir}wavert_helper.dll`);
  assert.match(builtHelperPathFor("windows"), /\/build\/windows\/wavert_helper\.dll$/);
});

Deno.test("an OS without a helper is a RangeError naming it and the supported ones", () => {
  for (const os of ["darwin", "freebsd", "android"] as const) {
    assert.throws(() => builtHelperPathFor(os), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.equal(
        e.message,
        `os must be linux or windows to have a WaveRT helper, got ${os}: set ` +
          `${HELPER_PATH_ENV} to load a helper built some other way`,
      );
      return true;
    });
  }
});

Deno.test("resolution follows the OS it is given, default Deno.build.os, unless overridden", () => {
  const override = Deno.env.get(HELPER_PATH_ENV);
  if (override) {
    // An explicit path wins on every OS, even one without a built helper.
    assert.equal(resolveHelperPath("darwin"), override);
    return;
  }
  assert.equal(resolveHelperPath("windows"), builtHelperPathFor("windows"));
  assert.equal(resolveHelperPath("linux"), builtHelperPathFor("linux"));
  assert.equal(resolveHelperPath(), builtHelperPathFor(Deno.build.os));
  assert.throws(() => resolveHelperPath("darwin"), RangeError);
});
