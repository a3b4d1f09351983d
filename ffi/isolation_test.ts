import assert from "node:assert/strict";
import { DriverViolation } from "../core/violations.ts";
import { IsolatedCaseCrashed, runIsolated } from "./isolation.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();
if (!helper.available) console.log(`isolation tests skipped: unavailable: ${helper.reason}`);
const cases = new URL("./testdata/isolation_cases.ts", import.meta.url);

Deno.test({
  name: "a native crash in the child becomes a failed case naming the signal",
  ignore: !helper.available,
  async fn() {
    await assert.rejects(
      runIsolated(cases, "crashInNativeCode", { ffi: "all" }),
      (e: unknown) => {
        assert.ok(e instanceof IsolatedCaseCrashed, String(e));
        assert.equal(e.signal, "SIGSEGV");
        assert.match(e.message, /crashInNativeCode.*killed by SIGSEGV/);
        return true;
      },
    );
  },
});

Deno.test({
  name: "a violation in the child is rethrown as a DriverViolation with its rule",
  ignore: !helper.available,
  async fn() {
    await assert.rejects(runIsolated(cases, "freesTwice"), (e: unknown) => {
      assert.ok(e instanceof DriverViolation);
      assert.equal(e.rule, "double-free");
      assert.equal(e.bugCheck, 0xc2);
      return true;
    });
  },
});

Deno.test({
  name: "the input goes in and the return value comes back; a leaked MDL fails the case",
  ignore: !helper.available,
  async fn() {
    const input = { pages: [1, 2], label: "x" };
    assert.deepEqual(await runIsolated(cases, "describesBackend", { input }), {
      name: "linux-host",
      pageSize: 4096,
      input,
    });
    await assert.rejects(
      runIsolated(cases, "leaksAnMdl"),
      (e: unknown) => e instanceof DriverViolation && e.rule === "leaked-pages",
    );
  },
});

Deno.test({
  name: "a child that cannot load the helper reports HelperLoadError with the path",
  ignore: !helper.available,
  async fn() {
    await assert.rejects(
      runIsolated(cases, "describesBackend", {
        env: { WAVERT_HELPER_PATH: "/nonexistent/libwavert_helper.so" },
      }),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, "HelperLoadError");
        assert.match(e.message, /\/nonexistent\/libwavert_helper\.so/);
        return true;
      },
    );
  },
});
