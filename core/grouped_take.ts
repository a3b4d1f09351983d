/**
 * Taking a freed MDL's whole frame list again a word group at a time: the list read last first
 * (as a placement reuses it) groups by word into the MDL's own groups in reverse order, so its
 * words are cleared, summarized and logged once per group instead of once per frame (a 1 MiB
 * list's 256 frames lie in ~155 words).
 *
 * @module
 */

import { zeroFlag } from "./bit_ops.ts";
import type { SummarizedWords } from "./summarized_words.ts";
import type { WordGroups } from "./word_groups.ts";

/**
 * `takeListed` (`core/listed_take.ts`) of `frames[0..count)` when `groups` is their grouping by word
 * (as `WordGroups.group` makes it) and every frame is free and in a word inside [lo, hi): the same frames in
 * the same order into `out[offset…]`, the same log, free count, summaries and dirty marks.
 * Returns `count`; otherwise -1, having changed nothing (the caller takes frame by frame).
 *
 * @example
 * ```ts
 * import { SummarizedWords } from "./summarized_words.ts";
 * import { WordGroups } from "./word_groups.ts";
 * const s = new SummarizedWords(64);
 * s.setWord(0, 0xffffffff);
 * const groups = new WordGroups();
 * groups.group([1, 2, 40], 3);
 * takeGrouped(s, [1, 2, 40], 3, groups, 0, 64, [], 0); // -1: frame 40 is not free
 * const out: number[] = [];
 * groups.group([1, 2], 2);
 * takeGrouped(s, [1, 2], 2, groups, 0, 64, out, 0); // 2, out [2, 1]
 * ```
 */
export function takeGrouped(
  s: SummarizedWords,
  frames: ArrayLike<number>,
  count: number,
  groups: WordGroups,
  lo: number,
  hi: number,
  out: { [index: number]: number },
  offset: number,
): number {
  const { words, full, dirty } = s;
  const { words: gw, masks: gm, length: n } = groups;
  // A word [lo, hi) cuts is left to the frame path too: rare, and it needs no bit tests here.
  const firstWord = (lo + 31) >>> 5;
  const endWord = hi >>> 5;
  // Every group checked before anything changes, so that a miss leaves all to the frame path.
  for (let k = 0; k < n; k++) {
    const w = gw[k];
    if ((gm[k] & ~words[w]) !== 0 || w < firstWord || w >= endWord) return -1;
  }
  const log = s.takeLog;
  const marking = dirty.active;
  if (log !== null) log.reserve(n);
  const lw = log === null ? gw : log.words;
  const lm = log === null ? gm : log.masks;
  let m = log === null ? 0 : log.length;
  let last = m === 0 ? -1 : lw[m - 1];
  for (let k = n - 1; k >= 0; k--) {
    const w = gw[k];
    const mask = gm[k];
    const old = words[w];
    const now = old & ~mask;
    words[w] = now;
    full[w >>> 5] ^= zeroFlag(~old) << (w & 31);
    if (now === 0) s.flipAnyFree(w);
    if (log === null) {
      if (marking) dirty.mark(w);
    } else if (w === last) lm[m - 1] |= mask;
    else {
      // As the frame path's log: a group of the last logged word joins it.
      lw[m] = w;
      lm[m++] = mask;
      last = w;
      if (marking) dirty.mark(w);
    }
  }
  if (log !== null) log.length = m;
  for (let j = 0, i = count - 1; i >= 0; i--) out[offset + j++] = frames[i];
  s.freeCount -= count;
  return count;
}
