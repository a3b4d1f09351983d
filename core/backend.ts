/**
 * The contract every backend speaks: the simulator, the Linux hardware helper and, later, the
 * Windows bridge. Suites, benchmarks and differential tests only ever see these types.
 *
 * @module
 */

import type { CacheType } from "./constants.ts";

/**
 * A memory descriptor list as a WaveRT miniport sees it. Field names follow `MDL` in wdm.h.
 *
 * `pfns` holds page frame numbers as plain numbers (exact up to 2^53, i.e. any 64-bit physical
 * address space a real machine has); a backend that cannot read frame numbers reports zeros and
 * says so in {@linkcode BackendCapabilities.frameNumbers}.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const mdl = sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * if (mdl) console.log(mdl.byteCount, mdl.pfns[0]); // 4096, a frame number
 * ```
 */
export interface Mdl {
  /** Bytes described: a page multiple under the default policy, possibly less than asked. */
  readonly byteCount: number;
  /** Offset of the buffer in its first page: always 0 for these allocators. */
  readonly byteOffset: number;
  /** Virtual base the MDL describes: 0 for unmapped page allocations. */
  readonly startVa: bigint;
  /** `MdlFlags` bits. */
  readonly mdlFlags: number;
  /** The system mapping while mapped, otherwise null. */
  readonly mappedSystemVa: bigint | null;
  /**
   * Physical page frame numbers, one per page, in MDL order. Read them while the MDL is live: the
   * PFN array is part of the MDL, which FreePagesFromMdl frees, so the simulator reuses a freed
   * MDL's list and a first read after the free is a use-after-free violation (an array read
   * before the free stays valid).
   */
  readonly pfns: ArrayLike<number> & Iterable<number>;
}

/** The operations of the stream surface, as named in timings and violations. */
export type StreamOperation =
  | "allocatePagesForMdl"
  | "allocateContiguousPagesForMdl"
  | "mapAllocatedPages"
  | "unmapAllocatedPages"
  | "freePagesFromMdl";

/**
 * How long the last stream call took: modeled by the simulator's cost model, or measured in native
 * code on hardware (never including the FFI round trip).
 */
export interface CallTiming {
  /** The stream call this timing is of. */
  readonly operation: StreamOperation;
  /** How long the call took, in nanoseconds. */
  readonly durationNs: number;
  /** `"modeled"` by the simulator's cost model, or `"measured"` in native code on hardware. */
  readonly source: "modeled" | "measured";
}

/**
 * `IPortWaveRTStream`'s page-allocation methods in camelCase.
 *
 * @example
 * ```ts
 * import { CacheType, Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4 * 4096);
 * if (mdl !== null) {
 *   const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
 *   if (va !== null) stream.unmapAllocatedPages(va, mdl);
 *   stream.freePagesFromMdl(mdl);
 * }
 * ```
 */
export interface WaveRtStream {
  /** Locked, unmapped pages inside [0, highAddress]; possibly fewer than asked; null if none. */
  allocatePagesForMdl(highAddress: bigint, totalBytes: number | bigint): Mdl | null;
  /** Physically contiguous pages inside [lowAddress, highAddress], all or nothing. */
  allocateContiguousPagesForMdl(
    lowAddress: bigint,
    highAddress: bigint,
    totalBytes: number | bigint,
  ): Mdl | null;
  /** Maps the pages into system space; null when the mapping cannot be made. */
  mapAllocatedPages(mdl: Mdl, cacheType: CacheType): bigint | null;
  /** Removes the mapping made by {@linkcode mapAllocatedPages}. */
  unmapAllocatedPages(baseAddress: bigint, mdl: Mdl): void;
  /** Frees the pages and the MDL; the MDL is invalid afterwards. */
  freePagesFromMdl(mdl: Mdl): void;
  /** ceil(byteCount / PAGE_SIZE). */
  getPhysicalPagesCount(mdl: Mdl): number;
  /** pfns[index] × PAGE_SIZE. */
  getPhysicalPageAddress(mdl: Mdl, index: number): bigint;
  /** Timing of the most recent call on this stream, or null before the first one. */
  readonly lastCall: CallTiming | null;
}

/** Whether a backend can do or guarantee something, and if not, why. */
export type Capability =
  | { readonly available: true; readonly note?: string }
  | { readonly available: false; readonly reason: string };

/**
 * What a backend can and cannot claim. Cross-checks only compare what both sides claim.
 */
export interface BackendCapabilities {
  /** Real (or simulated) page frame numbers in `Mdl.pfns`. */
  readonly frameNumbers: Capability;
  /** Every page is guaranteed to lie at or below HighAddress (and above LowAddress). */
  readonly highAddressEnforced: Capability;
  /** Contiguous allocations are possible and verified. */
  readonly contiguous: Capability;
  /** The requested cache type is applied to the mapping. */
  readonly cacheTypes: Capability;
  /** Misuse raises {@linkcode DriverViolation} instead of undefined behaviour. */
  readonly misuseDetection: Capability;
  /** Where per-call durations come from and the clock's resolution. */
  readonly timing: {
    readonly source: "modeled" | "measured";
    /** Smallest step the clock was seen to take, in ns (0 for modeled time). */
    readonly resolutionNs: number;
    /** The resolution the clock itself reports (e.g. `clock_getres`), where it has one. */
    readonly reportedResolutionNs?: number;
  };
}

/**
 * Limits of the memory a backend allocates from that are the test machine's, not the
 * allocator's: a result cut short by them says nothing about the allocator.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * sim.limits.lockedBytes; // null: the simulator locks as much as its machine has
 * const limits: BackendLimits = {
 *   lockedBytes: 64 << 20,
 *   lockedBytesReason: "RLIMIT_MEMLOCK is 67108864 bytes and the process lacks CAP_IPC_LOCK",
 *   contiguousUnitBytes: 2 << 20,
 * };
 * ```
 */
export interface BackendLimits {
  /** Bytes this process may hold locked at once, or null when it may lock without limit. */
  readonly lockedBytes: number | null;
  /** Why {@linkcode lockedBytes} is limited, as a phrase; absent when it is not. */
  readonly lockedBytesReason?: string;
  /** Bytes a contiguous request holds a multiple of (the huge-page size on Linux). */
  readonly contiguousUnitBytes: number;
  /**
   * The locked-memory budget: most bytes the backend will hold locked at once, root or not (a
   * request beyond it is refused, not cut short); null or absent when none applies.
   */
  readonly lockedBudgetBytes?: number | null;
  /** How {@linkcode lockedBudgetBytes} was chosen, as a phrase. */
  readonly lockedBudgetRule?: string;
}

/**
 * Which allocator produced an MDL: a stream call, or the memory manager called directly.
 *
 * @example
 * ```ts
 * const source: MdlSource = "allocateContiguousPagesForMdl";
 * ```
 */
export type MdlSource = "allocatePagesForMdl" | "allocateContiguousPagesForMdl" | "mm";

/**
 * An MDL that was never freed, with the stack of the call that allocated it where the backend
 * captures one.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096);
 * const [leak]: Leak[] = sim.leaks(); // { mdlId: 1, source: "allocatePagesForMdl", pages: 1, … }
 * sim.close();
 * ```
 */
export interface Leak {
  /** The MDL's allocation number on its backend, counting from 1. */
  readonly mdlId: number;
  /** Which allocator produced the MDL. */
  readonly source: MdlSource;
  /** Bytes the MDL describes. */
  readonly byteCount: number;
  /** Pages the MDL holds. */
  readonly pages: number;
  /** Where it was allocated, or why that is unknown. */
  readonly allocatedAt: string;
}

/**
 * The port driver's own mappings of a WaveRT buffer into the audio engine's process (user mode,
 * `MmMapLockedPagesSpecifyCache(UserMode)`), beside the miniport's system mapping: how one page
 * comes to be mapped twice, with possibly different cache types.
 *
 * @example
 * ```ts
 * import { CacheType, Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const mdl = sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
 * const va = sim.engineMappings.map(mdl, CacheType.Cached);
 * if (va !== null) sim.engineMappings.unmap(va, mdl);
 * sim.stream().freePagesFromMdl(mdl);
 * ```
 */
export interface EngineMappings {
  /** Maps `mdl` into the engine's process; null when the mapping cannot be made. */
  map(mdl: Mdl, cacheType: CacheType): bigint | null;
  /** Removes the engine mapping at `address`. */
  unmap(address: bigint, mdl: Mdl): void;
}

/**
 * A place allocations can be made: owns its streams and frees what they still hold on close.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using backend = new Simulator({ seed: 7 });
 * const mdl = backend.stream().allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * ```
 */
export interface Backend extends Disposable {
  /** Short name for tables and reports, e.g. "simulator" or "linux-host". */
  readonly name: string;
  /** Bytes per page. */
  readonly pageSize: number;
  /** What this backend can and cannot claim; cross-checks compare only what both claim. */
  readonly capabilities: BackendCapabilities;
  /** Limits of this machine that can cut an allocation short. */
  readonly limits: BackendLimits;
  /**
   * Free pages of the memory this backend allocates from, where it can count them exactly (the
   * simulator); undefined where it cannot (real hardware shares its memory with everything else).
   */
  readonly freePageCount?: number;
  /** A stream surface; all streams of a backend share its memory. */
  stream(): WaveRtStream;
  /**
   * Runs `body` as if at IRQL `level` (e.g. from a DPC), where the backend can raise IRQL (the
   * simulator); absent where it cannot (a user-mode helper runs at PASSIVE_LEVEL).
   */
  withIrql?<T>(level: number, body: () => T): T;
  /**
   * The port driver's mappings for the audio engine, where the backend models them (the
   * simulator); absent where it cannot (no user-mode process to map into from a helper).
   */
  readonly engineMappings?: EngineMappings;
  /** MDLs allocated and never freed, oldest first. */
  leaks(): Leak[];
  /** Throws a `leaked-pages` {@linkcode DriverViolation} when any MDL is still allocated. */
  assertNoLeaks(): void;
  /** Frees everything still allocated; safe to call more than once. */
  close(): void;
}
