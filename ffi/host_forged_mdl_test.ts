import assert from "node:assert/strict";
import { CacheType, DriverViolation, type Mdl, Simulator } from "../mod.ts";
import { openHostBackend } from "./host_backend.ts";
import { HostMdl, HostMdlTable } from "./host_mdl.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();
if (!helper.available) console.log(`host forged-MDL tests skipped: ${helper.reason}`);

Deno.test("HostMdl is not constructible by callers, and its record is not reachable", () => {
  const record = { owner: {}, id: 1, freed: false, handle: 1n, frames: [1], byteCount: 4096 };
  assert.throws(
    () => new HostMdl(undefined, record as never),
    /TypeError: HostMdl is not constructible/,
  );
  assert.throws(() => new HostMdl(Symbol("HostMdl construction"), record as never), TypeError);
  assert.equal("recordOf" in HostMdl, false);
  const table = new HostMdlTable({});
  const mdl = table.add("allocatePagesForMdl", 1n, Object.freeze([5]), 4096);
  assert.deepEqual(Reflect.ownKeys(mdl), []);
  assert.equal(new HostMdlTable({}).recordOf(mdl), undefined, "another table read the record");
  assert.equal(table.recordOf({ ...mdl }), undefined);
  assert.equal(table.recordOf(new Proxy(mdl, {})), undefined);
});

Deno.test({
  name: "host: forged MDLs of every shape get foreign-mdl and change nothing",
  ignore: !helper.available,
  fn() {
    using backend = openHostBackend();
    using other = openHostBackend();
    using sim = new Simulator();
    const stream = backend.stream();
    const real = stream.allocatePagesForMdl(-1n, 4 * backend.pageSize)!;
    const others = other.stream().allocatePagesForMdl(-1n, backend.pageSize)!;
    // An MDL from a table a caller made with the backend as owner: a genuine HostMdl, not this
    // backend's.
    const tableForged = new HostMdlTable(backend).add("allocatePagesForMdl", 1n, [1], 4096);
    const shapes: [string, unknown][] = [
      ["a spread copy", { ...real }],
      ["Object.create(HostMdl.prototype)", Object.create(HostMdl.prototype)],
      ["a Proxy", new Proxy(real, {})],
      ["a plain object", { byteCount: 4096, pfns: [1], mdlFlags: 2 }],
      ["an MDL of another host backend", others],
      ["a simulator's MDL", sim.stream().allocatePagesForMdl(-1n, 4096)],
      ["a HostMdl from a caller's own table", tableForged],
    ];
    const before = backend.stats();
    for (const [shape, forged] of shapes) {
      for (
        const call of [
          (m: Mdl) => stream.freePagesFromMdl(m),
          (m: Mdl) => stream.mapAllocatedPages(m, CacheType.Cached),
          (m: Mdl) => stream.getPhysicalPageAddress(m, 0),
          (m: Mdl) => backend.queryFrames(m),
        ]
      ) {
        assert.throws(
          () => call(forged as Mdl),
          (e: unknown) =>
            (e instanceof DriverViolation && e.rule === "foreign-mdl") ||
            (e instanceof TypeError && /live MDL of this backend/.test(e.message)),
          shape,
        );
      }
    }
    assert.deepEqual(backend.stats(), before);
    stream.freePagesFromMdl(real);
    other.stream().freePagesFromMdl(others);
    backend.assertNoLeaks();
  },
});
