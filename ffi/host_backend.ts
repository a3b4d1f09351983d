/**
 * The hardware backend: the same stream surface as the simulator, served by the native helper
 * with real locked pages, their true frame numbers and per-call durations measured in native
 * code. Misuse the helper can see is reported as the simulator's {@linkcode DriverViolation}s.
 *
 * @module
 */

import {
  checkByteCount,
  checkCacheType,
  checkHighAddress,
  checkIndex,
  checkPhysicalAddress,
  describe,
} from "../core/arguments.ts";
import type {
  Backend,
  BackendCapabilities,
  BackendLimits,
  CallTiming,
  Capability,
  Leak,
  Mdl,
  StreamOperation,
  WaveRtStream,
} from "../core/backend.ts";
import { type CacheType, maxBytesPerCall, MdlFlags } from "../core/constants.ts";
import { type MachineLayout, type RamRange, validateMachine } from "../core/machine.ts";
import {
  checkFreeable,
  checkLiveMdl,
  checkNotMapped,
  checkUnmap,
  type MappedAt,
  type MdlLifecycleState,
} from "../core/mdl_lifecycle.ts";
import { DriverViolation, ViolationRules } from "../core/violations.ts";
import { HelperStatus } from "./helper_error.ts";
import { HelperLibrary } from "./library.ts";
import {
  type HelperSymbols,
  HostFlag,
  HostInfoWord,
  RESULT_FRAMES_VALID,
  ResultWord,
} from "./symbols.ts";

/**
 * Facts about this machine that the capabilities summarise, for reports and tests.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * console.log(backend.host.transparentHugePages, backend.host.memlockLimit);
 * ```
 */
export interface HostInfo {
  /** Bytes per page (`sysconf(_SC_PAGESIZE)`). */
  readonly pageSize: number;
  /** Whether `/proc/self/pagemap` yields real frame numbers (needs CAP_SYS_ADMIN). */
  readonly framesReadable: boolean;
  /** Why frame numbers are unavailable; empty when they are readable. */
  readonly framesReason: string;
  /** Transparent huge page mode: what contiguous allocations rely on. */
  readonly transparentHugePages: "always" | "madvise" | "never";
  /** PMD huge page size in bytes. */
  readonly hugePageSize: number;
  /** RLIMIT_MEMLOCK soft limit in bytes (Infinity when unlimited). */
  readonly memlockLimit: number;
  /** Locking beyond RLIMIT_MEMLOCK is allowed (CAP_IPC_LOCK or no limit). */
  readonly canLockUnlimited: boolean;
  /** `clock_getres(CLOCK_MONOTONIC_RAW)` in ns. */
  readonly clockResolutionNs: number;
  /** Smallest non-zero step between two clock reads, in ns. */
  readonly clockMeasuredNs: number;
}

/** What the backend holds for one MDL; reachable only through {@linkcode HostMdl}. */
interface MdlRecord extends MdlLifecycleState {
  /** The backend that allocated it. */
  readonly owner: HostBackend;
  readonly id: number;
  readonly handle: bigint;
  readonly source: StreamOperation;
  /** The frames the helper reported, frozen: also the MDL's `pfns`. */
  readonly frames: readonly number[];
  readonly byteCount: number;
  mdlFlags: number;
  mappedAt: bigint | null;
  freed: boolean;
}

/**
 * An MDL returned by the host backend. Its fields are read-only views of the backend's record.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * const mdl = backend.stream().allocatePagesForMdl(0xFFFFFFFFn, 1920)!;
 * mdl.byteCount; // 4096
 * ```
 */
export class HostMdl implements Mdl {
  // A private field rather than a WeakMap: allocation is a hot path and WeakMap inserts cost
  // more than the whole FFI call.
  readonly #record: MdlRecord;

  constructor(record: MdlRecord) {
    this.#record = record;
  }

  /** The record behind `value` if it is a host MDL, else undefined. */
  static recordOf(value: unknown): MdlRecord | undefined {
    return typeof value === "object" && value !== null && #record in value
      ? (value as HostMdl).#record
      : undefined;
  }

  /** Frame numbers, frozen: the backend frees and translates from this same record. */
  get pfns(): readonly number[] {
    return this.#record.frames;
  }

  get byteCount(): number {
    return this.#record.byteCount;
  }

  get byteOffset(): number {
    return 0;
  }

  get startVa(): bigint {
    return 0n;
  }

  get mdlFlags(): number {
    return this.#record.mdlFlags;
  }

  get mappedSystemVa(): bigint | null {
    return this.#record.mappedAt;
  }
}

const HIGH_ADDRESS_NOTE = "Linux offers no physical address limit for user memory: each page's " +
  "address is reported as it is and compared against HighAddress by the caller (observed), " +
  "never dropped or faked to look compliant";

/**
 * A stream on the host backend. Obtain one with `backend.stream()`.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * const stream = backend.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4 * 4096)!;
 * stream.lastCall?.durationNs; // measured in the helper
 * stream.freePagesFromMdl(mdl);
 * ```
 */
export class HostStream implements WaveRtStream {
  readonly #backend: HostBackend;
  readonly #call: NativeCalls;
  #lastCall: CallTiming | null = null;

  constructor(backend: HostBackend, call: NativeCalls) {
    this.#backend = backend;
    this.#call = call;
  }

  get lastCall(): CallTiming | null {
    return this.#lastCall;
  }

  allocatePagesForMdl(highAddress: bigint, totalBytes: number | bigint): Mdl | null {
    this.#checkOpen();
    checkHighAddress(highAddress, this.#backend.pageSize);
    const total = this.#checkTotal(totalBytes);
    if (total === 0n) return null;
    const { status, out, frames } = this.#call.allocate(highAddress, total);
    return this.#allocated("allocatePagesForMdl", status, out, frames);
  }

  allocateContiguousPagesForMdl(
    lowAddress: bigint,
    highAddress: bigint,
    totalBytes: number | bigint,
  ): Mdl | null {
    this.#checkOpen();
    checkPhysicalAddress("lowAddress", lowAddress);
    checkHighAddress(highAddress, this.#backend.pageSize);
    const total = this.#checkTotal(totalBytes);
    if (lowAddress > highAddress) {
      throw new RangeError(
        `lowAddress must not exceed highAddress, got ${lowAddress} > ${highAddress}`,
      );
    }
    if (total === 0n) return null;
    const { status, out, frames } = this.#call.allocateContiguous(lowAddress, highAddress, total);
    if (status === HelperStatus.NOT_CONTIGUOUS) {
      this.#timed("allocateContiguousPagesForMdl", out);
      return null;
    }
    return this.#allocated("allocateContiguousPagesForMdl", status, out, frames);
  }

  mapAllocatedPages(mdl: Mdl, cacheType: CacheType): bigint | null {
    const record = this.#live(mdl, "mapAllocatedPages");
    checkCacheType("cacheType", cacheType);
    checkNotMapped(record, record.mappedAt);
    const out = this.#call.map(record.handle, cacheType);
    this.#timed("mapAllocatedPages", out);
    record.mappedAt = out[ResultWord.address];
    record.mdlFlags |= MdlFlags.MAPPED_TO_SYSTEM_VA;
    return record.mappedAt;
  }

  unmapAllocatedPages(baseAddress: bigint, mdl: Mdl): void {
    const record = this.#live(mdl, "unmapAllocatedPages");
    if (typeof baseAddress !== "bigint") {
      throw new TypeError(`baseAddress must be a bigint, got ${describe(baseAddress)}`);
    }
    checkUnmap(record, mappingsOf(record), baseAddress);
    this.#timed("unmapAllocatedPages", this.#call.unmap(record.handle, baseAddress));
    record.mappedAt = null;
    record.mdlFlags &= ~MdlFlags.MAPPED_TO_SYSTEM_VA;
  }

  freePagesFromMdl(mdl: Mdl): void {
    const record = this.#live(mdl, "freePagesFromMdl");
    checkFreeable(record, mappingsOf(record));
    this.#timed("freePagesFromMdl", this.#call.free(record.handle));
    this.#backend[forget](record);
  }

  getPhysicalPagesCount(mdl: Mdl): number {
    const record = this.#live(mdl, "getPhysicalPagesCount");
    return Math.ceil(record.byteCount / this.#backend.pageSize);
  }

  getPhysicalPageAddress(mdl: Mdl, index: number): bigint {
    const record = this.#live(mdl, "getPhysicalPageAddress");
    checkIndex("index", index);
    const pages = record.frames.length;
    if (index >= pages) {
      throw new RangeError(`index must be below the MDL's ${pages} pages, got ${index}`);
    }
    return BigInt(record.frames[index]) * BigInt(this.#backend.pageSize);
  }

  /** MDL calls need no check: close() marks every MDL freed, so they raise use-after-free. */
  #checkOpen(): void {
    if (this.#backend.closed) throw new Error("the linux-host backend is closed");
  }

  /** The byte count to ask for: larger requests are clamped, as Windows returns them partial. */
  #checkTotal(totalBytes: unknown): bigint {
    const total = checkByteCount("totalBytes", totalBytes);
    const max = BigInt(maxBytesPerCall(this.#backend.pageSize));
    return total > max ? max : total;
  }

  #allocated(
    operation: StreamOperation,
    status: number,
    out: BigUint64Array,
    frames: BigUint64Array,
  ): Mdl | null {
    this.#timed(operation, out);
    if (status === HelperStatus.NO_MEMORY) return null;
    if (status !== HelperStatus.OK) {
      throw this.#backend.library.error(operation, status, Number(out[ResultWord.sysErrno]));
    }
    const byteCount = Number(out[ResultWord.byteCount]);
    const pages = byteCount / this.#backend.pageSize;
    const copy = new Array<number>(pages);
    const valid = (out[ResultWord.flags] & RESULT_FRAMES_VALID) !== 0n;
    for (let i = 0; i < pages; i++) copy[i] = valid ? Number(frames[i]) : 0;
    return this.#backend[remember](
      operation,
      out[ResultWord.handle],
      Object.freeze(copy),
      byteCount,
    );
  }

  #timed(operation: StreamOperation, out: BigUint64Array): void {
    this.#lastCall = {
      operation,
      durationNs: Number(out[ResultWord.durationNs]),
      source: "measured",
    };
  }

  #live(mdl: Mdl, operation: string): MdlRecord {
    return checkLiveMdl(mdl, HostMdl.recordOf(mdl), this.#backend, operation, "host backend");
  }
}

const NOT_MAPPED: readonly MappedAt[] = [];

/** The record's one mapping as the rule book lists mappings. */
function mappingsOf(record: MdlRecord): readonly MappedAt[] {
  return record.mappedAt === null ? NOT_MAPPED : [{ address: record.mappedAt }];
}

/** What an allocation call returns: the status, the result words and the frame buffer. */
interface NativeAllocation {
  readonly status: number;
  readonly out: BigUint64Array;
  readonly frames: BigUint64Array;
}

/**
 * The native calls of one backend context, with the buffers they write into. The buffers are
 * fields, so they live exactly as long as the backend that native code writes them for.
 */
class NativeCalls {
  readonly #lib: HelperLibrary;
  readonly #symbols: HelperSymbols;
  readonly #context: bigint;
  readonly #pageSize: bigint;
  readonly #out = new BigUint64Array(ResultWord.length);
  #frames = new BigUint64Array(64);

  constructor(lib: HelperLibrary, context: bigint, pageSize: number) {
    this.#lib = lib;
    this.#symbols = lib.symbols;
    this.#context = context;
    this.#pageSize = BigInt(pageSize);
  }

  allocate(high: bigint, total: bigint): NativeAllocation {
    const frames = this.#framesFor(total);
    const status = this.#symbols.wrt_allocate_pages(
      this.#context,
      high,
      total,
      frames,
      BigInt(frames.length),
      this.#out,
    );
    return { status, out: this.#out, frames };
  }

  allocateContiguous(low: bigint, high: bigint, total: bigint): NativeAllocation {
    const frames = this.#framesFor(total);
    const status = this.#symbols.wrt_allocate_contiguous(
      this.#context,
      low,
      high,
      total,
      frames,
      BigInt(frames.length),
      this.#out,
    );
    return { status, out: this.#out, frames };
  }

  map(handle: bigint, cacheType: number): BigUint64Array {
    return this.#checked(
      "wrt_map",
      this.#symbols.wrt_map(this.#context, handle, cacheType, this.#out),
    );
  }

  unmap(handle: bigint, base: bigint): BigUint64Array {
    return this.#checked(
      "wrt_unmap",
      this.#symbols.wrt_unmap(this.#context, handle, base, this.#out),
    );
  }

  free(handle: bigint): BigUint64Array {
    return this.#checked("wrt_free", this.#symbols.wrt_free(this.#context, handle, this.#out));
  }

  queryFrames(handle: bigint, pages: number): BigUint64Array {
    const frames = this.#framesFor(BigInt(pages) * this.#pageSize);
    this.#checked(
      "wrt_query_frames",
      this.#symbols.wrt_query_frames(
        this.#context,
        handle,
        frames,
        BigInt(frames.length),
        this.#out,
      ),
    );
    return frames;
  }

  stats(): { allocations: number; lockedBytes: number } {
    this.#checked("wrt_context_stats", this.#symbols.wrt_context_stats(this.#context, this.#out));
    return {
      allocations: Number(this.#out[ResultWord.handle]),
      lockedBytes: Number(this.#out[ResultWord.byteCount]),
    };
  }

  processLocked(): number {
    this.#checked("wrt_process_locked", this.#symbols.wrt_process_locked(this.#out));
    return Number(this.#out[ResultWord.byteCount]);
  }

  /**
   * The RAM ranges the helper reads from /proc/iomem, or null when this machine will not say
   * (addresses hidden without CAP_SYS_ADMIN, or no such list). The buffer grows to the count the
   * helper asks for; a few retries cover RAM hot-plugged between two calls.
   */
  hostRam(): RamRange[] | null {
    let slots = 64;
    for (let attempt = 0; attempt < 4; attempt++) {
      const ranges = new BigUint64Array(slots);
      const status = this.#symbols.wrt_host_ram(ranges, BigInt(slots), this.#out);
      if (status === HelperStatus.ADDRESSES_HIDDEN || status === HelperStatus.UNSUPPORTED) {
        return null;
      }
      const count = Number(this.#out[ResultWord.byteCount]);
      if (status === HelperStatus.BUFFER_TOO_SMALL) {
        slots = 2 * count;
        continue;
      }
      this.#checked("wrt_host_ram", status);
      return Array.from({ length: count }, (_, i) => ({
        base: ranges[2 * i],
        length: ranges[2 * i + 1],
      }));
    }
    throw new Error(
      `wrt_host_ram kept asking for a bigger buffer (last ${slots / 2} ranges): ` +
        "the RAM layout changed on every read",
    );
  }

  close(): void {
    this.#checked("wrt_context_close", this.#symbols.wrt_context_close(this.#context, this.#out));
  }

  /** The frame buffer, grown (and then kept) when a request needs more pages than it holds. */
  #framesFor(total: bigint): BigUint64Array {
    const pages = Number((total + this.#pageSize - 1n) / this.#pageSize);
    if (this.#frames.length < pages) this.#frames = new BigUint64Array(pages);
    return this.#frames;
  }

  #checked(call: string, status: number): BigUint64Array {
    if (status !== HelperStatus.OK) {
      throw this.#lib.error(call, status, Number(this.#out[ResultWord.sysErrno]));
    }
    return this.#out;
  }
}

const remember = Symbol("remember");
const forget = Symbol("forget");

/** Closes a backend's native context if the backend is collected without `close()`. */
const unclosed = new FinalizationRegistry<{ calls: NativeCalls; lib: HelperLibrary }>(
  ({ calls, lib }) => {
    calls.close();
    lib.close();
  },
);

/**
 * Options of {@linkcode openHostBackend}.
 *
 * @example
 * ```ts
 * const options: HostBackendOptions = { path: "/opt/wavert/libwavert_helper.so" };
 * ```
 */
export interface HostBackendOptions {
  /** Helper library path; default `WAVERT_HELPER_PATH`, then the locally built file. */
  readonly path?: string;
}

/**
 * The host backend: the Linux helper, or on Windows the bridge to the WaveRT test driver. Create
 * it with {@linkcode openHostBackend}.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * if (!backend.capabilities.frameNumbers.available) {
 *   console.log("frame numbers unavailable:", backend.capabilities.frameNumbers.reason);
 * }
 * ```
 */
export class HostBackend implements Backend {
  /** `"linux-host"`, or `"windows-wavert"` when the helper is the Windows bridge. */
  readonly name: string;
  readonly pageSize: number;
  readonly capabilities: BackendCapabilities;
  readonly limits: BackendLimits;
  readonly host: HostInfo;
  /** The loaded helper. */
  readonly library: HelperLibrary;
  readonly #calls: NativeCalls;
  readonly #live = new Set<MdlRecord>();
  #nextId = 1;
  #closed = false;

  constructor(options: HostBackendOptions = {}) {
    const lib = HelperLibrary.open(options.path);
    try {
      this.host = queryHost(lib);
      const out = new BigUint64Array(ResultWord.length);
      const status = lib.symbols.wrt_context_open(out);
      if (status !== HelperStatus.OK) throw lib.error("wrt_context_open", status);
      this.pageSize = this.host.pageSize;
      this.#calls = new NativeCalls(lib, out[ResultWord.handle], this.pageSize);
    } catch (e) {
      lib.close();
      throw e;
    }
    this.library = lib;
    this.name = Deno.build.os === "windows" ? "windows-wavert" : "linux-host";
    this.capabilities = hostCapabilities(this.host, Deno.build.os);
    this.limits = hostLimits(this.host);
    unclosed.register(this, { calls: this.#calls, lib }, this);
  }

  /** Whether {@linkcode close} has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** A stream surface; all streams share this backend's allocations. */
  stream(): HostStream {
    if (this.#closed) throw new Error("the linux-host backend is closed");
    return new HostStream(this, this.#calls);
  }

  /** Live allocations and the bytes they hold locked, as the helper counts them. */
  stats(): { allocations: number; lockedBytes: number } {
    this.#checkOpen();
    return this.#calls.stats();
  }

  /**
   * Bytes of memory the whole process holds locked (`VmLck`), read by the helper because Deno
   * needs --allow-all to read `/proc/self/status`.
   *
   * @example
   * ```ts ignore
   * // Not run as a doc test: it needs the built helper (deno task build:ffi).
   * using backend = openHostBackend();
   * const baseline = backend.processLockedBytes();
   * ```
   */
  processLockedBytes(): number {
    this.#checkOpen();
    return this.#calls.processLocked();
  }

  /**
   * This machine's physical RAM ranges (the top-level "System RAM" lines of `/proc/iomem`, trimmed
   * to whole pages), read by the helper because Deno needs --allow-all to read that file. Null,
   * without throwing, when the kernel hides physical addresses (no CAP_SYS_ADMIN) or the helper
   * offers no ranges (the Windows bridge); other failures throw the usual `HelperError`.
   *
   * @example
   * ```ts ignore
   * // Not run as a doc test: it needs the built helper (deno task build:ffi).
   * using backend = openHostBackend();
   * const machine = backend.ramLayout(); // { pageSize: 4096, ranges: [{ base: 0x1000n, ... }] }
   * if (machine === null) console.log("RAM ranges unavailable: the map is drawn without them");
   * ```
   */
  ramLayout(): MachineLayout | null {
    this.#checkOpen();
    const ranges = this.#calls.hostRam();
    return ranges === null ? null : validateMachine({ pageSize: this.pageSize, ranges });
  }

  /**
   * Reads the MDL's frame numbers again from the page tables, to check they have not moved.
   *
   * @example
   * ```ts ignore
   * // Not run as a doc test: it needs the built helper (deno task build:ffi).
   * using backend = openHostBackend();
   * const mdl = backend.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
   * const now = backend.queryFrames(mdl); // equals mdl.pfns while the pages are locked
   * backend.stream().freePagesFromMdl(mdl);
   * ```
   */
  queryFrames(mdl: Mdl): number[] {
    this.#checkOpen();
    const record = HostMdl.recordOf(mdl);
    if (record === undefined || record.owner !== this || record.freed) {
      throw new TypeError(`mdl must be a live MDL of this backend, got ${describe(mdl)}`);
    }
    const frames = this.#calls.queryFrames(record.handle, record.frames.length);
    return Array.from(frames.subarray(0, record.frames.length), Number);
  }

  /** MDLs allocated and never freed, oldest first. */
  leaks(): Leak[] {
    return [...this.#live].map((r) => ({
      mdlId: r.id,
      source: r.source === "allocateContiguousPagesForMdl" ? r.source : "allocatePagesForMdl",
      byteCount: r.byteCount,
      pages: r.frames.length,
      allocatedAt: "(allocation sites are not captured by the host backend)",
    }));
  }

  /** Throws a `leaked-pages` {@linkcode DriverViolation} when any MDL is still allocated. */
  assertNoLeaks(): void {
    const leaks = this.leaks();
    if (leaks.length === 0) return;
    const list = leaks.map((l) => `MDL #${l.mdlId} (${l.byteCount} bytes)`).join(", ");
    throw new DriverViolation(
      ViolationRules.leakedPages,
      `${leaks.length} MDL(s) never freed: ${list}`,
    );
  }

  /** Frees every allocation still held and unloads the helper; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unclosed.unregister(this);
    for (const record of this.#live) record.freed = true;
    this.#live.clear();
    try {
      this.#calls.close();
    } finally {
      this.library.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Records a fresh allocation (called by streams). */
  [remember](
    source: StreamOperation,
    handle: bigint,
    frames: readonly number[],
    byteCount: number,
  ): HostMdl {
    const record: MdlRecord = {
      owner: this,
      id: this.#nextId++,
      handle,
      source,
      frames,
      byteCount,
      mdlFlags: MdlFlags.PAGES_LOCKED,
      mappedAt: null,
      freed: false,
    };
    this.#live.add(record);
    return new HostMdl(record);
  }

  /** Marks a record freed (called by streams after the helper freed it). */
  [forget](record: MdlRecord): void {
    record.freed = true;
    this.#live.delete(record);
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("the linux-host backend is closed");
  }
}

/**
 * Loads the helper and opens a backend on this machine.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * const stream = backend.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * if (mdl !== null) stream.freePagesFromMdl(mdl);
 * ```
 */
export function openHostBackend(options: HostBackendOptions = {}): HostBackend {
  return new HostBackend(options);
}

function queryHostWords(lib: HelperLibrary): { info: BigUint64Array; reason: string } {
  const info = new BigUint64Array(HostInfoWord.length);
  const reason = new Uint8Array(256);
  const status = lib.symbols.wrt_host_query(info, reason, BigInt(reason.length));
  if (status !== HelperStatus.OK) throw lib.error("wrt_host_query", status);
  const end = reason.indexOf(0);
  return { info, reason: new TextDecoder().decode(reason.subarray(0, end < 0 ? undefined : end)) };
}

function queryHost(lib: HelperLibrary): HostInfo {
  const { info, reason } = queryHostWords(lib);
  const flags = info[HostInfoWord.flags];
  const has = (flag: bigint) => (flags & flag) !== 0n;
  const limit = info[HostInfoWord.memlockLimit];
  return {
    pageSize: Number(info[HostInfoWord.pageSize]),
    framesReadable: has(HostFlag.framesReadable),
    framesReason: reason,
    transparentHugePages: has(HostFlag.thpAlways)
      ? "always"
      : has(HostFlag.thpMadvise)
      ? "madvise"
      : "never",
    hugePageSize: Number(info[HostInfoWord.hugePageSize]),
    memlockLimit: limit === 0xFFFF_FFFF_FFFF_FFFFn ? Infinity : Number(limit),
    canLockUnlimited: has(HostFlag.canLockUnlimited),
    clockResolutionNs: Number(info[HostInfoWord.clockResolutionNs]),
    clockMeasuredNs: Number(info[HostInfoWord.clockMeasuredNs]),
  };
}

/**
 * What a host backend can claim, from what its helper reported. On Windows the helper is the
 * bridge to the WaveRT test driver, which calls the real `IPortWaveRTStream`: HighAddress, contiguity
 * and cache types are the real allocator's. On Linux they are what user memory allows.
 *
 * @example
 * ```ts
 * const host = {
 *   pageSize: 4096, framesReadable: false, framesReason: "no stream is open",
 *   transparentHugePages: "never", hugePageSize: 0, memlockLimit: Infinity,
 *   canLockUnlimited: true, clockResolutionNs: 100, clockMeasuredNs: 100,
 * } as const;
 * hostCapabilities(host, "windows").highAddressEnforced.available; // true
 * hostCapabilities(host, "linux").highAddressEnforced.available; // false
 * ```
 */
export function hostCapabilities(host: HostInfo, os: typeof Deno.build.os): BackendCapabilities {
  return os === "windows" ? windowsCapabilities(host) : linuxCapabilities(host);
}

/**
 * The limits of this machine's locked memory, from what the helper reported: RLIMIT_MEMLOCK
 * unless the process may lock without limit, and the huge pages contiguous requests hold.
 *
 * @example
 * ```ts
 * const host = {
 *   pageSize: 4096, framesReadable: false, framesReason: "no CAP_SYS_ADMIN",
 *   transparentHugePages: "madvise", hugePageSize: 2 << 20, memlockLimit: 8 << 20,
 *   canLockUnlimited: false, clockResolutionNs: 1, clockMeasuredNs: 20,
 * } as const;
 * hostLimits(host).lockedBytes; // 8388608
 * hostLimits(host).lockedBytesReason; // "RLIMIT_MEMLOCK is 8 MiB and this process lacks CAP_IPC_LOCK"
 * ```
 */
export function hostLimits(host: HostInfo): BackendLimits {
  const contiguousUnitBytes = host.hugePageSize > 0 ? host.hugePageSize : host.pageSize;
  if (host.canLockUnlimited || host.memlockLimit === Infinity) {
    return { lockedBytes: null, contiguousUnitBytes };
  }
  return {
    lockedBytes: host.memlockLimit,
    lockedBytesReason: `RLIMIT_MEMLOCK is ${+(host.memlockLimit / (1 << 20)).toFixed(2)} MiB ` +
      "and this process lacks CAP_IPC_LOCK",
    contiguousUnitBytes,
  };
}

function windowsCapabilities(host: HostInfo): BackendCapabilities {
  const frameNumbers: Capability = host.framesReadable
    ? { available: true, note: "GetPhysicalPageAddress, through the WaveRT test driver" }
    : { available: false, reason: host.framesReason };
  return {
    frameNumbers,
    highAddressEnforced: {
      available: true,
      note: "the driver passes HighAddress to IPortWaveRTStream, which Windows enforces",
    },
    contiguous: host.framesReadable
      ? { available: true, note: "AllocateContiguousPagesForMdl, through the WaveRT test driver" }
      : {
        available: false,
        reason: `contiguity cannot be verified without frame numbers: ${host.framesReason}`,
      },
    cacheTypes: { available: true, note: "MapAllocatedPages with the requested cache type" },
    misuseDetection: {
      available: true,
      note: "detected before the driver is called: double-map, unmap-not-mapped, " +
        "unmap-wrong-address, free-while-mapped, double-free, use-after-free, foreign-mdl, " +
        "leaked-pages; the driver itself only ever receives valid requests",
    },
    timing: {
      source: "measured",
      resolutionNs: host.clockMeasuredNs,
      reportedResolutionNs: host.clockResolutionNs,
    },
  };
}

function linuxCapabilities(host: HostInfo): BackendCapabilities {
  const frameNumbers: Capability = host.framesReadable
    ? { available: true, note: "read from /proc/self/pagemap" }
    : { available: false, reason: host.framesReason };
  let contiguous: Capability;
  if (!host.framesReadable) {
    contiguous = {
      available: false,
      reason: `contiguity cannot be verified without frame numbers: ${host.framesReason}`,
    };
  } else if (host.transparentHugePages === "never") {
    contiguous = {
      available: false,
      reason: "transparent huge pages are disabled (mode never), the only source of contiguous " +
        "user memory; the backend does not change system settings",
    };
  } else {
    contiguous = {
      available: true,
      note: `transparent huge pages (${host.transparentHugePages}) on ${host.hugePageSize}-byte ` +
        "aligned memory, contiguity verified from frame numbers, null when not contiguous; " +
        "each request holds whole huge pages",
    };
  }
  return {
    frameNumbers,
    highAddressEnforced: { available: false, reason: HIGH_ADDRESS_NOTE },
    contiguous,
    cacheTypes: {
      available: false,
      reason: "cache types cannot be chosen from user mode: mapAllocatedPages validates the " +
        "cache type and returns the pages' existing write-back user mapping",
    },
    misuseDetection: {
      available: true,
      note: "detected: double-map, unmap-not-mapped, unmap-wrong-address, free-while-mapped, " +
        "double-free, use-after-free, foreign-mdl, leaked-pages " +
        "(assertNoLeaks); not detectable in user mode: irql-not-passive, cache-type-conflict",
    },
    timing: {
      source: "measured",
      resolutionNs: host.clockMeasuredNs,
      reportedResolutionNs: host.clockResolutionNs,
    },
  };
}
