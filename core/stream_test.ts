import assert from "node:assert/strict";
import { CacheType, MdlFlags, MmAllocateFlags } from "./constants.ts";
import type { MachineLayout } from "./machine.ts";
import { Simulator } from "./simulator.ts";

const PAGE = 4096;
const FOUR_GIB = 0xffffffffn;
const ANY = 0x7fffffffffffffffn;

/** A machine of `pages` pages starting at page 1 (page 0 reserved, as on PCs). */
function tinyMachine(pages: number): MachineLayout {
  return { pageSize: PAGE, ranges: [{ base: 0x1000n, length: BigInt(pages * PAGE) }] };
}

Deno.test("allocatePagesForMdl rounds up to whole pages", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  for (const [bytes, pages] of [[1, 1], [1920, 1], [4096, 1], [4097, 2], [3840 * 10, 10]]) {
    const mdl = stream.allocatePagesForMdl(FOUR_GIB, bytes)!;
    assert.equal(mdl.byteCount, pages * PAGE, `${bytes} bytes`);
    assert.equal(mdl.pfns.length, pages);
    assert.equal(stream.getPhysicalPagesCount(mdl), pages);
    stream.freePagesFromMdl(mdl);
  }
});

Deno.test("policy byteCount 'requested' keeps the exact size of a full allocation", () => {
  using sim = new Simulator({ policies: { byteCount: "requested" } });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 1920)!;
  assert.equal(mdl.byteCount, 1920);
  assert.equal(stream.getPhysicalPagesCount(mdl), 1);
  stream.freePagesFromMdl(mdl);
});

Deno.test("a fresh MDL is locked, unmapped, at offset 0, with valid frame numbers", () => {
  using sim = new Simulator({ fragmentation: 0.3, seed: 3, fragmentModel: "geometric" });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 64 * 1024)!;
  assert.equal(mdl.mdlFlags & MdlFlags.PAGES_LOCKED, MdlFlags.PAGES_LOCKED);
  assert.equal(mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA, 0);
  assert.equal(mdl.mdlFlags & MdlFlags.PARTIAL, 0);
  assert.equal(mdl.mappedSystemVa, null);
  assert.equal(mdl.startVa + BigInt(mdl.byteOffset), 0n);
  for (let i = 0; i < mdl.pfns.length; i++) {
    assert.ok(mdl.pfns[i] > 0 && mdl.pfns[i] < 2 ** 52, `pfn ${mdl.pfns[i]}`);
    assert.equal(stream.getPhysicalPageAddress(mdl, i), BigInt(mdl.pfns[i]) * 4096n);
  }
  stream.freePagesFromMdl(mdl);
});

Deno.test("mapping sets MappedSystemVa and MAPPED_TO_SYSTEM_VA; unmapping clears them", () => {
  using sim = new Simulator();
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
  const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined)!;
  assert.ok(va !== null && va % 4096n === 0n);
  assert.equal(mdl.mappedSystemVa, va);
  assert.equal(mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA, MdlFlags.MAPPED_TO_SYSTEM_VA);
  for (const pfn of mdl.pfns) assert.equal(sim.frameCacheType(pfn), CacheType.WriteCombined);
  stream.unmapAllocatedPages(va, mdl);
  assert.equal(mdl.mappedSystemVa, null);
  assert.equal(mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA, 0);
  for (const pfn of mdl.pfns) assert.equal(sim.frameCacheType(pfn), null);
  stream.freePagesFromMdl(mdl);
});

Deno.test("a frame's cache type follows its MDL's mappings: the last map's, then the first left", () => {
  using sim = new Simulator({ policies: { cacheConflict: "record" } });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
  const other = stream.allocatePagesForMdl(FOUR_GIB, 4096)!;
  const types = () => Array.from(mdl.pfns, (pfn) => sim.frameCacheType(pfn));
  const user = sim.mm.mapLockedPagesSpecifyCache(mdl, "user", CacheType.Cached).value!;
  assert.deepEqual(types(), [CacheType.Cached, CacheType.Cached]);
  const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined)!; // a recorded conflict
  assert.deepEqual(types(), [CacheType.WriteCombined, CacheType.WriteCombined]);
  assert.equal(sim.frameCacheType(other.pfns[0]), null, "another MDL's frame is not mapped");
  stream.unmapAllocatedPages(va, mdl);
  assert.deepEqual(types(), [CacheType.Cached, CacheType.Cached], "the user mapping is left");
  sim.mm.unmapLockedPages(user, mdl);
  assert.deepEqual(types(), [null, null]);
  stream.mapAllocatedPages(mdl, CacheType.NonCached);
  const frame = mdl.pfns[1];
  sim.close();
  assert.equal(sim.frameCacheType(frame), null, "closing unmapped and freed it");
});

Deno.test("every page lies inside [0, HighAddress] under fragmentation", () => {
  using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.5, seed: 11 });
  const stream = sim.stream();
  for (const high of [0xffffffn, 0x7fffffffn, FOUR_GIB]) {
    const mdl = stream.allocatePagesForMdl(high, 2 << 20)!;
    assert.equal(mdl.byteCount, 2 << 20);
    for (let i = 0; i < mdl.pfns.length; i++) {
      assert.ok(stream.getPhysicalPageAddress(mdl, i) + 4095n <= high);
    }
    stream.freePagesFromMdl(mdl);
  }
});

Deno.test("policy highAddressPage decides whether the page containing HighAddress is used", () => {
  for (const [policy, expected] of [["inclusive", 4], ["exclusive", 3]] as const) {
    using sim = new Simulator({
      machine: tinyMachine(15),
      placement: "lowest-first",
      policies: { highAddressPage: policy },
    });
    const mdl = sim.stream().allocatePagesForMdl(0x4fffn, 15 * PAGE)!;
    assert.equal(mdl.pfns.length, expected, policy);
    assert.deepEqual([...mdl.pfns], [1, 2, 3, 4].slice(0, expected));
  }
});

Deno.test("under pressure the result is partial: a page multiple, less than asked", () => {
  using sim = new Simulator({
    machine: tinyMachine(64),
    fragmentation: 0.25,
    seed: 5,
    fragmentModel: "geometric",
  });
  const stream = sim.stream();
  const free = sim.freePageCount;
  const mdl = stream.allocatePagesForMdl(ANY, 100 * PAGE)!;
  assert.equal(mdl.byteCount, free * PAGE);
  assert.ok(mdl.byteCount < 100 * PAGE && mdl.byteCount % PAGE === 0);
  assert.equal(sim.freePageCount, 0);
  assert.equal(stream.allocatePagesForMdl(ANY, PAGE), null, "NULL when nothing is free");
  stream.freePagesFromMdl(mdl);
  assert.equal(sim.freePageCount, free);
});

Deno.test("NULL when nothing is free below HighAddress, even with memory free above it", () => {
  const machine: MachineLayout = {
    pageSize: PAGE,
    ranges: [{ base: 0x1000n, length: 0x3000n }, { base: 0x100000n, length: 0x10000n }],
  };
  using sim = new Simulator({ machine, placement: "lowest-first" });
  const stream = sim.stream();
  const low = stream.allocatePagesForMdl(0xffffn, 3 * PAGE)!;
  assert.equal(stream.allocatePagesForMdl(0xffffn, PAGE), null);
  const high = stream.allocatePagesForMdl(ANY, PAGE)!;
  assert.equal(high.pfns[0], 0x100);
  stream.freePagesFromMdl(low);
  stream.freePagesFromMdl(high);
});

Deno.test("contiguous allocations are one physical run inside [low, high], or NULL", () => {
  using sim = new Simulator({
    machine: "x64-4gib",
    fragmentation: 0.2,
    fragmentRunPages: 64,
    fragmentModel: "geometric",
  });
  const stream = sim.stream();
  const mdl = stream.allocateContiguousPagesForMdl(0x1000000n, FOUR_GIB, 96 * 1024)!;
  assert.equal(mdl.pfns.length, 24);
  for (let i = 1; i < mdl.pfns.length; i++) assert.equal(mdl.pfns[i], mdl.pfns[0] + i);
  assert.ok(mdl.pfns[0] * PAGE >= 0x1000000 && (mdl.pfns[23] + 1) * PAGE - 1 <= 0xffffffff);
  stream.freePagesFromMdl(mdl);

  const free = sim.freePageCount;
  assert.equal(stream.allocateContiguousPagesForMdl(0n, FOUR_GIB, 64 << 20), null);
  assert.equal(sim.freePageCount, free, "a failed contiguous request takes nothing");
});

Deno.test("contiguous requests never come back partial", () => {
  using sim = new Simulator({ machine: tinyMachine(32) });
  const stream = sim.stream();
  assert.equal(stream.allocateContiguousPagesForMdl(0n, ANY, 33 * PAGE), null);
  const all = stream.allocateContiguousPagesForMdl(0n, ANY, 32 * PAGE)!;
  assert.equal(all.byteCount, 32 * PAGE);
  stream.freePagesFromMdl(all);
});

Deno.test("at most 4 GB − PAGE_SIZE per call: larger requests come back partial", () => {
  using sim = new Simulator({ machine: "x64-64gib" });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(ANY, 5n << 30n)!;
  assert.equal(mdl.byteCount, 0x1_0000_0000 - PAGE);
  stream.freePagesFromMdl(mdl);
});

Deno.test("one system mapping per MDL, and a system address budget: huge MDLs fail to map", () => {
  using sim = new Simulator({ machine: "x64-16gib" });
  const stream = sim.stream();
  const huge = stream.allocatePagesForMdl(ANY, 2n << 30n)!;
  assert.equal(huge.byteCount, 2 ** 31);
  assert.equal(stream.mapAllocatedPages(huge, CacheType.Cached), null);
  assert.equal(huge.mappedSystemVa, null);
  stream.freePagesFromMdl(huge);

  using roomy = new Simulator({ machine: "x64-16gib", systemVaBytes: 4n << 30n });
  const s2 = roomy.stream();
  const mdl = s2.allocatePagesForMdl(ANY, 2n << 30n)!;
  const va = s2.mapAllocatedPages(mdl, CacheType.Cached)!;
  assert.equal(mdl.mappedSystemVa, va);
  assert.equal(roomy.mm.systemVaInUse, 2n << 30n);
  s2.unmapAllocatedPages(va, mdl);
  assert.equal(roomy.mm.systemVaInUse, 0n, "unmapping returns the address space");
  s2.freePagesFromMdl(mdl);
});

Deno.test("pages are zeroed unless DONT_ZERO_ALLOCATION; zeroing costs modeled time", () => {
  using sim = new Simulator({ machine: tinyMachine(16) });
  const stream = sim.stream();
  const first = stream.allocatePagesForMdl(ANY, 16 * PAGE)!;
  const cleanCost = stream.lastCall!.durationNs;
  const firstPfns = [...first.pfns];
  stream.freePagesFromMdl(first);
  assert.ok(firstPfns.every((pfn) => !sim.isFrameZeroed(pfn)), "freed pages are stale");

  const raw = sim.mm.allocatePagesForMdlEx({
    lowAddress: 0n,
    highAddress: ANY,
    skipBytes: 0n,
    totalBytes: 16 * PAGE,
    cacheType: CacheType.Cached,
    flags: MmAllocateFlags.DONT_ZERO_ALLOCATION,
  });
  assert.ok([...raw.value!.pfns].every((pfn) => !sim.isFrameZeroed(pfn)));
  assert.equal(raw.durationNs, cleanCost, "nothing zeroed, same cost as clean pages");
  stream.freePagesFromMdl(raw.value!);

  const zeroed = stream.allocatePagesForMdl(ANY, 16 * PAGE)!;
  assert.ok([...zeroed.pfns].every((pfn) => sim.isFrameZeroed(pfn)));
  const expected = cleanCost + 16 * PAGE / sim.costModel.zeroBytesPerSecond * 1e9;
  assert.equal(stream.lastCall!.durationNs, expected);
  stream.freePagesFromMdl(zeroed);
});

Deno.test("freshPages 'stale' makes every first allocation pay for zeroing", () => {
  using clean = new Simulator();
  using stale = new Simulator({ freshPages: "stale" });
  const a = clean.stream();
  const b = stale.stream();
  a.allocatePagesForMdl(FOUR_GIB, 16 * PAGE);
  b.allocatePagesForMdl(FOUR_GIB, 16 * PAGE);
  const zeroNs = 16 * PAGE / clean.costModel.zeroBytesPerSecond * 1e9;
  assert.equal(b.lastCall!.durationNs - a.lastCall!.durationNs, zeroNs);
  assert.throws(() => new Simulator({ freshPages: "dirty" as "stale" }), /freshPages/);
});

Deno.test("every call reports a modeled duration from the cost model", () => {
  const costModel = { allocateCallNs: 1000, allocatePageNs: 10, mapCallNs: 500, mapPageNs: 1 };
  using sim = new Simulator({ costModel });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8 * PAGE)!;
  assert.deepEqual(stream.lastCall, {
    operation: "allocatePagesForMdl",
    durationNs: 1000 + 8 * 10,
    source: "modeled",
  });
  const va = stream.mapAllocatedPages(mdl, CacheType.Cached)!;
  assert.equal(stream.lastCall!.durationNs, 500 + 8);
  stream.unmapAllocatedPages(va, mdl);
  assert.equal(stream.lastCall!.operation, "unmapAllocatedPages");
  stream.freePagesFromMdl(mdl);
  assert.equal(stream.lastCall!.operation, "freePagesFromMdl");
  assert.ok(sim.clockNs > 1580);
});

Deno.test("same seed, configuration and calls give identical frame numbers", () => {
  const run = (seed: number) => {
    using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.3, seed });
    const stream = sim.stream();
    const out: number[] = [];
    for (const bytes of [1920, 65536, 1 << 20, 12345]) {
      const mdl = stream.allocatePagesForMdl(FOUR_GIB, bytes)!;
      out.push(...mdl.pfns);
    }
    return out;
  };
  assert.deepEqual(run(42), run(42));
  assert.notDeepEqual(run(42), run(43));
});

Deno.test("fragmentation occupies about the requested fraction of RAM", () => {
  for (const fraction of [0.1, 0.3, 0.7]) {
    using sim = new Simulator({ machine: "x64-4gib", fragmentation: fraction, seed: 9 });
    const share = sim.fragmentedPageCount / sim.totalPageCount;
    assert.ok(Math.abs(share - fraction) < 0.01, `${fraction}: ${share}`);
    assert.equal(sim.freePageCount, sim.totalPageCount - sim.fragmentedPageCount);
  }
});

Deno.test("16 KiB and 64 KiB pages round to their own page size", () => {
  for (const pageSize of [16384, 65536]) {
    using sim = new Simulator({ pageSize });
    const stream = sim.stream();
    const mdl = stream.allocatePagesForMdl(FOUR_GIB, 1920)!;
    assert.equal(mdl.byteCount, pageSize);
    assert.equal(stream.getPhysicalPageAddress(mdl, 0) % BigInt(pageSize), 0n);
    stream.freePagesFromMdl(mdl);
  }
});

Deno.test("GetPhysicalPageAddress past the end: RangeError, or 0 under the ReactOS policy", () => {
  using sim = new Simulator();
  const mdl = sim.stream().allocatePagesForMdl(FOUR_GIB, PAGE)!;
  assert.throws(() => sim.stream().getPhysicalPageAddress(mdl, 1), {
    name: "RangeError",
    message: "index must be below the MDL's 1 pages, got 1",
  });
  using ros = new Simulator({ policies: { pageAddressOutOfRange: "zero" } });
  const mdl2 = ros.stream().allocatePagesForMdl(FOUR_GIB, PAGE)!;
  assert.equal(ros.stream().getPhysicalPageAddress(mdl2, 5), 0n);
});

Deno.test("TotalBytes = 0 returns NULL by default, or is bad input under policy", () => {
  using sim = new Simulator();
  assert.equal(sim.stream().allocatePagesForMdl(FOUR_GIB, 0), null);
  using strict = new Simulator({ policies: { zeroBytes: "range-error" } });
  assert.throws(() => strict.stream().allocatePagesForMdl(FOUR_GIB, 0), RangeError);
});

Deno.test("close frees everything still allocated and is safe twice", () => {
  const sim = new Simulator();
  const stream = sim.stream();
  const free = sim.freePageCount;
  const mdl = stream.allocatePagesForMdl(FOUR_GIB, 1 << 20)!;
  stream.mapAllocatedPages(mdl, CacheType.Cached);
  stream.allocatePagesForMdl(FOUR_GIB, 4096);
  sim.close();
  sim.close();
  assert.equal(sim.freePageCount, free);
  assert.deepEqual(sim.leaks(), []);
  assert.throws(() => sim.stream(), /closed/);
});
