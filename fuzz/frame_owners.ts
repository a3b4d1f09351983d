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
 * owners.take(7) && owners.take(8); // true: neither was held
 * owners.take(8); // false: it is
 * owners.release([7, 8]);
 * owners.take(8); // true
 * ```
 */
export class FrameOwners {
  #bits: Uint32Array = new Uint32Array(1 << 12);

  /** Marks frame `pfn` held; false (and nothing changed) when it already was. */
  take(pfn: number): boolean {
    const w = pfn >>> 5;
    const bits = w < this.#bits.length ? this.#bits : this.#grow(w + 1);
    const bit = 1 << (pfn & 31);
    if (bits[w] & bit) return false;
    bits[w] |= bit;
    return true;
  }

  /** The first `count` of `frames` (all by default) are no longer held: their MDL was freed. */
  release(frames: ArrayLike<number>, count: number = frames.length): void {
    const bits = this.#bits;
    for (let i = 0; i < count; i++) {
      const w = frames[i] >>> 5;
      if (w < bits.length) bits[w] &= ~(1 << (frames[i] & 31));
    }
  }

  /** Nothing is held any more: after a failed run, which may have marked frames it then refused. */
  clear(): void {
    this.#bits.fill(0);
  }

  #grow(atLeast: number): Uint32Array {
    const bigger = new Uint32Array(Math.max(atLeast, this.#bits.length * 2));
    bigger.set(this.#bits);
    return this.#bits = bigger;
  }
}
