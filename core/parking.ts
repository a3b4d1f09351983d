/**
 * A freed MDL's frames held out of the free-frame bitmap until something else reads it. Under the
 * default placement the next allocation that needs at least as many frames takes the list freed
 * last back whole (last frame first); taking it from here instead leaves the bitmap words, their
 * summaries, the free count and the stale bits exactly as freeing and taking again would, without
 * reading or writing one of them. Any other use of the bitmap writes the batch back first
 * (`FrameBitmap.settle`), so nothing outside sees the difference.
 *
 * @module
 */

import type { FrameSink } from "./frame_bitmap.ts";
import type { WordGroups } from "./word_groups.ts";

const NO_GROUPS = { words: new Uint32Array(0), masks: new Uint32Array(0), length: 0 };

/**
 * The one batch a bitmap holds parked (`FrameBitmap.park`): a freed MDL's frame list and its
 * grouping by word, by reference (the placement that keeps them as its recent frees must not give
 * them back while they are parked), and what the take log under way got from it.
 *
 * @example
 * ```ts
 * import { Parking } from "./parking.ts";
 * import { WordGroups } from "./word_groups.ts";
 * const groups = new WordGroups();
 * groups.group([1, 2, 40], 3);
 * const parking = new Parking();
 * parking.hold([1, 2, 40], 3, groups, undefined);
 * const log = new WordGroups();
 * const out: number[] = [];
 * parking.takeBack([1, 2, 40], 3, groups, log, 0, 64, out, 0); // 3: out [40, 2, 1]
 * parking.unparkedGroups; // 2: the log's word 1, then word 0
 * ```
 */
export class Parking {
  /** The frames parked, in MDL order; null when none are. */
  list: ArrayLike<number> | null = null;
  count = 0;
  /** Their grouping by word, as their MDL's take log made it. */
  groups: Pick<WordGroups, "words" | "masks" | "length"> = NO_GROUPS;
  /** The bitmap of the same word layout their release also sets (the stale bits). */
  mark: Uint32Array | undefined;
  /** How many of the take log's first groups were taken back from here since it started. */
  unparkedGroups = 0;
  /** The last of those groups' mask as the batch had it: later takes of its word join it. */
  unparkedLastMask = 0;

  /** Parks a list; the caller has written back the one parked before. */
  hold(list: ArrayLike<number>, count: number, groups: WordGroups, mark?: Uint32Array): void {
    this.list = list;
    this.count = count;
    this.groups = groups;
    this.mark = mark;
  }

  /** Forgets the batch (written back or taken back). */
  clear(): void {
    this.list = null;
    this.groups = NO_GROUPS;
    this.mark = undefined;
  }

  /**
   * What `FrameBitmap.takeGrouped` of the whole parked list does had it been released, when it is
   * the list and grouping parked, the take `log` is empty and every group lies in a word inside
   * [lo, hi): the frames last first into `out[offset…]`, the groups last first into `log`, merged
   * as the bitmap's log merges them. Returns `count`; otherwise -1, having changed nothing.
   */
  takeBack(
    list: ArrayLike<number>,
    count: number,
    groups: WordGroups,
    log: WordGroups | null,
    lo: number,
    hi: number,
    out: FrameSink,
    offset: number,
  ): number {
    if (list !== this.list || count !== this.count || groups !== this.groups) return -1;
    if (log === null || log.length !== 0) return -1;
    const { words: gw, masks: gm, length: n } = groups;
    const firstWord = (lo + 31) >>> 5;
    const endWord = hi >>> 5;
    log.reserve(n);
    const lw = log.words;
    const lm = log.masks;
    let m = 0;
    for (let k = n - 1; k >= 0; k--) {
      const w = gw[k];
      if (w < firstWord || w >= endWord) return -1;
      if (m > 0 && lw[m - 1] === w) lm[m - 1] |= gm[k];
      else {
        lw[m] = w;
        lm[m++] = gm[k];
      }
    }
    log.length = m;
    for (let j = offset, i = count - 1; i >= 0; i--) out[j++] = list[i];
    this.unparkedGroups = m;
    this.unparkedLastMask = lm[m - 1];
    this.clear();
    return count;
  }
}
