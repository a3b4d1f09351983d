/**
 * What the native helper reports about this machine: the facts a host backend's capabilities and
 * limits are derived from.
 *
 * @module
 */

import { HelperStatus } from "./helper_error.ts";
import type { HelperLibrary } from "./library.ts";
import { HostFlag, HostInfoWord } from "./symbols.ts";

/**
 * Facts about this machine that the capabilities and limits summarise, for reports and tests.
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

/**
 * Asks the helper what this machine offers (`wrt_host_query`): page size, frame numbers and why
 * not, transparent huge pages, RLIMIT_MEMLOCK and the clock.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * using lib = HelperLibrary.open();
 * queryHost(lib).framesReadable; // false without CAP_SYS_ADMIN
 * ```
 */
export function queryHost(lib: HelperLibrary): HostInfo {
  const info = new BigUint64Array(HostInfoWord.length);
  const reasonBytes = new Uint8Array(256);
  const status = lib.symbols.wrt_host_query(info, reasonBytes, BigInt(reasonBytes.length));
  if (status !== HelperStatus.OK) throw lib.error("wrt_host_query", status);
  const end = reasonBytes.indexOf(0);
  const reason = new TextDecoder().decode(reasonBytes.subarray(0, end < 0 ? undefined : end));
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
