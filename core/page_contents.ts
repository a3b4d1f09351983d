/**
 * What each frame holds, for zeroing: whether another owner's data is in it. Two bits per frame.
 * The stale bit is written as a frame is taken (its owner leaves its data there at the free), not
 * at the free, so that freeing a zeroed MDL touches only the free-frame bitmap; the frames of live
 * MDLs whose contents differ from what a taken frame holds otherwise are marked apart and cleared
 * at their free.
 *
 * @module
 */

import { forEachWordOfRun, popcount } from "./bit_ops.ts";
import type { DirtyWords } from "./dirty_words.ts";
import type { WordGroups } from "./word_groups.ts";

/**
 * The contents bits of one machine's frames, in the free-frame bitmap's word layout (their writes
 * are marked in its `dirty` words, so that a restore copies them back with the bitmap's).
 *
 * @example
 * ```ts
 * import { DirtyWords } from "./dirty_words.ts";
 * import { WordGroups } from "./word_groups.ts";
 * const contents = new PageContents(2, "zeroed", new DirtyWords(2));
 * const log = new WordGroups();
 * log.push(0, 0b1100);
 * contents.markTaken(log, 0, 1, true); // 2: frames 2 and 3 were not stale
 * contents.isStale(2, true); // true: once free again, its owner's data is in it
 * contents.isStale(2, false); // false: taken zeroed
 * ```
 */
export class PageContents {
  /**
   * Frames that hold a previous owner's data once free (1 = zeroed before reuse): set as a frame
   * is taken, and from the start with stale fresh pages. Only free frames read it; a taken frame's
   * contents are its {@linkcode differs} bit against what a taken frame holds otherwise.
   */
  readonly stale: Uint32Array;
  /**
   * Frames of live MDLs whose contents are not what a taken frame holds otherwise: taken unzeroed
   * while stale on zeroed fresh pages, taken zeroed on stale ones.
   */
  readonly differs: Uint32Array;
  /** What a taken frame not marked in {@linkcode differs} holds: 0 zeros, -1 stale data. */
  readonly #takenDefault: 0 | -1;
  readonly #dirty: DirtyWords;

  /**
   * @param freshPages whether free RAM starts out zeroed or stale
   * @param dirty the free-frame bitmap's written words, marked here too
   */
  constructor(wordCount: number, freshPages: "zeroed" | "stale", dirty: DirtyWords) {
    this.stale = new Uint32Array(wordCount);
    this.differs = new Uint32Array(wordCount);
    this.#takenDefault = freshPages === "stale" ? -1 : 0;
    if (freshPages === "stale") this.stale.fill(0xffffffff);
    this.#dirty = dirty;
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.stale.byteLength + this.differs.byteLength;
  }

  /**
   * Whether `frame` holds another owner's data, given whether it is `free` (a frame no MDL
   * holds: as the machine started).
   */
  isStale(frame: number, free: boolean): boolean {
    const w = frame >>> 5;
    const bit = 1 << (frame & 31);
    if (free) return (this.stale[w] & bit) !== 0;
    return ((this.differs[w] & bit) !== 0) !== (this.#takenDefault === -1);
  }

  /**
   * Marks groups `from` to `to` of `log` taken, `zero`ed or not; returns how many of their frames
   * were not stale (none, mostly, once frames are reused: counting those needs no popcount).
   */
  markTaken({ words, masks }: WordGroups, from: number, to: number, zero: boolean): number {
    const { stale, differs } = this;
    const dirty = this.#dirty;
    const marking = dirty.active;
    const d = this.#takenDefault;
    let fresh = 0;
    for (let k = from; k < to; k++) {
      const w = words[k];
      const mask = masks[k];
      const was = stale[w];
      // Tested as a bit pattern: `hit !== mask` also held for every mask with bit 31 set.
      const notStale = mask & ~was;
      if (notStale !== 0) {
        fresh += popcount(notStale);
        stale[w] = was | mask;
        if (marking) dirty.mark(w);
      }
      // Its contents now: zeros when zeroed, else what it held (stale or not).
      const odd = mask & (zero ? d : was ^ d);
      if (odd !== 0) {
        differs[w] |= odd;
        if (marking) dirty.mark(w);
      }
    }
    return fresh;
  }

  /** Whether an MDL taken `zeroed` (or not) may have frames marked in {@linkcode differs}. */
  marksDiffer(zeroed: boolean): boolean {
    return zeroed === (this.#takenDefault === -1);
  }

  /** Clears the {@linkcode differs} marks of freed frames. */
  unmark(frames: ArrayLike<number>, count: number): void {
    const differs = this.differs;
    for (let i = 0; i < count; i++) {
      const w = frames[i] >>> 5;
      const bit = 1 << (frames[i] & 31);
      if ((differs[w] & bit) !== 0) {
        differs[w] &= ~bit;
        this.#dirty.mark(w);
      }
    }
  }

  /** {@linkcode unmark} for the `count` frames from `start`, a word at a time. */
  unmarkRun(start: number, count: number): void {
    const differs = this.differs;
    forEachWordOfRun(start, count, (w, mask) => {
      if ((differs[w] & mask) !== 0) {
        differs[w] &= ~mask;
        this.#dirty.mark(w);
      }
    });
  }
}
