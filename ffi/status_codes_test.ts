import assert from "node:assert/strict";
import { HelperError, HelperStatus, WindowsHelperStatus } from "./helper_error.ts";
import { nativeSourceDir } from "./paths.ts";

Deno.test("HelperStatus names every WRT_* status code of wavert_helper.h with its value", async () => {
  const header = await Deno.readTextFile(`${nativeSourceDir}wavert_helper.h`);
  const defined = Object.fromEntries(
    [...header.matchAll(/^#define WRT_(OK|E_\w+) (\d+)/gm)].map((m) => [
      m[1].replace(/^E_/, ""),
      Number(m[2]),
    ]),
  );
  assert.deepEqual(defined, { ...HelperStatus });
  const count = Number(header.match(/^#define WRT_STATUS_COUNT (\d+)/m)![1]);
  assert.equal(count, Object.keys(HelperStatus).length);
});

Deno.test("WindowsHelperStatus names every WRTW_E_* code of wavert_helper_windows.h", async () => {
  const header = await Deno.readTextFile(`${nativeSourceDir}wavert_helper_windows.h`);
  const defined = Object.fromEntries(
    [...header.matchAll(/^#define WRTW_E_(\w+) (\d+)/gm)].map((m) => [m[1], Number(m[2])]),
  );
  assert.deepEqual(defined, { ...WindowsHelperStatus });
  const shared = new Set<number>(Object.values(HelperStatus));
  for (const code of Object.values(WindowsHelperStatus)) assert.ok(!shared.has(code), `${code}`);
  const error = new HelperError("wrt_open", WindowsHelperStatus.NO_FILTER, "no test filter");
  assert.equal(error.statusName, "NO_FILTER");
  assert.match(error.message, /\(WRTW_E_NO_FILTER, status 70\)/);
});
