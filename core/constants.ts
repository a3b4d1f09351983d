/**
 * Windows constants the WaveRT allocation surface speaks, with Windows' own values so that a
 * driver engineer can compare them against `wdm.h` and `ntddk.h` at a glance.
 *
 * @module
 */

/**
 * `MEMORY_CACHING_TYPE` values accepted by `MapAllocatedPages` (wdm.h).
 *
 * @example
 * ```ts
 * import { CacheType } from "./constants.ts";
 * CacheType.WriteCombined; // 2, what Intel HD Audio miniports must use
 * ```
 */
export const CacheType = {
  /** MmNonCached */
  NonCached: 0,
  /** MmCached */
  Cached: 1,
  /** MmWriteCombined */
  WriteCombined: 2,
} as const;

/** One of the {@linkcode CacheType} values. */
export type CacheType = typeof CacheType[keyof typeof CacheType];

/**
 * Name of a cache type value, or `undefined` when the value is not a valid cache type.
 *
 * @example
 * ```ts
 * cacheTypeName(2); // "WriteCombined"
 * ```
 */
export function cacheTypeName(value: number): keyof typeof CacheType | undefined {
  for (const [name, v] of Object.entries(CacheType)) {
    if (v === value) return name as keyof typeof CacheType;
  }
  return undefined;
}

/**
 * `MDL.MdlFlags` bits (wdm.h). The simulator sets `MDL_PAGES_LOCKED` on every fresh MDL and
 * `MDL_MAPPED_TO_SYSTEM_VA` while it is mapped; `MDL_PARTIAL` is never set by these allocators
 * (it marks MDLs built by IoBuildPartialMdl, not partial allocations).
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const mdl = sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
 * const mapped = (mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA) !== 0; // false
 * ```
 */
export const MdlFlags = {
  MAPPED_TO_SYSTEM_VA: 0x0001,
  PAGES_LOCKED: 0x0002,
  SOURCE_IS_NONPAGED_POOL: 0x0004,
  ALLOCATED_FIXED_SIZE: 0x0008,
  PARTIAL: 0x0010,
  PARTIAL_HAS_BEEN_MAPPED: 0x0020,
  IO_PAGE_READ: 0x0040,
  WRITE_OPERATION: 0x0080,
  LOCKED_PAGE_TABLES: 0x0100,
  FREE_EXTRA_PTES: 0x0200,
  DESCRIBES_AWE: 0x0400,
  IO_SPACE: 0x0800,
  NETWORK_HEADER: 0x1000,
  MAPPING_CAN_FAIL: 0x2000,
  PAGE_CONTENTS_INVARIANT: 0x4000,
  INTERNAL: 0x8000,
} as const;

/**
 * `MmAllocatePagesForMdlEx` flags (wdm.h, `MM_ALLOCATE_*`).
 *
 * @example
 * ```ts
 * const flags = MmAllocateFlags.FULLY_REQUIRED | MmAllocateFlags.DONT_ZERO_ALLOCATION;
 * ```
 */
export const MmAllocateFlags = {
  /** Skip zeroing: pages keep whatever their previous owner wrote. */
  DONT_ZERO_ALLOCATION: 0x01,
  /** Only the local NUMA node (the simulator models one node, so this changes nothing). */
  FROM_LOCAL_NODE_ONLY: 0x02,
  /** NULL unless every requested page can be supplied. */
  FULLY_REQUIRED: 0x04,
  /** Do not wait for pages to be freed or zeroed (the simulator never waits). */
  NO_WAIT: 0x08,
  /** Try one contiguous block first, then fall back to scattered pages. */
  PREFER_CONTIGUOUS: 0x10,
  /** Contiguous chunks only: one block (SkipBytes 0) or blocks of SkipBytes, aligned. */
  REQUIRE_CONTIGUOUS_CHUNKS: 0x20,
  /** Use large pages where possible; only valid with REQUIRE_CONTIGUOUS_CHUNKS. */
  FAST_LARGE_PAGES: 0x40,
} as const;

/** Every defined `MM_ALLOCATE_*` bit; any other bit makes the call fail. */
export const MM_ALLOCATE_VALID_FLAGS = 0x7f;

/**
 * Interrupt request levels that matter to PortCls callers.
 *
 * @example
 * ```ts
 * import { DriverViolation, Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * try {
 *   sim.withIrql(Irql.DISPATCH_LEVEL, () => sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096));
 * } catch (e) {
 *   console.log((e as DriverViolation).rule); // "irql-not-passive"
 * }
 * ```
 */
export const Irql = {
  PASSIVE_LEVEL: 0,
  APC_LEVEL: 1,
  DISPATCH_LEVEL: 2,
  HIGH_LEVEL: 15,
} as const;

/** Page sizes the simulator accepts: 4 KiB (x86/x64), 16 KiB and 64 KiB (some ARM64 systems). */
export const SUPPORTED_PAGE_SIZES: readonly number[] = [4096, 16384, 65536];

/** `MmAllocatePagesForMdlEx` allocates at most 4 GB − PAGE_SIZE per call (ByteCount is a ULONG). */
export function maxBytesPerCall(pageSize: number): number {
  return 0x1_0000_0000 - pageSize;
}
