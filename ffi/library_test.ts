import assert from "node:assert/strict";
import {
  HELPER_PATH_ENV,
  helperAvailability,
  HelperLibrary,
  HelperLoadError,
  resolveHelperPath,
} from "./library.ts";
import { HelperError, HelperStatus } from "./helper_error.ts";
import { builtHelperPath, nativeSourceDir } from "./paths.ts";

const helper = helperAvailability();
if (!helper.available) console.log(`library tests skipped: unavailable: ${helper.reason}`);

Deno.test("the helper path is the environment override, else the locally built file", () => {
  const override = Deno.env.get(HELPER_PATH_ENV);
  assert.equal(resolveHelperPath(), override || builtHelperPath);
});

Deno.test("a missing library is a HelperLoadError naming the path, with the cause", () => {
  assert.throws(
    () => HelperLibrary.open("/nonexistent/libwavert_helper.so"),
    (e: unknown) => {
      assert.ok(e instanceof HelperLoadError);
      assert.equal(e.path, "/nonexistent/libwavert_helper.so");
      assert.match(e.message, /build:ffi/);
      assert.ok(e.cause instanceof Error);
      return true;
    },
  );
});

Deno.test("a file that is not a shared library is a HelperLoadError with the cause", () => {
  const path = `${nativeSourceDir}wavert_helper.h`;
  assert.throws(() => HelperLibrary.open(path), (e: unknown) => {
    assert.ok(e instanceof HelperLoadError && e.cause instanceof Error);
    return true;
  });
});

Deno.test("permission errors pass through untouched", async () => {
  const script = new URL("./testdata/open_helper.ts", import.meta.url).href;
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-env", script],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(success);
  assert.match(new TextDecoder().decode(stdout).trim(), /^(NotCapable|PermissionDenied)$/);
});

Deno.test({
  name: "native status codes become HelperErrors carrying the native message",
  ignore: !helper.available,
  fn() {
    using lib = HelperLibrary.open();
    assert.equal(lib.statusMessage(HelperStatus.OK), "success");
    assert.equal(lib.statusMessage(-7), "unknown status code");
    const error = lib.error("wrt_free", HelperStatus.UNKNOWN_HANDLE);
    assert.ok(error instanceof HelperError);
    assert.equal(error.statusName, "UNKNOWN_HANDLE");
    assert.match(error.message, /^wrt_free failed: the handle is not a live allocation/);
    const out = new BigUint64Array(6);
    assert.equal(lib.symbols.wrt_free(0n, 1n, out), HelperStatus.UNKNOWN_HANDLE);
    lib.close();
    lib.close();
  },
});
