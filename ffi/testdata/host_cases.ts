/**
 * Hardware cases: each export runs in a child process through {@linkcode runIsolated} against a
 * fresh host backend, and returns a small summary the test prints. A case that needs something
 * this machine cannot give (frame numbers, contiguous memory) returns `{ skipped: reason }`; the
 * registering test checks the capability first, so this only happens if the child differs.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Mdl } from "../../core/backend.ts";
import { CacheType, MdlFlags } from "../../core/constants.ts";
import { ramBytes } from "../../core/machine.ts";
import { DriverViolation } from "../../core/violations.ts";
import { HelperStatus } from "../helper_error.ts";
import { type HostBackend, openHostBackend } from "../host_backend.ts";
import { ResultWord } from "../symbols.ts";

const HIGH_4G = 0xFFFF_FFFFn;
const HIGH_ANY = 0x7FFF_FFFF_FFFF_FFFFn;

/** Every frame non-zero, unique, and what the page tables say now. */
function assertRealFrames(backend: HostBackend, mdl: Mdl): void {
  const pages = backend.stream().getPhysicalPagesCount(mdl);
  assert.equal(mdl.pfns.length, pages);
  const seen = new Set<number>();
  for (let i = 0; i < pages; i++) {
    const pfn = mdl.pfns[i];
    assert.ok(Number.isSafeInteger(pfn) && pfn > 0, `pfns[${i}] = ${pfn} is not a frame number`);
    assert.ok(!seen.has(pfn), `pfns[${i}] = ${pfn} appears twice`);
    seen.add(pfn);
  }
  assert.deepEqual(backend.queryFrames(mdl), Array.from(mdl.pfns));
}

/**
 * Frame numbers are real: non-zero, unique, stable, and GetPhysicalPageAddress is pfn × page.
 */
export function realFrameNumbers(backend: HostBackend): unknown {
  const stream = backend.stream();
  const mdl = stream.allocatePagesForMdl(HIGH_ANY, 64 * backend.pageSize);
  assert.ok(mdl !== null, "a 64-page allocation returned null");
  try {
    assertRealFrames(backend, mdl);
    for (const i of [0, 31, 63]) {
      assert.equal(
        stream.getPhysicalPageAddress(mdl, i),
        BigInt(mdl.pfns[i]) * BigInt(backend.pageSize),
      );
    }
    assert.equal(stream.lastCall?.source, "measured");
    return { pages: mdl.pfns.length, first: mdl.pfns[0], allocateNs: stream.lastCall?.durationNs };
  } finally {
    stream.freePagesFromMdl(mdl);
  }
}

/**
 * Sizes are whole pages: every request comes back rounded up to a page multiple, with one frame
 * per page and a fresh MDL's header fields.
 */
export function pageMultipleSizes(backend: HostBackend): unknown {
  const stream = backend.stream();
  const page = backend.pageSize;
  const sizes = [1, 1920, page - 1, page, page + 1, 3 * page, 16 * page + 7, 1 << 20];
  for (const size of sizes) {
    const mdl = stream.allocatePagesForMdl(HIGH_4G, size);
    assert.ok(mdl !== null, `${size} bytes returned null`);
    try {
      assert.equal(mdl.byteCount, Math.ceil(size / page) * page, `byteCount for ${size}`);
      assert.equal(stream.getPhysicalPagesCount(mdl), Math.ceil(size / page));
      assert.equal(mdl.pfns.length, Math.ceil(size / page));
      assert.equal(mdl.byteOffset, 0);
      assert.equal(mdl.startVa, 0n);
      assert.equal(mdl.mdlFlags, MdlFlags.PAGES_LOCKED);
      assert.equal(mdl.mappedSystemVa, null);
      assert.ok(stream.lastCall!.durationNs > 0, "the allocation was not timed");
    } finally {
      stream.freePagesFromMdl(mdl);
    }
  }
  assert.equal(stream.allocatePagesForMdl(HIGH_4G, 0), null, "0 bytes must return null");
  return { sizes: sizes.length };
}

/**
 * Contiguous requests up to one huge page are either physically contiguous or null, never a
 * partial or scattered result.
 */
export function contiguousOrNull(backend: HostBackend): unknown {
  const capability = backend.capabilities.contiguous;
  if (!capability.available) return { skipped: capability.reason };
  const stream = backend.stream();
  const outcomes: Record<string, string> = {};
  for (const pages of [1, 2, 16, 256, backend.host.hugePageSize / backend.pageSize]) {
    const mdl = stream.allocateContiguousPagesForMdl(0n, HIGH_ANY, pages * backend.pageSize);
    if (mdl === null) {
      outcomes[pages] = "null";
      continue;
    }
    try {
      assert.equal(mdl.byteCount, pages * backend.pageSize);
      for (let i = 1; i < pages; i++) {
        assert.equal(mdl.pfns[i], mdl.pfns[0] + i, `page ${i} of ${pages} is not contiguous`);
      }
      assertRealFrames(backend, mdl);
      outcomes[pages] = "contiguous";
    } finally {
      stream.freePagesFromMdl(mdl);
    }
  }
  return outcomes;
}

/**
 * HighAddress is observed, not enforced: a request below 16 MiB is served in full and each page
 * above the limit is reported as it is, not dropped or replaced.
 */
export function highAddressObserved(backend: HostBackend): unknown {
  assert.equal(backend.capabilities.highAddressEnforced.available, false);
  const stream = backend.stream();
  const high = 0xFF_FFFFn;
  const mdl = stream.allocatePagesForMdl(high, 32 * backend.pageSize);
  assert.ok(mdl !== null);
  try {
    assert.equal(mdl.byteCount, 32 * backend.pageSize);
    if (!backend.capabilities.frameNumbers.available) {
      return { skipped: backend.capabilities.frameNumbers.reason };
    }
    assertRealFrames(backend, mdl);
    let above = 0;
    for (let i = 0; i < 32; i++) if (stream.getPhysicalPageAddress(mdl, i) > high) above++;
    return { pagesAboveHighAddress: above, of: 32 };
  } finally {
    stream.freePagesFromMdl(mdl);
  }
}

function expectViolation(rule: string, body: () => unknown): void {
  assert.throws(body, (e: unknown) => e instanceof DriverViolation && e.rule === rule);
}

/**
 * Map returns the existing user mapping and sets the flags; misuse raises the simulator's
 * violations and changes nothing in the helper.
 */
export function mapUnmapAndMisuse(backend: HostBackend): unknown {
  const stream = backend.stream();
  const mdl = stream.allocatePagesForMdl(HIGH_4G, 4 * backend.pageSize)!;
  const base = stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
  assert.ok(base !== null && base !== 0n);
  assert.equal(mdl.mappedSystemVa, base);
  assert.equal(mdl.mdlFlags, MdlFlags.PAGES_LOCKED | MdlFlags.MAPPED_TO_SYSTEM_VA);
  const before = backend.stats();
  expectViolation("double-map", () => stream.mapAllocatedPages(mdl, CacheType.Cached));
  expectViolation("free-while-mapped", () => stream.freePagesFromMdl(mdl));
  expectViolation("unmap-wrong-address", () => stream.unmapAllocatedPages(base + 1n, mdl));
  assert.deepEqual(backend.stats(), before, "a violation changed the helper's state");
  stream.unmapAllocatedPages(base, mdl);
  assert.equal(mdl.mappedSystemVa, null);
  assert.equal(mdl.mdlFlags, MdlFlags.PAGES_LOCKED);
  expectViolation("unmap-not-mapped", () => stream.unmapAllocatedPages(base, mdl));

  stream.freePagesFromMdl(mdl);
  expectViolation("double-free", () => stream.freePagesFromMdl(mdl));
  expectViolation("use-after-free", () => stream.mapAllocatedPages(mdl, CacheType.Cached));
  expectViolation("use-after-free", () => stream.getPhysicalPagesCount(mdl));
  const fake = { ...mdl, byteCount: 4096 } as Mdl;
  expectViolation("foreign-mdl", () => stream.freePagesFromMdl(fake));
  {
    using other = openHostBackend();
    const theirs = other.stream().allocatePagesForMdl(HIGH_4G, backend.pageSize)!;
    expectViolation("foreign-mdl", () => stream.freePagesFromMdl(theirs));
    other.stream().freePagesFromMdl(theirs);
  }
  assert.deepEqual(backend.stats(), { allocations: 0, lockedBytes: 0 });
  return { mappedAt: `0x${base.toString(16)}` };
}

/**
 * close() frees what is still allocated (the locked memory returns to its baseline), is safe
 * twice, and MDLs of a closed backend count as freed.
 */
export function closeFreesEverything(probe: HostBackend): unknown {
  const baseline = probe.processLockedBytes();
  const backend = openHostBackend();
  const stream = backend.stream();
  const mdls = [1, 5, 9].map((pages) => stream.allocatePagesForMdl(HIGH_4G, pages * 4096)!);
  stream.mapAllocatedPages(mdls[1], CacheType.Cached);
  assert.equal(backend.leaks().length, 3);
  assert.ok(probe.processLockedBytes() >= baseline + 15 * 4096, "the pages are not locked");
  backend.close();
  backend.close();
  assert.equal(probe.processLockedBytes(), baseline, "close() left memory locked");
  expectViolation("use-after-free", () => stream.getPhysicalPagesCount(mdls[0]));
  assert.throws(() => backend.stream(), /closed/);
  return { freedOnClose: mdls.length };
}

/**
 * After 10,000 allocate/free cycles the process's locked memory (VmLck) is back at its baseline.
 */
export function lockedMemoryBackToBaseline(backend: HostBackend): unknown {
  const stream = backend.stream();
  const baseline = backend.processLockedBytes();
  const sizes = [1920, 4096, 3 * 4096 + 1, 16 * 4096];
  for (let i = 0; i < 10_000; i++) {
    const mdl = stream.allocatePagesForMdl(HIGH_4G, sizes[i % sizes.length]);
    assert.ok(mdl !== null, `cycle ${i} returned null`);
    stream.freePagesFromMdl(mdl);
  }
  const after = backend.processLockedBytes();
  assert.equal(after, baseline, `VmLck ${after} bytes after 10,000 cycles, baseline ${baseline}`);
  assert.deepEqual(backend.stats(), { allocations: 0, lockedBytes: 0 });
  return { cycles: 10_000, vmLckBytes: after };
}

/**
 * Run under a small RLIMIT_MEMLOCK without CAP_IPC_LOCK: locking fails partway and the call
 * returns the pages it got: a page multiple, less than asked, with valid frames; nothing stays
 * locked after the free.
 */
export function partialUnderMemlockLimit(backend: HostBackend): unknown {
  const { memlockLimit, canLockUnlimited } = backend.host;
  assert.ok(!canLockUnlimited, "the child can still lock without limit (CAP_IPC_LOCK kept)");
  assert.ok(Number.isFinite(memlockLimit), "RLIMIT_MEMLOCK is unlimited");
  const baseline = backend.processLockedBytes();
  const stream = backend.stream();
  const asked = memlockLimit * 4;
  const mdl = stream.allocatePagesForMdl(HIGH_ANY, asked);
  assert.ok(mdl !== null, "nothing could be locked at all");
  try {
    assert.ok(mdl.byteCount < asked, `got ${mdl.byteCount} of ${asked}: not partial`);
    assert.ok(mdl.byteCount > 0 && mdl.byteCount % backend.pageSize === 0);
    assert.ok(mdl.byteCount <= memlockLimit - baseline, "more than the limit was locked");
    assert.equal(mdl.pfns.length, mdl.byteCount / backend.pageSize);
    assert.equal(backend.processLockedBytes(), baseline + mdl.byteCount);
    if (backend.capabilities.frameNumbers.available) assertRealFrames(backend, mdl);
  } finally {
    stream.freePagesFromMdl(mdl);
  }
  assert.equal(backend.processLockedBytes(), baseline, "pages stayed locked after the free");
  return { asked, got: mdl.byteCount, limit: memlockLimit };
}

/**
 * Without CAP_SYS_ADMIN: frame numbers and contiguity are reported unavailable with the reason,
 * while sizes and timings still work (the frames are zeros, as the kernel reports them).
 */
export function withoutFrameNumbers(backend: HostBackend): unknown {
  const { frameNumbers, contiguous } = backend.capabilities;
  assert.ok(!frameNumbers.available, "frame numbers are still readable");
  assert.match(frameNumbers.reason, /CAP_SYS_ADMIN/);
  assert.ok(!contiguous.available);
  const stream = backend.stream();
  const mdl = stream.allocatePagesForMdl(HIGH_4G, 3 * backend.pageSize + 1);
  assert.ok(mdl !== null);
  try {
    assert.equal(mdl.byteCount, 4 * backend.pageSize);
    assert.deepEqual([...mdl.pfns], [0, 0, 0, 0]);
    assert.ok(stream.lastCall!.durationNs > 0);
  } finally {
    stream.freePagesFromMdl(mdl);
  }
  return { reason: frameNumbers.reason };
}

/**
 * The RAM ranges the helper reads are the machine's real memory: non-empty, page-aligned, sorted
 * and disjoint, and every frame the allocator hands out (scattered pages, and a contiguous block
 * where one can be had) lies inside one of them.
 */
export function ramLayoutHoldsFrames(backend: HostBackend): unknown {
  const layout = backend.ramLayout();
  assert.ok(layout !== null, "ramLayout() is null although physical addresses are readable");
  const page = BigInt(backend.pageSize);
  assert.equal(layout.pageSize, backend.pageSize);
  assert.ok(layout.ranges.length > 0, "no RAM range");
  let previousEnd = -1n;
  for (const [i, { base, length }] of layout.ranges.entries()) {
    assert.ok(length > 0n, `ranges[${i}] is empty`);
    assert.equal(base % page, 0n, `ranges[${i}].base 0x${base.toString(16)} is not page-aligned`);
    assert.equal(length % page, 0n, `ranges[${i}].length is not a page multiple`);
    assert.ok(base >= previousEnd, `ranges[${i}] is out of order or overlaps the one before`);
    previousEnd = base + length;
  }
  const inRam = (address: bigint) =>
    layout.ranges.some((r) => address >= r.base && address - r.base < r.length);

  const stream = backend.stream();
  const mdls: Mdl[] = [];
  let checked = 0;
  try {
    for (const pages of [1, 7, 256]) {
      const mdl = stream.allocatePagesForMdl(HIGH_ANY, pages * backend.pageSize);
      assert.ok(mdl !== null, `${pages} pages returned null`);
      mdls.push(mdl);
    }
    if (backend.capabilities.contiguous.available) {
      const mdl = stream.allocateContiguousPagesForMdl(0n, HIGH_ANY, 16 * backend.pageSize);
      if (mdl !== null) mdls.push(mdl);
    }
    for (const mdl of mdls) {
      assertRealFrames(backend, mdl);
      for (let i = 0; i < mdl.pfns.length; i++) {
        const address = stream.getPhysicalPageAddress(mdl, i);
        assert.ok(inRam(address), `frame 0x${address.toString(16)} lies outside every RAM range`);
        checked++;
      }
    }
  } finally {
    for (const mdl of mdls) stream.freePagesFromMdl(mdl);
  }
  return {
    ranges: layout.ranges.length,
    ramBytes: String(ramBytes(layout)),
    framesChecked: checked,
  };
}

/**
 * Without CAP_SYS_ADMIN the kernel shows zeros for physical addresses: the helper says so
 * (`WRT_E_ADDRESSES_HIDDEN`, naming the capability) and `ramLayout()` is null without throwing.
 */
export function ramLayoutWithoutSysAdmin(backend: HostBackend): unknown {
  const out = new BigUint64Array(ResultWord.length);
  const status = backend.library.symbols.wrt_host_ram(null, 0n, out);
  assert.equal(status, HelperStatus.ADDRESSES_HIDDEN, `wrt_host_ram returned status ${status}`);
  assert.equal(out[ResultWord.byteCount], 0n);
  const message = backend.library.statusMessage(status);
  assert.match(message, /CAP_SYS_ADMIN/);
  assert.equal(backend.ramLayout(), null);
  return { status: "ADDRESSES_HIDDEN", message };
}

/** A backend opened and dropped without close(), for the FinalizationRegistry backstop. */
function leakBackend(pages: number): void {
  const backend = openHostBackend();
  backend.stream().allocatePagesForMdl(HIGH_4G, pages * backend.pageSize);
}

/**
 * Forces garbage collection between native calls while MDLs and the backend's frame buffers are
 * in use (sizes vary so the frame buffer is replaced as it grows): every live MDL keeps matching
 * the page tables, and a backend dropped without close() is released by the backstop. Needs
 * `--v8-flags=--expose-gc`.
 */
export async function gcStress(backend: HostBackend): Promise<unknown> {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc !== undefined, "run with --v8-flags=--expose-gc");
  const frames = backend.capabilities.frameNumbers.available;
  const stream = backend.stream();
  const live: Mdl[] = [];
  let garbage = 0;
  for (let round = 0; round < 300; round++) {
    // At most 10 live MDLs of up to 128 pages: stays under an unprivileged 8 MiB lock limit.
    const pages = 1 + (round * 37) % 128;
    const mdl = stream.allocatePagesForMdl(HIGH_ANY, pages * backend.pageSize);
    assert.ok(mdl !== null, `round ${round}: ${pages} pages returned null`);
    live.push(mdl);
    for (let j = 0; j < 64; j++) garbage += new BigUint64Array(512).length;
    gc();
    if (live.length > 10 || round % 3 === 2) {
      stream.freePagesFromMdl(live.splice(round % live.length, 1)[0]);
    }
    if (round % 25 === 0) {
      for (const m of live) {
        assert.equal(m.pfns.length, m.byteCount / backend.pageSize);
        if (frames) assert.deepEqual(backend.queryFrames(m), Array.from(m.pfns));
      }
    }
  }
  const held = backend.stats();
  assert.equal(held.allocations, live.length);
  for (const m of live.splice(0)) stream.freePagesFromMdl(m);
  gc();

  const baseline = backend.processLockedBytes();
  leakBackend(8);
  assert.equal(backend.processLockedBytes(), baseline + 8 * backend.pageSize);
  let ticks = 0;
  while (backend.processLockedBytes() > baseline && ticks < 200) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
    ticks++;
  }
  assert.equal(backend.processLockedBytes(), baseline, "a dropped backend was never released");
  return { rounds: 300, peakAllocations: held.allocations, garbage, backstopTicks: ticks };
}
