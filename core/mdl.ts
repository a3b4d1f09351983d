/**
 * The simulator's MDL: the public fields of `MDL` plus the bookkeeping Driver Verifier keeps
 * beside it (owner, state, where it was allocated, live mappings).
 *
 * @module
 */

import type { Mdl, MdlSource } from "./backend.ts";
import { MdlFlags } from "./constants.ts";
import { DriverViolation, ViolationRules } from "./violations.ts";
import type { WordGroups } from "./word_groups.ts";

/** One live mapping of an MDL. */
export interface MdlMapping {
  readonly address: bigint;
  readonly cacheType: number;
  readonly mode: "kernel" | "user";
}

/** Internal state of a simulated MDL, reachable only through its {@linkcode MdlKit}. */
export interface MdlState {
  /** The simulator instance that allocated it. */
  readonly owner: object;
  /** Sequence number of the allocation (1 for the first MDL of a simulator). */
  readonly id: number;
  readonly source: MdlSource;
  /** The frames allocated (a `Uint32Array` in the simulator): its own record, never handed out. */
  readonly frames: ArrayLike<number>;
  /** Whether `frames` is one ascending run (a single contiguous chunk): freed word by word. */
  readonly oneRun?: boolean;
  /**
   * `frames` grouped by word as they were taken, for freeing them without grouping again; given
   * back for reuse (and cleared) when the MDL is freed.
   */
  groups?: WordGroups;
  /** Whether its allocation zeroed every frame: none holds another owner's data. */
  readonly zeroed?: boolean;
  /** Stack captured at allocation, formatted only when a leak is reported. */
  readonly allocationSite: Error | undefined;
  byteCount: number;
  mdlFlags: number;
  mappings: readonly MdlMapping[];
  /**
   * The cache type its frames have in the PFN database while it is mapped: the last map's, or
   * after an unmap the first remaining mapping's; null when unmapped. Kept per MDL, not per frame:
   * its frames are its own while it lives.
   */
  frameCacheType: number | null;
  freed: boolean;
  /** Its index in the memory manager's array of live MDLs while live. */
  slot: number;
}

/**
 * Makes the MDLs of one memory manager and reads their state back. Each kit defines its own MDL
 * class with an ES private field, so the state is reachable from nowhere but the kit that made
 * it: not through a property or symbol of the MDL, not from a spread copy, `Object.create` of its
 * prototype, a Proxy, another kit's MDL or `new mdl.constructor(…)` (which throws a TypeError).
 *
 * @example
 * ```ts
 * const kit = createMdlKit();
 * const state: MdlState = {
 *   owner: {}, id: 1, source: "mm", frames: [7], allocationSite: undefined,
 *   byteCount: 4096, mdlFlags: FRESH_MDL_FLAGS, mappings: [], frameCacheType: null, freed: false,
 *   slot: 0,
 * };
 * const mdl = kit.wrap(state);
 * kit.stateOf(mdl) === state; // true
 * kit.stateOf({ ...mdl }); // undefined
 * createMdlKit().stateOf(mdl); // undefined: another kit
 * ```
 */
export interface MdlKit {
  /** A new MDL whose fields are read-only views of `state`. */
  wrap(state: MdlState): Mdl;
  /** The state of an MDL this kit made, else undefined (whatever `value` is). */
  stateOf(value: unknown): MdlState | undefined;
}

/**
 * A new {@linkcode MdlKit}, one per memory manager.
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
export function createMdlKit(): MdlKit {
  const token = {};
  class SimulatedMdl implements Mdl {
    readonly #state: MdlState;
    #pfns: readonly number[] | undefined;

    constructor(key: unknown, state: MdlState) {
      if (key !== token) {
        throw new TypeError("MDLs are made by the simulator's allocations, not constructed");
      }
      this.#state = state;
    }

    /**
     * A frozen copy of the frame numbers, made on first read (an allocate + free that never looks
     * at them pays nothing): a driver that writes into its MDL's PFN array gets a TypeError at
     * the faulty line, and the simulator's own record stays intact either way. A first read
     * after the MDL was freed is a use-after-free violation; a copy read before stays valid.
     */
    get pfns(): readonly number[] {
      if (this.#pfns !== undefined) return this.#pfns;
      const state = this.#state;
      // The PFN array is part of the MDL, which FreePagesFromMdl frees (the simulator reuses it).
      if (state.freed) {
        throw new DriverViolation(
          ViolationRules.useAfterFree,
          `mdl.pfns first read on MDL #${state.id} after it was freed ` +
            "(read it before the free to keep a copy)",
        );
      }
      // A counted loop: Array.from walks a typed array through its iterator, about 5 times slower.
      const frames = state.frames;
      const pfns = new Array<number>(frames.length);
      for (let i = 0; i < frames.length; i++) pfns[i] = frames[i];
      return this.#pfns = Object.freeze(pfns);
    }

    static stateOf(value: unknown): MdlState | undefined {
      return typeof value === "object" && value !== null && #state in value
        ? (value as SimulatedMdl).#state
        : undefined;
    }

    get byteCount(): number {
      return this.#state.byteCount;
    }

    get byteOffset(): number {
      return 0;
    }

    get startVa(): bigint {
      return 0n;
    }

    get mdlFlags(): number {
      return this.#state.mdlFlags;
    }

    get mappedSystemVa(): bigint | null {
      const kernel = this.#state.mappings.find((m) => m.mode === "kernel");
      return kernel === undefined ? null : kernel.address;
    }
  }
  return {
    wrap: (state) => new SimulatedMdl(token, state),
    stateOf: SimulatedMdl.stateOf,
  };
}

/** Flags of a freshly allocated MDL: locked pages, not mapped. */
export const FRESH_MDL_FLAGS = MdlFlags.PAGES_LOCKED;
