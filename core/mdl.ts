/**
 * The simulator's MDL: the public fields of `MDL` plus the bookkeeping Driver Verifier keeps
 * beside it (owner, state, where it was allocated, live mappings).
 *
 * @module
 */

import type { Mdl, MdlSource } from "./backend.ts";
import { MdlFlags } from "./constants.ts";

/** One live mapping of an MDL. */
export interface MdlMapping {
  readonly address: bigint;
  readonly cacheType: number;
  readonly mode: "kernel" | "user";
}

/** Internal state of a simulated MDL, reachable only through {@linkcode mdlState}. */
export interface MdlState {
  /** The simulator instance that allocated it. */
  readonly owner: object;
  /** Sequence number of the allocation (1 for the first MDL of a simulator). */
  readonly id: number;
  readonly source: MdlSource;
  /** The frames allocated: the simulator's own record, never handed out. */
  readonly frames: readonly number[];
  /** Stack captured at allocation, formatted only when a leak is reported. */
  readonly allocationSite: Error | undefined;
  byteCount: number;
  mdlFlags: number;
  mappings: MdlMapping[];
  freed: boolean;
}

/** Key of the internal state on a {@linkcode SimulatedMdl}; not part of the public API. */
export const mdlState: unique symbol = Symbol("mdlState");

/**
 * An MDL returned by the simulator. Its fields are read-only views of the simulator's state.
 *
 * @example
 * ```ts
 * import { MdlFlags, Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const mdl = sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 8192)!;
 * mdl.byteCount; // 8192
 * mdl.mdlFlags & MdlFlags.PAGES_LOCKED; // 2
 * ```
 */
export class SimulatedMdl implements Mdl {
  readonly [mdlState]: MdlState;
  /**
   * A frozen copy of the frame numbers: a driver that writes into its MDL's PFN array gets a
   * TypeError at the faulty line, and the simulator's own record stays intact either way.
   */
  readonly pfns: readonly number[];

  constructor(state: MdlState) {
    this[mdlState] = state;
    this.pfns = Object.freeze(state.frames.slice());
  }

  get byteCount(): number {
    return this[mdlState].byteCount;
  }

  get byteOffset(): number {
    return 0;
  }

  get startVa(): bigint {
    return 0n;
  }

  get mdlFlags(): number {
    return this[mdlState].mdlFlags;
  }

  get mappedSystemVa(): bigint | null {
    const kernel = this[mdlState].mappings.find((m) => m.mode === "kernel");
    return kernel === undefined ? null : kernel.address;
  }
}

/** Flags of a freshly allocated MDL: locked pages, not mapped. */
export const FRESH_MDL_FLAGS = MdlFlags.PAGES_LOCKED;
