/**
 * Which live MDL of a run holds each frame, for the model-checked runner: a stamp per frame,
 * written when an MDL arrives and never cleared, so that freeing an MDL or ending a run costs
 * nothing per frame.
 *
 * @module
 */

/**
 * Frame stamps of the live MDLs of one run at a time. Slot `k` (the run's k-th MDL) stamps its
 * frames with the run's base plus `k`; a stamp is live while that slot is and the run is current.
 * A new run moves the base past every stamp written so far, so old stamps are dead without being
 * touched.
 *
 * @example
 * ```ts
 * const owners = new FrameOwners();
 * owners.claim(0, [7, 8]); // -1: no frame was held
 * owners.claim(1, [8]); // 0: frame 8 (index 0 of these) belongs to slot 0
 * owners.release(0);
 * owners.claim(1, [8]); // -1
 * owners.endRun(2);
 * owners.claim(0, [8]); // -1: slot 1 was of the last run
 * ```
 */
export class FrameOwners {
  #stamps = new Uint32Array(1 << 16);
  /** Stamp of slot 0 in this run; every stamp below it is of an earlier run. */
  #base = 1;
  /** 1 for each slot of this run whose MDL is live. */
  #live = new Uint8Array(16);

  /**
   * Stamps `frames` as held by `slot` and marks the slot live; returns the index of the first
   * frame a live slot (this one included: a frame listed twice) already holds, or -1. On a
   * conflict the slot stays dead, so what it stamped so far counts for nothing.
   */
  claim(slot: number, frames: ArrayLike<number>): number {
    if (slot >= this.#live.length) this.#live = grown(this.#live, slot + 1);
    const base = this.#base, live = this.#live, stamp = base + slot;
    let stamps = this.#stamps;
    live[slot] = 1;
    for (let i = 0; i < frames.length; i++) {
      const pfn = frames[i];
      if (pfn >= stamps.length) stamps = this.#stamps = grown(stamps, pfn + 1);
      const held = stamps[pfn];
      if (held >= base && live[held - base] === 1) {
        live[slot] = 0;
        return i;
      }
      stamps[pfn] = stamp;
    }
    return -1;
  }

  /** The slot's MDL was freed: its frames are no longer held. */
  release(slot: number): void {
    if (slot < this.#live.length) this.#live[slot] = 0;
  }

  /**
   * Ends a run that used `slots` slots: every stamp so far becomes dead. Once the stamps near
   * 2³², after billions of MDLs, they are all cleared and counting starts again.
   */
  endRun(slots: number): void {
    this.#live.fill(0);
    this.#base += slots;
    if (this.#base < 0xf0000000) return;
    this.#stamps.fill(0);
    this.#base = 1;
  }
}

function grown<T extends Uint8Array | Uint32Array>(array: T, atLeast: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(
    Math.max(atLeast, array.length * 2),
  );
  bigger.set(array);
  return bigger;
}
