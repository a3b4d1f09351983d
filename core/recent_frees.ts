/**
 * The recently freed frames a scattered placement reuses first (last freed, first reused): the
 * freed MDLs' frame lists themselves, by reference, each with its grouping by word when the MDL
 * had one, so that a list reused whole is taken a word group at a time.
 *
 * @module
 */

import type { FrameBitmap, FrameSink } from "./frame_bitmap.ts";
import { recycleFrameList } from "./frame_slab.ts";
import type { WordGroups, WordGroupsPool } from "./word_groups.ts";

/** Frames remembered as recently freed. */
const RECENT_CAPACITY = 1 << 16;

/**
 * The longest list that is still remembered (and so still read) once added: past the capacity
 * the oldest lists are forgotten down to half of it, the newest last.
 *
 * @example
 * ```ts
 * LONGEST_KEPT_WHOLE; // 32768
 * ```
 */
export const LONGEST_KEPT_WHOLE = RECENT_CAPACITY / 2;

/**
 * Frame lists of recent frees, oldest first, each used from its end (last freed first); frames
 * out of range stay remembered, taken ones are forgotten.
 *
 * @example
 * ```ts
 * import { FrameBitmap } from "./frame_bitmap.ts";
 * import { RecentFrees } from "./recent_frees.ts";
 * const bitmap = new FrameBitmap(64);
 * bitmap.setRange(0, 64, true);
 * const recent = new RecentFrees();
 * recent.add([3, 9, 40], 3);
 * const out: number[] = [];
 * recent.take(bitmap, 0, 64, 2, out, 0); // 2: frames 40 and 9
 * ```
 */
export class RecentFrees {
  readonly #batches: ArrayLike<number>[] = [];
  readonly #counts: number[] = [];
  /** The grouping of each batch's whole list (its MDL's), null once it is partly used. */
  readonly #groups: (WordGroups | null)[] = [];
  /** Where groupings go once no batch holds them (none: left to the collector). */
  readonly #pool: WordGroupsPool | undefined;
  #remembered = 0;
  /** Out-of-range frames a take passed over; added as a batch when any were. */
  #kept: number[] = [];

  /** @param pool takes back the groupings of batches used up or forgotten. */
  constructor(pool?: WordGroupsPool) {
    this.#pool = pool;
  }

  /**
   * Remembers `frames[0..count)`, by reference (a free costs no copy); `groups`, the grouping
   * of the whole list as its MDL took it, is this store's until it gives it back to the pool.
   */
  add(frames: ArrayLike<number>, count: number, groups?: WordGroups): void {
    this.#batches.push(frames);
    this.#counts.push(count);
    this.#groups.push(groups ?? null);
    this.#remembered += count;
    if (this.#remembered > RECENT_CAPACITY) this.#forgetOldest();
  }

  /** Forgets every batch. */
  clear(): void {
    for (const g of this.#groups) this.#giveBack(g);
    this.#batches.length = 0;
    this.#counts.length = 0;
    this.#groups.length = 0;
    this.#remembered = 0;
  }

  /** Takes up to `max` recently freed frames of [lo, hi) into `out[offset…]`; returns how many. */
  take(
    bitmap: FrameBitmap,
    lo: number,
    hi: number,
    max: number,
    out: FrameSink,
    offset: number,
  ): number {
    const batches = this.#batches;
    const counts = this.#counts;
    const kept = this.#kept;
    let budget = 2 * max + 256;
    let taken = 0;
    while (taken < max && budget > 0 && batches.length > 0) {
      const top = batches.length - 1;
      const n = counts[top];
      // At most as many frames as could still be taken, so none is read past the last one taken.
      const read = Math.min(n, max - taken, budget);
      budget -= read;
      const groups = this.#groups[top];
      // A whole list with its grouping, all free and in range, goes a word group at a time.
      const whole = groups !== null && read === n
        ? bitmap.takeGrouped(batches[top], n, groups, lo, hi, out, offset + taken)
        : -1;
      taken += whole >= 0
        ? whole
        : bitmap.takeListed(batches[top], n - read, n, lo, hi, kept, out, offset + taken);
      this.#remembered -= read;
      if (read === n) this.#dropTop();
      else {
        counts[top] = n - read;
        this.#partlyUsed(top);
      }
    }
    if (kept.length > 0) {
      this.add(kept.reverse(), kept.length);
      this.#kept = [];
    }
    return taken;
  }

  /** The frame freed last that is free, in [lo, hi) and not `after`, forgotten; -1 if none. */
  pop(bitmap: FrameBitmap, lo: number, hi: number, kept: number[], after: number): number {
    const batches = this.#batches;
    const counts = this.#counts;
    while (batches.length > 0) {
      const top = batches.length - 1;
      const frame = batches[top][--counts[top]];
      this.#remembered--;
      if (counts[top] === 0) this.#dropTop();
      else this.#partlyUsed(top);
      if (frame < lo || frame >= hi || frame === after) kept.push(frame);
      else if (bitmap.isFree(frame)) return frame;
    }
    return -1;
  }

  /** Batch `top` is no longer its whole list: its grouping describes it no more. */
  #partlyUsed(top: number): void {
    const groups = this.#groups[top];
    if (groups === null) return;
    this.#groups[top] = null;
    this.#giveBack(groups);
  }

  #forgetOldest(): void {
    let drop = 0;
    while (this.#remembered > RECENT_CAPACITY / 2) this.#remembered -= this.#counts[drop++];
    for (const list of this.#batches.splice(0, drop)) recycleFrameList(list);
    for (const g of this.#groups.splice(0, drop)) this.#giveBack(g);
    this.#counts.splice(0, drop);
  }

  /** Forgets the newest batch, used up; its list and grouping are read no more. */
  #dropTop(): void {
    recycleFrameList(this.#batches.pop()!);
    this.#giveBack(this.#groups.pop()!);
    this.#counts.pop();
  }

  #giveBack(groups: WordGroups | null): void {
    if (groups !== null) this.#pool?.giveBack(groups);
  }
}
