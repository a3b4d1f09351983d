/**
 * Snapshots of a built simulator: copies of its typed arrays, so that a fuzzer or a benchmark can
 * put a machine back to the state it had right after it was built (fragmentation included)
 * instead of building it again. Restoring copies into the existing arrays and allocates nothing;
 * restoring the snapshot taken or restored last copies only the words written since
 * (`core/dirty_words.ts`).
 *
 * @module
 */

/**
 * The state of a {@linkcode FrameBitmap}: its levels and free count.
 *
 * @example
 * ```ts
 * import { FrameBitmap } from "./frame_bitmap.ts";
 * const bitmap = new FrameBitmap(1024);
 * const state: FrameBitmapState = bitmap.saveState();
 * state.freeCount; // 0
 * ```
 */
export interface FrameBitmapState {
  /** One bit per frame, 1 = free. */
  readonly words: Uint32Array;
  /** One bit per word with a free frame. */
  readonly anyFree: Uint32Array;
  /** One bit per non-zero `anyFree` word. */
  readonly anyFree2: Uint32Array;
  /** One bit per word whose 32 frames are all free. */
  readonly full: Uint32Array;
  /** Free frames. */
  readonly freeCount: number;
}

/**
 * Bitmaps of a free-frame bitmap's word layout restored alongside it (at most two: the memory's
 * stale and contents bits), or the copies they are restored from, in the same order.
 *
 * @example
 * ```ts
 * const none: Companions = [];
 * const two: Companions = [new Uint32Array(4), new Uint32Array(4)];
 * ```
 */
export type Companions = readonly [] | readonly [Uint32Array] | readonly [Uint32Array, Uint32Array];

/**
 * The state of a {@linkcode PhysicalMemory} without live mappings: the free-frame bitmap and the
 * contents bits (the cache type of every frame is "unmapped" when nothing is mapped).
 *
 * @example
 * ```ts
 * import { machinePresets } from "./machine.ts";
 * import { PhysicalMemory } from "./physical_memory.ts";
 * const memory = new PhysicalMemory(machinePresets["x64-4gib"], { fraction: 0, meanRunPages: 4, seed: 1 });
 * const state: PhysicalMemoryState = memory.saveState();
 * state.frames.freeCount === memory.frames.freeCount; // true
 * ```
 */
export interface PhysicalMemoryState {
  /** The free-frame bitmap. */
  readonly frames: FrameBitmapState;
  /** One bit per frame that holds a previous owner's data once free. */
  readonly stale: Uint32Array;
  /** One bit per frame of a live MDL whose contents are not what a taken frame holds otherwise. */
  readonly differs: Uint32Array;
}

/**
 * What {@linkcode Simulator.snapshot} returns: opaque to callers, valid only for the simulator
 * that made it.
 *
 * @example
 * ```ts
 * import { Simulator } from "./simulator.ts";
 * using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.3 });
 * const snapshot: SimulatorSnapshot = sim.snapshot();
 * sim.restore(snapshot); // back to the state just after the build
 * ```
 */
export interface SimulatorSnapshot {
  /** The simulator the snapshot belongs to. */
  readonly owner: object;
  /** Its free-frame bitmap and stale bits. */
  readonly memory: PhysicalMemoryState;
  /** Its modeled clock. */
  readonly clockNs: number;
}

/**
 * Copies `source` into `target`, which must have the same length (the same machine).
 *
 * @example
 * ```ts
 * copyInto(new Uint32Array(2), Uint32Array.of(1, 2));
 * ```
 */
export function copyInto(target: Uint32Array, source: Uint32Array): void {
  if (target.length !== source.length) {
    throw new RangeError(`a snapshot of ${source.length} words cannot restore ${target.length}`);
  }
  target.set(source);
}
