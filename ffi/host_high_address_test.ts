import assert from "node:assert/strict";
import { openHostBackend } from "./host_backend.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();

Deno.test({
  name: "host: HighAddress -1n and MAXULONG64 mean no limit, as on Windows",
  ignore: !helper.available,
  fn() {
    using backend = openHostBackend();
    const stream = backend.stream();
    for (const high of [-1n, 0xFFFFFFFFFFFFFFFFn]) {
      const mdl = stream.allocatePagesForMdl(high, 4 * backend.pageSize);
      assert.ok(mdl !== null, `HighAddress ${high} returned NULL`);
      assert.equal(mdl.byteCount, 4 * backend.pageSize);
      stream.freePagesFromMdl(mdl);
    }
    assert.throws(
      () => stream.allocatePagesForMdl(1n << 64n, backend.pageSize),
      (e: unknown) => e instanceof RangeError && /highAddress must fit in 64 bits/.test(e.message),
    );
    backend.assertNoLeaks();
  },
});
if (!helper.available) console.log(`host HighAddress test skipped: ${helper.reason}`);
