/**
 * A freed MDL's frames held out of the free-frame bitmap until something else reads it. The next
 * allocation often takes exactly those frames first: under the default placement the list freed
 * last, reused last frame first; under lowest-first the list when it is the lowest free frames of
 * the range. Taking them from here instead leaves the bitmap words, their summaries and the free
 * count exactly as freeing and taking again would, without reading or writing one of them (the
 * stale bits are the memory's, written as frames are taken). Any other use of the bitmap writes
 * the batch back first (`FrameBitmap.settle`), so nothing outside sees the difference
 * (`core/parking_test.ts`).
 *
 * @module
 */

import { recycleFrameList } from "./frame_slab.ts";
import type { SummarizedWords } from "./summarized_words.ts";
import type { WordGroups, WordGroupsPool } from "./word_groups.ts";

/** Where frames are written (`FrameBitmap`'s `FrameSink`). */
type Sink = { [index: number]: number };

const NO_GROUPS = { words: new Uint32Array(0), masks: new Uint32Array(0), length: 0 };

/**
 * The one batch a bitmap holds parked (`FrameBitmap.park`): a freed MDL's frame list and its
 * grouping by word, by reference (the placement that keeps them as its recent frees must not give
 * them back while they are parked), and what the take log under way got from it.
 *
 * @example
 * ```ts
 * import { FrameBitmap } from "./frame_bitmap.ts";
 * import { Parking } from "./parking.ts";
 * import { SummarizedWords } from "./summarized_words.ts";
 * import { WordGroups } from "./word_groups.ts";
 * const groups = new WordGroups();
 * groups.group([1, 2, 40], 3);
 * const parking = new Parking(new SummarizedWords(64), 64);
 * parking.hold([1, 2, 40], 3, groups);
 * const log = new WordGroups();
 * const out: number[] = [];
 * parking.takeBack([1, 2, 40], 3, groups, log, 0, 64, out, 0); // 3: out [40, 2, 1]
 * parking.unparkedGroups; // 2: the log's word 1, then word 0
 *
 * const bitmap = new FrameBitmap(64);
 * const pair = new WordGroups();
 * pair.group([1, 2], 2);
 * bitmap.park([1, 2], 2, pair); // as FrameBitmap.release with this grouping…
 * bitmap.freeCount; // 2: …once anything reads the bitmap
 * ```
 */
export class Parking {
  /** The frames parked, in MDL order; null when none are. */
  list: ArrayLike<number> | null = null;
  /** How many frames of `list` are parked. */
  count = 0;
  /** Their grouping by word, as their MDL's take log made it. */
  groups: Pick<WordGroups, "words" | "masks" | "length"> = NO_GROUPS;
  /** How many of the take log's first groups were taken back from here since it started. */
  unparkedGroups = 0;

  readonly #bitmap: SummarizedWords;
  readonly #frameCount: number;

  /** @param bitmap the words of the bitmap that parks (`frameCount` frames) */
  constructor(bitmap: SummarizedWords, frameCount: number) {
    this.#bitmap = bitmap;
    this.#frameCount = frameCount;
  }

  /** Where groupings go once done with. */
  #pool: WordGroupsPool | undefined;
  /** Whether list and grouping are this parking's to give back (no placement keeps them). */
  #owned = false;

  /** Sets where the groupings this parking owns go once done with. */
  attach(pool: WordGroupsPool): void {
    this.#pool = pool;
  }

  /**
   * Parks a list; the caller has written back the one parked before. When `owned`, list and
   * grouping are this parking's: once taken or written back they go to the frame slab and the
   * pool; otherwise a placement keeps them.
   */
  hold(list: ArrayLike<number>, count: number, groups: WordGroups, owned = false): void {
    this.list = list;
    this.count = count;
    this.groups = groups;
    this.#owned = owned;
  }

  /** Forgets the batch (written back or taken back), giving back list and grouping if its own. */
  clear(list: ArrayLike<number>): void {
    if (this.#owned) {
      recycleFrameList(list);
      this.#pool?.giveBack(this.groups as WordGroups);
      this.#owned = false;
    }
    this.list = null;
    this.groups = NO_GROUPS;
  }

  /**
   * {@linkcode takeBackLowest} on the bitmap: the batch when it is all a lowest-first take of
   * [lo, hi) would take first (returns its count), else -1, having changed nothing.
   */
  takeLowest(lo: number, hi: number, max: number, out: Sink, offset: number): number {
    const s = this.#bitmap;
    const firstFree = s.nextFree(lo, this.#frameCount);
    return this.takeBackLowest(s.takeLog, lo, hi, max, firstFree, out, offset);
  }

  /**
   * What a lowest-first take (`FrameBitmap.takeAscending`) from the bitmap with the batch
   * released would take first, when that is the whole batch: the take `log` is empty, at most
   * `max` frames are asked for, the batch lies in [lo, hi) and `firstFree`, the lowest free frame
   * ≥ lo (-1: none), lies above it. Its frames then go in list order to `out[offset…]` and its
   * groups to `log`; returns their count, else -1, having changed nothing. The list must be
   * ascending, as every lowest-first take writes it (the groups' words are checked to be).
   */
  takeBackLowest(
    log: WordGroups | null,
    lo: number,
    hi: number,
    max: number,
    firstFree: number,
    out: Sink,
    offset: number,
  ): number {
    const list = this.list!;
    const count = this.count;
    if (log === null || log.length !== 0 || count > max) return -1;
    const last = list[count - 1];
    if (list[0] < lo || last >= hi || (firstFree >= 0 && firstFree <= last)) return -1;
    const { words: gw, masks: gm, length: n } = this.groups;
    for (let k = 1; k < n; k++) if (gw[k] <= gw[k - 1]) return -1;
    log.reserve(n);
    log.words.set(gw.subarray(0, n));
    log.masks.set(gm.subarray(0, n));
    log.length = n;
    if (out instanceof Uint32Array && list instanceof Uint32Array) {
      out.set(list.length === count ? list : list.subarray(0, count), offset);
    } else for (let i = 0; i < count; i++) out[offset + i] = list[i];
    return this.#tookBack(log, list, count);
  }

  /** Records how many groups the take log got back and forgets the batch; returns `count`. */
  #tookBack(log: WordGroups, list: ArrayLike<number>, count: number): number {
    this.unparkedGroups = log.length;
    this.clear(list);
    return count;
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
    out: Sink,
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
    return this.#tookBack(log, list, count);
  }
}
