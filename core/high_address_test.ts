import assert from "node:assert/strict";
import { CacheType, MmAllocateFlags, Simulator } from "../mod.ts";
import { checkHighAddress, checkHighAddressBound, NO_HIGH_ADDRESS_LIMIT } from "./arguments.ts";

const ALL_ONES = 0xFFFFFFFFFFFFFFFFn;
const MAX_SIGNED = 0x7FFFFFFFFFFFFFFFn;

Deno.test("HighAddress: negative and all-ones are read as a signed LARGE_INTEGER, meaning no limit", () => {
  for (const value of [-1n, ALL_ONES, 1n << 63n, -(1n << 63n), -4096n]) {
    assert.equal(checkHighAddressBound("highAddress", value), NO_HIGH_ADDRESS_LIMIT, `${value}`);
  }
  assert.equal(checkHighAddress(0xFFFFFFFFn, 4096), 0xFFFFFFFFn);
  assert.equal(checkHighAddress(MAX_SIGNED, 4096), MAX_SIGNED);
  for (const value of [1n << 64n, -(1n << 63n) - 1n]) {
    assert.throws(
      () => checkHighAddressBound("highAddress", value),
      (e: unknown) => e instanceof RangeError && e.message.includes(`got ${value}`),
    );
  }
});

Deno.test("HighAddress -1n and MAXULONG64 allocate anywhere, like 0x7FFF…FFFF, on the stream and Mm", () => {
  for (const high of [-1n, ALL_ONES]) {
    using sim = new Simulator({ machine: "x64-16gib", seed: 3, placement: "lowest-first" });
    using reference = new Simulator({ machine: "x64-16gib", seed: 3, placement: "lowest-first" });
    const stream = sim.stream();
    // Fill everything below 4 GiB first, so the next pages can only come from above it.
    const low = stream.allocatePagesForMdl(0xFFFFFFFFn, 3n << 30n)!;
    const refLow = reference.stream().allocatePagesForMdl(0xFFFFFFFFn, 3n << 30n)!;
    assert.deepEqual([...low.pfns], [...refLow.pfns]);
    const mdl = stream.allocatePagesForMdl(high, 1 << 20);
    const expected = reference.stream().allocatePagesForMdl(MAX_SIGNED, 1 << 20)!;
    assert.ok(mdl !== null, `HighAddress ${high} returned NULL`);
    assert.deepEqual([...mdl.pfns], [...expected.pfns]);
    assert.ok(mdl.pfns[0] >= 0x100000, "no page above 4 GiB: the bound was not 'no limit'");
    const contiguous = stream.allocateContiguousPagesForMdl(0n, high, 2 << 20);
    assert.ok(contiguous !== null && contiguous.pfns[0] >= 0x100000);
    const { value: ex } = sim.mm.allocatePagesForMdlEx({
      lowAddress: 0n,
      highAddress: high,
      skipBytes: 0n,
      totalBytes: 65536,
      cacheType: CacheType.Cached,
      flags: MmAllocateFlags.FULLY_REQUIRED,
    });
    assert.ok(ex !== null && ex.pfns.length === 16);
  }
});

Deno.test("HighAddress wider than 64 bits is a RangeError naming it, and nothing changes", () => {
  using sim = new Simulator({ seed: 1 });
  const stream = sim.stream();
  const free = sim.freePageCount;
  assert.throws(
    () => stream.allocatePagesForMdl(1n << 64n, 4096),
    /RangeError: highAddress must fit in 64 bits/,
  );
  assert.throws(
    () => stream.allocateContiguousPagesForMdl(0n, -(1n << 63n) - 1n, 4096),
    /highAddress must fit in 64 bits/,
  );
  assert.equal(sim.freePageCount, free);
  assert.equal(stream.lastCall, null);
});
