/**
 * Which frames the live MDLs of a run hold, for the model-checked runner: one bit per frame, set
 * when an MDL arrives and cleared when it is freed, so that no frame is ever held twice.
 *
 * @module
 */

/**
 * A bitmap of the frames live MDLs hold. (A stamp per frame naming its MDL, which would make
 * freeing free of any per-frame work, measured slower: 32 times the memory, and the cache misses
 * that come with it.)
 *
 * @example
 * ```ts
 * const owners = new FrameOwners();
 * owners.claim([7, 8]); // -1: no frame was held
 * owners.claim([8]); // 0: frame 8 (index 0 of these) is held
 * owners.release([7, 8]);
 * owners.claim([8]); // -1
 * ```
 */
export class FrameOwners {
  #bits: Uint32Array = new Uint32Array(1 << 12);

  /**
   * Marks `frames` held; returns the index of the first one already held (one listed twice
   * included), or -1. On a conflict nothing stays marked.
   */
  claim(frames: ArrayLike<number>): number {
    let bits = this.#bits;
    for (let i = 0; i < frames.length; i++) {
      const pfn = frames[i];
      const w = pfn >>> 5;
      if (w >= bits.length) bits = this.#grow(w + 1);
      const bit = 1 << (pfn & 31);
      if (bits[w] & bit) {
        this.#clear(frames, i);
        return i;
      }
      bits[w] |= bit;
    }
    return -1;
  }

  /** The MDL of `frames` was freed: they are no longer held. */
  release(frames: ArrayLike<number>): void {
    this.#clear(frames, frames.length);
  }

  #clear(frames: ArrayLike<number>, count: number): void {
    const bits = this.#bits;
    for (let i = 0; i < count; i++) {
      const w = frames[i] >>> 5;
      if (w < bits.length) bits[w] &= ~(1 << (frames[i] & 31));
    }
  }

  #grow(atLeast: number): Uint32Array {
    const bigger = new Uint32Array(Math.max(atLeast, this.#bits.length * 2));
    bigger.set(this.#bits);
    return this.#bits = bigger;
  }
}
