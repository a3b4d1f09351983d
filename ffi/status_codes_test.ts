import assert from "node:assert/strict";
import { HelperStatus } from "./helper_error.ts";
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
