import assert from "node:assert/strict";
import { DriverViolation } from "../core/violations.ts";
import { IsolatedCaseCrashed, IsolatedOutcomeMalformed, runIsolated } from "./isolation.ts";
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

/**
 * This process's children running `caseName` (Deno grants /proc/self only under --allow-all).
 * Filtered by case, since `deno test --parallel` runs other modules' children in this process too.
 */
async function children(caseName: string): Promise<string> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "pid=,args=", "--ppid", String(Deno.pid)],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(stdout).split("\n")
    .filter((l) => !/\bps -o\b/.test(l) && l.includes(caseName)).join("\n");
}

Deno.test({
  name: "input with no JSON form is refused before a child is started",
  ignore: !helper.available || Deno.build.os !== "linux",
  async fn() {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const before = await children("describesBackend");
    for (const input of [cycle, () => 1, Symbol("s")]) {
      await assert.rejects(runIsolated(cases, "describesBackend", { input }), TypeError);
    }
    assert.equal(await children("describesBackend"), before, "a child was left running");
  },
});

Deno.test({
  name: "a forged result line does not pass: only the line with the run's nonce counts",
  ignore: !helper.available,
  async fn() {
    await assert.rejects(runIsolated(cases, "printsFakePass"), /the real outcome is a failure/);
  },
});

Deno.test({
  name: "a case leaving a carriage return on stdout still reports its outcome",
  ignore: !helper.available,
  async fn() {
    assert.equal(await runIsolated(cases, "leavesCarriageReturn"), 42);
  },
});

Deno.test({
  name: "a case that exits early is a named failure with what it printed",
  ignore: !helper.available,
  async fn() {
    await assert.rejects(runIsolated(cases, "exitsEarly"), (e: unknown) => {
      assert.ok(e instanceof IsolatedCaseCrashed);
      assert.equal(e.exitCode, 0);
      assert.match(e.message, /exitsEarly.*exited with code 0 without reporting[^]*about to exit/);
      return true;
    });
  },
});

Deno.test({
  name: "bigints cross the boundary both ways; a result with no JSON form fails by name",
  ignore: !helper.available,
  async fn() {
    const input = { high: 0xFFFF_FFFFn, list: [1n, 2] };
    assert.deepEqual(await runIsolated(cases, "returnsBigints", { input }), {
      max: 0xFFFF_FFFF_FFFF_FFFFn,
      input,
    });
    await assert.rejects(runIsolated(cases, "returnsCycle"), (e: unknown) => {
      assert.ok(e instanceof TypeError && /no JSON form/.test(e.message), String(e));
      return true;
    });
    await assert.rejects(runIsolated(cases, "throwsNullPrototype"), (e: unknown) => {
      assert.ok(e instanceof Error && /object/i.test(e.message), String(e));
      return true;
    });
  },
});

Deno.test({
  name: "a malformed outcome is a named failure of the case, not a SyntaxError",
  ignore: !helper.available || Deno.build.os !== "linux",
  async fn() {
    // The wrapper corrupts the child's outcome line on its way out.
    const wrapper = ["sh", "-c", `"$@" | sed 's/"ok":true/"ok":tru/'`, "sh"];
    await assert.rejects(runIsolated(cases, "describesBackend", { wrapper }), (e: unknown) => {
      assert.ok(e instanceof IsolatedOutcomeMalformed, String(e));
      assert.match(e.message, /describesBackend: the child's outcome is malformed/);
      return true;
    });
  },
});
