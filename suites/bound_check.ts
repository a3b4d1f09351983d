/**
 * How a case's HighAddress bound is treated on one backend, per allocation: checked where the
 * backend guarantees it, observed (every page compared and counted, never passed) where it cannot
 * enforce it, unverifiable without frame numbers, or not at all when the suite opted out or set no
 * limit. Also the line each outcome adds to a run's notes.
 *
 * @module
 */

import type { BackendCapabilities } from "../core/backend.ts";
import { formatBound, isNoLimit } from "./bound.ts";
import type { AllocationRecord, BoundCheck } from "./results.ts";
import type { Allocation, AllocationExpectations } from "./suite_model.ts";

/**
 * Whether the bound is checked, only observed, or cannot be compared: a stated HighAddress is
 * always compared with every page unless the suite opted out or it is no limit.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const allocation = {
 *   call: "allocatePagesForMdl",
 *   lowAddress: 0n,
 *   highAddress: 0xFFFFFFFFn,
 *   totalBytes: 4096,
 *   sizeLabel: "4096 bytes",
 * } as const;
 * const extent = { lowestAddress: 0n, highestAddress: 0xFFFn, pagesBeyondBound: 0 };
 * boundCheck(allocation, { result: "mdl", withinBound: true }, 1, extent, true, sim.capabilities);
 * // { highAddress: "0xFFFFFFFF", pages: 1, check: "checked", pagesOutside: 0 }
 * ```
 */
export function boundCheck(
  allocation: Allocation,
  expect: AllocationExpectations,
  pages: number,
  extent: AllocationRecord["extent"],
  hasFrames: boolean,
  caps: BackendCapabilities,
): BoundCheck {
  const highAddress = formatBound(allocation.highAddress);
  const base = { highAddress, pages };
  if (isNoLimit(allocation.highAddress)) {
    return { ...base, check: "no-limit", pagesOutside: null };
  }
  if (!expect.withinBound) return { ...base, check: "opted-out", pagesOutside: null };
  const frames = caps.frameNumbers;
  if (!frames.available || !hasFrames) {
    const reason = frames.available ? "frame numbers unavailable" : frames.reason;
    return { ...base, check: "unverifiable", pagesOutside: null, reason };
  }
  const pagesOutside = extent?.pagesBeyondBound ?? 0;
  const enforced = caps.highAddressEnforced;
  return enforced.available
    ? { ...base, check: "checked", pagesOutside }
    : { ...base, check: "observed", pagesOutside, reason: enforced.reason };
}

/**
 * What a run says about a bound that was not simply checked; null when it was.
 *
 * @example
 * ```ts
 * import type { AllocationRecord } from "./results.ts";
 * declare const record: AllocationRecord; // with bound.check "observed", 5 of 5 pages outside
 * boundNote(record, 'allocatePagesForMdl("buffer", 20 KiB)');
 * // 'observed: 5 of 5 page(s) above the bound 0xFFFFFFFF (allocatePagesForMdl("buffer", 20 KiB));
 * //  not enforced here: …'
 * ```
 */
export function boundNote(record: AllocationRecord, what: string): string | null {
  const bound = record.bound;
  if (bound === null) return null;
  switch (bound.check) {
    case "observed": {
      const where = record.lowAddress > 0n
        ? `outside [${hex(record.lowAddress)}, ${bound.highAddress}]`
        : `above the bound ${bound.highAddress}`;
      return `observed: ${bound.pagesOutside} of ${bound.pages} page(s) ${where} (${what}); ` +
        `not enforced here: ${bound.reason}`;
    }
    case "no-limit":
      return `${what}: HighAddress no limit, so no bound to check`;
    case "opted-out":
      return `${what}: bound ${bound.highAddress} not checked (withinBound: false)`;
    default:
      return null;
  }
}

function hex(value: bigint): string {
  return "0x" + value.toString(16).toUpperCase();
}
