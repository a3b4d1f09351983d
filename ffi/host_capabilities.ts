/**
 * What a host backend can claim and which limits it runs under, derived from what its helper
 * reported ({@linkcode HostInfo}): on Windows the real `IPortWaveRTStream` behind the test driver,
 * on Linux what user memory allows.
 *
 * @module
 */

import type { BackendCapabilities, BackendLimits, Capability } from "../core/backend.ts";
import type { HostInfo } from "./host_info.ts";

const HIGH_ADDRESS_NOTE = "Linux offers no physical address limit for user memory: each page's " +
  "address is reported as it is and compared against HighAddress by the caller (observed), " +
  "never dropped or faked to look compliant";

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
