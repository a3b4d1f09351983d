/**
 * Finding the caller's frame in a stack: the first frame outside the simulator's own modules, so
 * that leak reports and systematic fault injection name the driver code, not the simulator.
 *
 * @module
 */

import type { Leak } from "./backend.ts";

const INTERNAL_MODULES = [
  ...["call_site.ts", "faults.ts", "leak_sites.ts", "mm.ts", "port_stream.ts", "simulator.ts"]
    .map((file) => new URL(file, import.meta.url).href + ":"),
  // Bundled (the Node build), every module is this file: all of its frames are the simulator's.
  import.meta.url + ":",
];

/**
 * The first frame of `stack` (an `Error.stack`) outside the simulator, trimmed, or "unknown".
 *
 * @example
 * ```ts
 * callerFrame(new Error().stack); // "at file:///work/suites/my_test.ts:12:5"
 * ```
 */
export function callerFrame(stack: string | undefined): string {
  const frames = (stack ?? "").split("\n").slice(1).map((line) => line.trim());
  return frames.find((line) => !INTERNAL_MODULES.some((m) => line.includes(m))) ?? "unknown";
}

/**
 * A stack for the leak report. Six frames reach past the Mm (at most three) and PortCls layers
 * to the caller, so only those are kept (this saves memory, not time: Deno's cost of creating an
 * Error does not depend on the limit).
 *
 * @example
 * ```ts
 * callerFrame(captureSite().stack); // "at file:///work/suites/my_test.ts:12:5"
 * ```
 */
export function captureSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 6;
  const site = new Error("allocated here");
  Error.stackTraceLimit = limit;
  return site;
}

/** Which allocations record their stack. */
export interface SiteSelection {
  /** How many allocations, the first ones, record it: 0 to Infinity. */
  readonly first: number;
  /** The allocation numbers that record it besides, if any (a replay's). */
  readonly ids: ReadonlySet<number> | undefined;
  /** The allocation after which the run throws a {@linkcode ReplayStopped}; 0 for none. */
  readonly stopAfter: number;
}

/**
 * The replay form of `captureAllocationSites`: record the stacks of the allocations numbered
 * `ids`, and end the run right after the highest of them with a {@linkcode ReplayStopped}, so
 * that a replay runs only as far as the leaks it names (how `withLeakSites` uses it).
 *
 * @example
 * ```ts
 * const replay: SiteReplay = { ids: [1, 4], stopAfterLast: true };
 * ```
 */
export interface SiteReplay {
  /** The allocation numbers whose stacks to record. */
  readonly ids: readonly number[];
  /** Throw a {@linkcode ReplayStopped} once the highest of `ids` is allocated. */
  readonly stopAfterLast: true;
}

/**
 * Thrown by the allocation that a {@linkcode SiteReplay} stops after, once it is made: `leaks`
 * are the MDLs live at that moment (the allocation included), each with its site where recorded.
 *
 * @example
 * ```ts
 * const stop = new ReplayStopped(4, []);
 * stop.message; // "the replay stopped after allocation #4, the last whose stack it records"
 * ```
 */
export class ReplayStopped extends Error {
  /** The MDLs live when the run stopped, oldest first. */
  readonly leaks: readonly Leak[];

  /** The stop after allocation number `allocation`, with the MDLs live then. */
  constructor(allocation: number, leaks: readonly Leak[]) {
    super(`the replay stopped after allocation #${allocation}, the last whose stack it records`);
    this.name = "ReplayStopped";
    this.leaks = leaks;
  }
}

/**
 * The {@linkcode SiteSelection} of a `captureAllocationSites` option: `true` every allocation,
 * `false` none, a count the first N, a list of allocation numbers exactly those, a
 * {@linkcode SiteReplay} those and a stop after the last. Throws a RangeError naming the option
 * and the value for anything else.
 *
 * @example
 * ```ts
 * allocationSiteSelection(true); // { first: Infinity, ids: undefined, stopAfter: 0 }
 * allocationSiteSelection([3, 7]).ids?.has(7); // true
 * allocationSiteSelection({ ids: [3, 7], stopAfterLast: true }).stopAfter; // 7
 * ```
 */
export function allocationSiteSelection(
  option: boolean | number | readonly number[] | SiteReplay,
): SiteSelection {
  if (option === true || option === false) {
    return { first: option ? Infinity : 0, ids: undefined, stopAfter: 0 };
  }
  if (Array.isArray(option)) return { first: 0, ids: new Set(checkedIds(option)), stopAfter: 0 };
  if (typeof option === "object" && option !== null) {
    const { ids, stopAfterLast } = option as SiteReplay;
    if (!Array.isArray(ids) || ids.length === 0 || stopAfterLast !== true) {
      throw new RangeError(
        "captureAllocationSites as a replay must be { ids: [allocation numbers, at least one], " +
          `stopAfterLast: true }, got ids ${String(ids)}, stopAfterLast ${String(stopAfterLast)}`,
      );
    }
    return {
      first: 0,
      ids: new Set(checkedIds(ids)),
      stopAfter: ids.reduce((a, b) => Math.max(a, b), 0),
    };
  }
  if (!(Number.isSafeInteger(option) && (option as number) >= 0)) {
    throw new RangeError(
      `captureAllocationSites must be a boolean, a count ≥ 0, a list of allocation numbers or ` +
        `a replay, got ${String(option)}`,
    );
  }
  return { first: option as number, ids: undefined, stopAfter: 0 };
}

function checkedIds(ids: readonly number[]): readonly number[] {
  const bad = ids.find((id) => !(Number.isSafeInteger(id) && id >= 1));
  if (bad !== undefined) {
    throw new RangeError(
      `captureAllocationSites must list allocation numbers ≥ 1, got ${bad} in [${ids}]`,
    );
  }
  return ids;
}

/**
 * Where allocation `id` was made, for a leak report: the caller's frame of its captured stack,
 * else why none was captured under `sites`.
 *
 * @example
 * ```ts
 * allocationSite(undefined, 12, allocationSiteSelection(10)); // "not captured: … after the first 10 …"
 * ```
 */
export function allocationSite(error: Error | undefined, id: number, sites: SiteSelection): string {
  if (error !== undefined) return callerFrame(error.stack);
  const replay = "withLeakSites names it by a replay";
  if (sites.ids !== undefined) {
    return `not captured: allocation #${id} is not among those captureAllocationSites lists (${replay})`;
  }
  return sites.first === 0
    ? `not captured (captureAllocationSites is false; ${replay})`
    : `not captured: allocation #${id} came after the first ${sites.first} ` +
      `(${replay}, captureAllocationSites: true records every stack)`;
}
