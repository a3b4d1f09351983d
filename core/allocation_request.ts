/**
 * The first half of `MmAllocatePagesForMdlEx`: checking its arguments, the requests Windows
 * answers with NULL before looking at memory, and the plan of how many frames to gather from
 * which range, as ReactOS's `MmAllocatePagesForMdlEx` prepares the call to `MiAllocatePagesForMdl`.
 *
 * @module
 */

import {
  checkByteCountValue,
  checkCacheType,
  checkHighAddressBound,
  checkPhysicalAddress,
  describe,
} from "./arguments.ts";
import {
  type CacheType,
  maxBytesPerCall,
  MM_ALLOCATE_VALID_FLAGS,
  MmAllocateFlags,
} from "./constants.ts";
import type { AllocationPolicies } from "./policies.ts";

/**
 * Arguments of `MmAllocatePagesForMdlEx`, in Windows order.
 *
 * @example
 * ```ts
 * import { CacheType } from "../mod.ts";
 * const request: AllocatePagesRequest = {
 *   lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 65536,
 *   cacheType: CacheType.Cached, flags: 0,
 * };
 * ```
 */
export interface AllocatePagesRequest {
  readonly lowAddress: bigint;
  readonly highAddress: bigint;
  readonly skipBytes: bigint;
  readonly totalBytes: number | bigint;
  readonly cacheType: CacheType;
  readonly flags: number;
}

/**
 * A request whose arguments a C caller could have written: addresses as bigints, the byte count
 * as the caller gave it (a number, or a bigint).
 *
 * @example
 * ```ts
 * import { CacheType } from "../mod.ts";
 * const checked: CheckedRequest = checkAllocateRequest({
 *   lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 1920,
 *   cacheType: CacheType.Cached, flags: 0,
 * });
 * checked.totalBytes; // 1920
 * ```
 */
export interface CheckedRequest {
  readonly lowAddress: bigint;
  readonly highAddress: bigint;
  readonly skipBytes: bigint;
  readonly totalBytes: number | bigint;
  readonly flags: number;
}

/**
 * Throws for arguments a C caller cannot express: negative, fractional or wrongly typed values,
 * an unknown cache type, LowAddress above HighAddress. A negative or all-ones HighAddress means
 * no limit (see `checkHighAddressBound`) and comes back as `NO_HIGH_ADDRESS_LIMIT`.
 *
 * @example
 * ```ts
 * import { CacheType } from "../mod.ts";
 * const request = {
 *   lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: -1,
 *   cacheType: CacheType.Cached, flags: 0,
 * };
 * try {
 *   checkAllocateRequest(request);
 * } catch (e) {
 *   console.log(e); // RangeError: totalBytes must be …
 * }
 * ```
 */
export function checkAllocateRequest(request: AllocatePagesRequest): CheckedRequest {
  const lowAddress = checkPhysicalAddress("lowAddress", request.lowAddress);
  const highAddress = checkHighAddressBound("highAddress", request.highAddress);
  const skipBytes = checkPhysicalAddress("skipBytes", request.skipBytes);
  const totalBytes = checkByteCountValue("totalBytes", request.totalBytes);
  checkCacheType("cacheType", request.cacheType);
  const flags = request.flags;
  if (!Number.isSafeInteger(flags) || flags < 0) {
    throw new TypeError(`flags must be a non-negative integer, got ${describe(flags)}`);
  }
  if (lowAddress > highAddress) {
    throw new RangeError(
      `lowAddress must not exceed highAddress, got ${lowAddress} > ${highAddress}`,
    );
  }
  return { lowAddress, highAddress, skipBytes, totalBytes, flags };
}

/**
 * Whether Windows returns NULL without looking at memory: TotalBytes 0 (or a RangeError under the
 * `zeroBytes: "range-error"` policy), unknown flags, SkipBytes not a page multiple, large pages
 * without contiguous chunks, or chunks of a SkipBytes that is not a power of two dividing
 * TotalBytes.
 *
 * @example
 * ```ts
 * import { defaultPolicies } from "./policies.ts";
 * const request = { lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 100n, totalBytes: 4096, flags: 0 };
 * rejectedByWindows(request, 4096, defaultPolicies); // true: SkipBytes is not a page multiple
 * ```
 */
export function rejectedByWindows(
  request: CheckedRequest,
  pageSize: number,
  policies: AllocationPolicies,
): boolean {
  const { flags, skipBytes: skip, totalBytes: total } = request;
  if (total === 0 || total === 0n) {
    if (policies.zeroBytes === "range-error") {
      throw new RangeError("totalBytes must be > 0 (policy zeroBytes: range-error), got 0");
    }
    return true;
  }
  const chunked = (flags & MmAllocateFlags.REQUIRE_CONTIGUOUS_CHUNKS) !== 0;
  return (flags & ~MM_ALLOCATE_VALID_FLAGS) !== 0 ||
    (skip !== 0n && skip % BigInt(pageSize) !== 0n) ||
    ((flags & MmAllocateFlags.FAST_LARGE_PAGES) !== 0 && !chunked) ||
    (chunked && skip !== 0n && (!isPowerOfTwo(skip) || BigInt(total) % skip !== 0n));
}

/**
 * How to gather the frames of one request: how many, from which frame range, and how.
 *
 * @example
 * ```ts
 * import { defaultPolicies } from "./policies.ts";
 * const request = { lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 8192, flags: 0 };
 * const plan: AllocationPlan | null = planAllocation(request, 4096, 1 << 20, Infinity, defaultPolicies);
 * plan?.wanted; // 2
 * ```
 */
export interface AllocationPlan {
  /** Pages the caller asked for, after the per-call clamp. */
  readonly requestedPages: number;
  /** Pages to gather: the request, less what a memory cap leaves. */
  readonly wanted: number;
  /** The request was larger than one call allocates (4 GB − PAGE_SIZE). */
  readonly clamped: boolean;
  /** Fewer than `requestedPages` frames is a NULL result. */
  readonly fullyRequired: boolean;
  /** First frame at or above LowAddress. */
  readonly lo: number;
  /** End (exclusive) of the frames at or below HighAddress, per the `highAddressPage` policy. */
  readonly hi: number;
  /**
   * `"chunks"`: aligned blocks of `chunkFrames` (REQUIRE_CONTIGUOUS_CHUNKS); `"ranges"`: ascending
   * frames of [lo, hi) shifted by k·`stepFrames`, after one run where `preferContiguous`.
   */
  readonly strategy: "chunks" | "ranges";
  readonly chunkFrames: number;
  readonly alignment: number;
  readonly stepFrames: number;
  readonly preferContiguous: boolean;
  /** Whether gathered frames are zeroed (not DONT_ZERO_ALLOCATION). */
  readonly zero: boolean;
}

/**
 * An {@linkcode AllocationPlan} whose fields {@linkcode planAllocation} may fill in again: one
 * per memory manager, instead of an object per call.
 *
 * @example
 * ```ts
 * const plan: ReusablePlan = newPlan();
 * plan.wanted; // 0
 * ```
 */
export type ReusablePlan = { -readonly [K in keyof AllocationPlan]: AllocationPlan[K] };

/**
 * An empty {@linkcode ReusablePlan}, every field set so that each fill keeps its shape.
 *
 * @example
 * ```ts
 * newPlan().strategy; // "ranges"
 * ```
 */
export function newPlan(): ReusablePlan {
  return {
    requestedPages: 0,
    wanted: 0,
    clamped: false,
    fullyRequired: false,
    lo: 0,
    hi: 0,
    strategy: "ranges",
    chunkFrames: 0,
    alignment: 1,
    stepFrames: 0,
    preferContiguous: false,
    zero: true,
  };
}

/**
 * The plan for a request Windows does not reject, or null when no page may be taken at all (a
 * memory cap reached, or a FULLY_REQUIRED request the cap cuts short). `capPages` is how many
 * more pages the memory cap allows. The plan is `into` filled in, a new one unless given.
 *
 * @example
 * ```ts
 * import { defaultPolicies } from "./policies.ts";
 * const request = { lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 1920, flags: 0 };
 * planAllocation(request, 4096, 1 << 20, 0, defaultPolicies); // null: the cap allows no page
 * ```
 */
export function planAllocation(
  request: CheckedRequest,
  pageSize: number,
  frameCount: number,
  capPages: number,
  policies: AllocationPolicies,
  into: ReusablePlan = newPlan(),
): AllocationPlan | null {
  const { flags, skipBytes: skip, totalBytes: total } = request;
  const chunked = (flags & MmAllocateFlags.REQUIRE_CONTIGUOUS_CHUNKS) !== 0;
  // Windows allocates at most 4 GB − PAGE_SIZE per call; a larger request comes back partial.
  const maxBytes = maxBytesPerCall(pageSize);
  // As a number: exact up to 2^53, and any larger count is clamped either way.
  const bytes = Number(total);
  const clamped = bytes > maxBytes;
  const requestedPages = Math.ceil((clamped ? maxBytes : bytes) / pageSize);
  const wanted = Math.min(requestedPages, capPages);
  const fullyRequired = (flags & MmAllocateFlags.FULLY_REQUIRED) !== 0 || (chunked && skip === 0n);
  if (wanted <= 0 || (fullyRequired && wanted < requestedPages)) return null;
  const highFrame = pageOf(request.highAddress, pageSize, false);
  const skipFrames = pageOf(skip, pageSize, false);
  into.requestedPages = requestedPages;
  into.wanted = wanted;
  into.clamped = clamped;
  into.fullyRequired = fullyRequired;
  into.lo = pageOf(request.lowAddress, pageSize, true);
  into.hi = Math.min(
    frameCount,
    policies.highAddressPage === "inclusive" ? highFrame + 1 : highFrame,
  );
  into.strategy = chunked ? "chunks" : "ranges";
  // SkipBytes 0: one block anywhere; otherwise blocks of SkipBytes, aligned to SkipBytes.
  into.chunkFrames = skip === 0n ? wanted : skipFrames;
  into.alignment = skip === 0n ? 1 : skipFrames;
  into.stepFrames = skipFrames;
  into.preferContiguous = (flags & MmAllocateFlags.PREFER_CONTIGUOUS) !== 0;
  into.zero = (flags & MmAllocateFlags.DONT_ZERO_ALLOCATION) === 0;
  return into;
}

/**
 * {@linkcode planAllocation} with the last plan remembered: a driver asks for the same buffer
 * again and again, and an unchanged request on an unchanged machine has an unchanged plan while
 * the memory cap leaves room for all of it (the plan then does not depend on the cap).
 *
 * @example
 * ```ts
 * import { defaultPolicies } from "./policies.ts";
 * const planner = new AllocationPlanner(4096, 1 << 20, defaultPolicies);
 * const request = { lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 8192, flags: 0 };
 * planner.plan(request, Infinity)?.wanted; // 2
 * planner.plan(request, 1)?.wanted; // 1: the cap cuts it short, planned anew
 * ```
 */
export class AllocationPlanner {
  readonly #pageSize: number;
  readonly #frameCount: number;
  readonly #policies: AllocationPolicies;
  readonly #plan = newPlan();
  /** Whether {@linkcode #plan} is the full plan of the request below. */
  #remembered = false;
  #low = 0n;
  #high = 0n;
  #skip = 0n;
  #total: number | bigint = 0;
  #flags = 0;

  /** A planner for a machine of `frameCount` frames of `pageSize` bytes under `policies`. */
  constructor(pageSize: number, frameCount: number, policies: AllocationPolicies) {
    this.#pageSize = pageSize;
    this.#frameCount = frameCount;
    this.#policies = policies;
  }

  /**
   * The plan of `request` with `capPages` more pages allowed, as {@linkcode planAllocation}
   * gives it; one object, filled in again by the next call with another request.
   */
  plan(request: CheckedRequest, capPages: number): AllocationPlan | null {
    const plan = this.#plan;
    if (
      this.#remembered && request.totalBytes === this.#total &&
      request.highAddress === this.#high && request.lowAddress === this.#low &&
      request.skipBytes === this.#skip && request.flags === this.#flags &&
      capPages >= plan.requestedPages
    ) return plan;
    const planned = planAllocation(
      request,
      this.#pageSize,
      this.#frameCount,
      capPages,
      this.#policies,
      plan,
    );
    this.#remembered = planned !== null && planned.wanted === planned.requestedPages;
    this.#low = request.lowAddress;
    this.#high = request.highAddress;
    this.#skip = request.skipBytes;
    this.#total = request.totalBytes;
    this.#flags = request.flags;
    return planned;
  }
}

/**
 * `address / pageSize` rounded down (or up) as a number, without bigint arithmetic. Exact below
 * 2^53: a correctly rounded double quotient of integers lies on the same side of every integer
 * as the exact one. Above, the page number is beyond 2^37, past every frame (frame numbers are
 * below 2^32), where the plan clamps or finds nothing whatever the rounding.
 */
function pageOf(address: bigint, pageSize: number, up: boolean): number {
  const q = asNumber(address) / pageSize;
  return up ? Math.ceil(q) : Math.floor(q);
}

/** The last address {@linkcode asNumber} converted, and its value: a caller's bound repeats. */
let lastAddress = 0n;
let lastNumber = 0;

/** `Number(address)`, which is slow for a large bigint, remembered for the last address. */
function asNumber(address: bigint): number {
  if (address === 0n) return 0;
  if (address !== lastAddress) {
    lastNumber = Number(address);
    lastAddress = address;
  }
  return lastNumber;
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}
