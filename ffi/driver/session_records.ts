/**
 * What a driver session records and exchanges: the MDL and pool records the contract checks
 * read, the fault sites and the bridge's fault plan, and the entry ABI's arguments and outcome.
 *
 * @module
 */

import type { Mdl } from "../../core/backend.ts";

/**
 * The site value of a call from outside the driver library.
 *
 * @example
 * ```ts
 * NO_SITE; // 0xFFFFFFFF
 * ```
 */
export const NO_SITE = 0xffff_ffff;

/**
 * An MDL the driver got from the bridge.
 *
 * @example
 * ```ts
 * const open = (r: MdlRecord) => !r.freed && r.simVa !== null; // still mapped
 * ```
 */
export interface MdlRecord {
  readonly handle: number;
  readonly mdl: Mdl;
  readonly pages: number;
  readonly site: number;
  readonly epoch: number;
  simVa: bigint | null;
  cacheType: number | null;
  freed: boolean;
}

/**
 * A pool block the driver allocated.
 *
 * @example
 * ```ts
 * const leaked = (blocks: PoolRecord[]) => blocks.filter((b) => !b.freed);
 * ```
 */
export interface PoolRecord {
  readonly id: number;
  readonly bytes: number;
  readonly tag: number;
  readonly site: number;
  readonly epoch: number;
  freed: boolean;
}

/**
 * A distinct call site of a call that can fail (allocations, maps, pool allocations).
 *
 * @example
 * ```ts
 * const site: FaultSite = { site: 0x1a2b, operation: "MapAllocatedPages", calls: 1 };
 * ```
 */
export interface FaultSite {
  readonly site: number;
  readonly operation: string;
  calls: number;
}

/**
 * Faults the bridge injects itself, keyed by the driver's native call sites (which the
 * simulator cannot see: to it every call comes from the same callback).
 *
 * @example
 * ```ts
 * const plan: BridgeFaults = { failSites: [{ site: 0x1a2b, occurrence: 1 }] };
 * ```
 */
export interface BridgeFaults {
  /** Fail the first call from each distinct call site, like Driver Verifier's systematic mode. */
  readonly systematic?: boolean;
  /** Fail the given occurrence (1-based) of the call from each given site. */
  readonly failSites?: readonly { readonly site: number; readonly occurrence: number }[];
  /** Probability that a pool allocation fails (page calls use the simulator's own faults). */
  readonly poolProbability?: number;
  /** Seed for `poolProbability`. */
  readonly seed?: number;
}

/**
 * What one entry call returned.
 *
 * @example
 * ```ts
 * const ok = (o: EntryOutcome) => !o.stopped && o.status >= 0; // NT_SUCCESS
 * ```
 */
export interface EntryOutcome {
  /** The driver was stopped by a bug check; `stop` on the session says why. */
  readonly stopped: boolean;
  readonly status: number;
  readonly mdl: bigint;
  /** Handle of the returned MDL, 0 when the bridge never handed it out. */
  readonly handle: number;
  readonly actualSize: number;
  readonly offset: number;
  readonly cacheType: number;
  readonly irql: number;
}

/**
 * The arguments of one entry call, each optional.
 *
 * @example
 * ```ts
 * const args: EntryArguments = { a: 4096, b: 0 };
 * ```
 */
export interface EntryArguments {
  readonly format?: Uint8Array;
  readonly parameters?: Uint8Array;
  readonly a?: number;
  readonly b?: number;
  readonly mdl?: bigint;
}
