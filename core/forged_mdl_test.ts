import assert from "node:assert/strict";
import { CacheType, DriverViolation, type Mdl, Simulator } from "../mod.ts";

const ANY = -1n;

/** Every way a caller might build something MDL-like from a real one. */
function forgeries(real: Mdl, other: Mdl): [string, unknown][] {
  const proto = Object.getPrototypeOf(real);
  const created = Object.create(proto);
  return [
    ["a spread copy", { ...real }],
    ["a copy with every field", {
      byteCount: real.byteCount,
      byteOffset: 0,
      startVa: 0n,
      mdlFlags: real.mdlFlags,
      mappedSystemVa: null,
      pfns: real.pfns,
    }],
    ["Object.create of its prototype", created],
    ["Object.assign onto Object.create", Object.assign(Object.create(proto), real)],
    ["a Proxy of it", new Proxy(real, {})],
    ["a plain object", {}],
    ["null", null],
    ["a number", 42],
    ["an MDL of another simulator", other],
    ["a HostMdl-shaped object", { pfns: Object.freeze([1]), byteCount: 4096, mdlFlags: 2 }],
  ];
}

Deno.test("forged MDLs of every shape get foreign-mdl on every call, and change nothing", () => {
  using sim = new Simulator({ seed: 3 });
  using otherSim = new Simulator({ seed: 3 });
  const stream = sim.stream();
  const real = stream.allocatePagesForMdl(ANY, 8 * 4096)!;
  const other = otherSim.stream().allocatePagesForMdl(ANY, 8 * 4096)!;
  const free = sim.freePageCount;
  const calls: [string, (m: Mdl) => unknown][] = [
    ["freePagesFromMdl", (m) => stream.freePagesFromMdl(m)],
    ["mapAllocatedPages", (m) => stream.mapAllocatedPages(m, CacheType.Cached)],
    ["unmapAllocatedPages", (m) => stream.unmapAllocatedPages(0xffffa00000000000n, m)],
    ["getPhysicalPagesCount", (m) => stream.getPhysicalPagesCount(m)],
    ["getPhysicalPageAddress", (m) => stream.getPhysicalPageAddress(m, 0)],
  ];
  for (const [shape, forged] of forgeries(real, other)) {
    for (const [name, call] of calls) {
      assert.throws(
        () => call(forged as Mdl),
        (e: unknown) => e instanceof DriverViolation && e.rule === "foreign-mdl",
        `${name} with ${shape}`,
      );
    }
  }
  assert.equal(sim.freePageCount, free, "a forged MDL freed or took frames");
  assert.equal(otherSim.leaks().length, 1);
  assert.equal(real.mappedSystemVa, null);
  stream.freePagesFromMdl(real);
  sim.assertNoLeaks();
});

Deno.test("an MDL's state is reachable from nowhere: no own keys or symbols, no constructor", () => {
  using sim = new Simulator();
  const mdl = sim.stream().allocatePagesForMdl(ANY, 4096)!;
  assert.deepEqual(Object.getOwnPropertySymbols(mdl), []);
  // `pfns` is a getter of the class (a frozen copy made on first read): no own key at all.
  assert.deepEqual(Reflect.ownKeys(mdl), []);
  assert.ok(Object.isFrozen(mdl.pfns) && mdl.pfns === mdl.pfns);
  const Ctor = (mdl as unknown as { constructor: new (...args: unknown[]) => Mdl }).constructor;
  const stolen = { owner: sim, id: 1, frames: [mdl.pfns[0]], freed: false, mappings: [] };
  assert.throws(() => new Ctor(undefined, stolen), /TypeError: MDLs are made by the simulator/);
  assert.throws(() => new Ctor({}, stolen), TypeError);
});

Deno.test("after close() every call on the simulator's streams, MDLs and mm throws; close is idempotent", () => {
  const sim = new Simulator({ seed: 1 });
  const stream = sim.stream();
  const mapped = stream.allocatePagesForMdl(ANY, 4 * 4096)!;
  const va = stream.mapAllocatedPages(mapped, CacheType.WriteCombined)!;
  const plain = stream.allocatePagesForMdl(ANY, 4096)!;
  const [mappedPfn] = mapped.pfns;
  const total = sim.totalPageCount;
  sim.close();
  assert.equal(sim.freePageCount, total, "close released everything");
  assert.equal(sim.frameCacheType(mappedPfn), null, "close left a mapping's cache type");
  const closed = (e: unknown) =>
    e instanceof Error && !(e instanceof DriverViolation) &&
    /the simulator is closed/.test(e.message);
  const calls: [string, () => unknown][] = [
    ["allocatePagesForMdl", () => stream.allocatePagesForMdl(ANY, 4096)],
    ["allocateContiguousPagesForMdl", () => stream.allocateContiguousPagesForMdl(0n, ANY, 4096)],
    ["mapAllocatedPages", () => stream.mapAllocatedPages(plain, CacheType.Cached)],
    ["unmapAllocatedPages", () => stream.unmapAllocatedPages(va, mapped)],
    ["freePagesFromMdl", () => stream.freePagesFromMdl(plain)],
    ["getPhysicalPagesCount", () => stream.getPhysicalPagesCount(plain)],
    ["getPhysicalPageAddress", () => stream.getPhysicalPageAddress(plain, 0)],
    ["stream", () => sim.stream()],
    ["mm.allocatePagesForMdlEx", () =>
      sim.mm.allocatePagesForMdlEx({
        lowAddress: 0n,
        highAddress: ANY,
        skipBytes: 0n,
        totalBytes: 4096,
        cacheType: CacheType.Cached,
        flags: 0,
      })],
    ["mm.freePagesFromMdl", () => sim.mm.freePagesFromMdl(plain)],
  ];
  for (const [name, call] of calls) {
    assert.throws(call, closed, name);
  }
  assert.equal(sim.freePageCount, total);
  sim.close();
  sim.close();
  assert.equal(sim.freePageCount, total, "a second close released something again");
  assert.deepEqual(sim.leaks(), []);
});
