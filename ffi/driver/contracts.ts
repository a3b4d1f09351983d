/**
 * The contract checks PortCls and Driver Verifier make around a miniport's buffer methods, read
 * from a {@linkcode DriverSession}'s record: what a successful allocation must return, what a
 * failed one must leave behind (nothing), what a free must release, and what is left when the
 * stream is destroyed.
 *
 * @module
 */

import { CacheType } from "../../core/constants.ts";
import { ViolationRules } from "../../core/violations.ts";
import { type DriverFinding, DriverRules, findingOf } from "./findings.ts";
import type { DriverSession } from "./session.ts";
import type { EntryOutcome } from "./session_records.ts";

const PAGE_SIZE = 4096;

/**
 * Cache types a buffer may be reported with unless a case says otherwise: the three
 * `MapAllocatedPages` accepts.
 *
 * @example
 * ```ts
 * DEFAULT_ALLOWED_CACHE_TYPES.includes(2); // true, MmWriteCombined
 * ```
 */
export const DEFAULT_ALLOWED_CACHE_TYPES: readonly number[] = [
  CacheType.NonCached,
  CacheType.Cached,
  CacheType.WriteCombined,
];

/**
 * Checks a successful `AllocateAudioBuffer`/`AllocateBufferWithNotification`: the MDL is live and
 * this stream's, `*ActualSize` fits it from `*OffsetFromFirstPage`, the offset is inside the
 * first page, the cache type is allowed and matches the driver's own mapping.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a running session.
 * const findings = checkAllocated(session, outcome, 19200, DEFAULT_ALLOWED_CACHE_TYPES);
 * ```
 */
export function checkAllocated(
  session: DriverSession,
  outcome: EntryOutcome,
  requested: number,
  allowedCacheTypes: readonly number[],
): DriverFinding[] {
  const step = session.step;
  const findings: DriverFinding[] = [];
  const record = session.mdls[outcome.handle];
  if (outcome.handle === 0 || record === undefined || record.freed) {
    const what = outcome.mdl === 0n
      ? "NULL"
      : `0x${outcome.mdl.toString(16).toUpperCase()}${record?.freed ? " (already freed)" : ""}`;
    return [findingOf(DriverRules.bufferMdlForeign, `*AudioBufferMdl is ${what}`, { step })];
  }
  const byteCount = record.mdl.byteCount;
  if (outcome.offset >= PAGE_SIZE) {
    findings.push(findingOf(
      DriverRules.offsetNotInFirstPage,
      `*OffsetFromFirstPage is ${outcome.offset}`,
      { step },
    ));
  }
  if (outcome.actualSize + Math.min(outcome.offset, PAGE_SIZE) > byteCount) {
    findings.push(findingOf(
      DriverRules.actualSizeExceedsMdl,
      `*ActualSize is ${outcome.actualSize} from offset ${outcome.offset}, the MDL describes ` +
        `${byteCount} bytes (${requested} requested)`,
      { step, site: record.site },
    ));
  }
  if (!allowedCacheTypes.includes(outcome.cacheType)) {
    findings.push(findingOf(
      DriverRules.cacheTypeNotAllowed,
      `*CacheType is ${outcome.cacheType}, allowed: ${allowedCacheTypes.join(", ")}`,
      { step },
    ));
  } else if (record.cacheType !== null && record.cacheType !== outcome.cacheType) {
    findings.push(findingOf(
      DriverRules.cacheTypeMismatch,
      `mapped with ${record.cacheType}, reported ${outcome.cacheType}`,
      { step },
    ));
  }
  return findings;
}

/**
 * What is still held of the resources created during driver call `epoch`: live MDLs (mapped or
 * not) and pool blocks.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a running session.
 * const left = heldFrom(session, (epoch) => epoch === allocationEpoch);
 * ```
 */
export function heldFrom(
  session: DriverSession,
  epochMatches: (epoch: number) => boolean,
): { readonly mdls: Held[]; readonly pool: Held[] } {
  const mdls = session.mdls.filter((r) => r && !r.freed && epochMatches(r.epoch)).map((r) => ({
    what: `MDL of ${r!.mdl.byteCount} bytes${r!.simVa !== null ? ", still mapped" : ""}`,
    site: r!.site,
  }));
  const pool = session.pool.filter((b) => b && !b.freed && epochMatches(b.epoch)).map((b) => ({
    what: `pool block of ${b!.bytes} bytes`,
    site: b!.site,
  }));
  return { mdls, pool };
}

/**
 * A resource still held, and the call site that allocated it.
 *
 * @example
 * ```ts
 * const held: Held = { what: "MDL of 20480 bytes, still mapped", site: 0x3abe };
 * ```
 */
export interface Held {
  readonly what: string;
  readonly site: number;
}

function described(session: DriverSession, held: Held): string {
  return `${held.what} (allocated at ${session.library.symbolize(held.site)})`;
}

/**
 * After a failed allocation (or a failed create): nothing it made may remain.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a running session.
 * findings.push(...checkFailedLeftNothing(session, session.epoch, "AllocateAudioBuffer"));
 * ```
 */
export function checkFailedLeftNothing(
  session: DriverSession,
  epoch: number,
  call: string,
  status: number,
): DriverFinding[] {
  const left = heldFrom(session, (e) => e === epoch);
  return [...left.mdls, ...left.pool].map((held) =>
    findingOf(
      DriverRules.failedAllocateLeaked,
      `${call} returned 0x${(status >>> 0).toString(16).toUpperCase()} and left a ${
        described(session, held)
      }`,
      { step: session.step, site: held.site },
    )
  );
}

/**
 * After a free: nothing the buffer's allocation made may remain.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a running session.
 * findings.push(...checkFreed(session, allocationEpoch));
 * ```
 */
export function checkFreed(session: DriverSession, allocationEpoch: number): DriverFinding[] {
  const left = heldFrom(session, (e) => e === allocationEpoch);
  return [...left.mdls, ...left.pool].map((held) =>
    findingOf(DriverRules.freeLeftResources, `a ${described(session, held)}`, {
      step: session.step,
      site: held.site,
    })
  );
}

/**
 * The driver must return from every buffer method at PASSIVE_LEVEL.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a running session.
 * findings.push(...checkIrqlRestored(session, outcome, "AllocateAudioBuffer"));
 * ```
 */
export function checkIrqlRestored(
  session: DriverSession,
  outcome: EntryOutcome,
  call: string,
): DriverFinding[] {
  return outcome.irql === 0 ? [] : [
    findingOf(DriverRules.irqlNotRestored, `${call} returned at IRQL ${outcome.irql}`, {
      step: session.step,
    }),
  ];
}

/**
 * After the stream is destroyed: every MDL and pool block must be gone. MDLs already reported by
 * an earlier finding (`reported` holds their allocation epochs) are not reported again.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a running session.
 * findings.push(...checkTeardown(session, new Set()));
 * ```
 */
export function checkTeardown(
  session: DriverSession,
  reportedEpochs: ReadonlySet<number>,
): DriverFinding[] {
  const fresh = (epoch: number) => !reportedEpochs.has(epoch);
  const left = heldFrom(session, fresh);
  const findings: DriverFinding[] = [];
  if (left.mdls.length > 0) {
    findings.push(findingOf(
      ViolationRules.leakedPages,
      left.mdls.map((h) => described(session, h)).join("; "),
      { step: session.step, site: left.mdls[0].site },
    ));
  }
  if (left.pool.length > 0) {
    findings.push(findingOf(
      DriverRules.leakedPool,
      left.pool.map((h) => described(session, h)).join("; "),
      { step: session.step, site: left.pool[0].site },
    ));
  }
  return findings;
}
