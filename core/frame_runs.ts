/**
 * Searches for contiguous free runs in a frame bitmap: short runs word at a time, long runs on the
 * `full` summary.
 *
 * @module
 */

import { alignUp, FULL, lowestBit, lowestBitOrWidth, maskFrom, maskThrough } from "./bit_ops.ts";
import type { SummarizedWords } from "./summarized_words.ts";

/**
 * Lowest start ≥ lo, a multiple of `alignment`, such that [start, start + count) lies inside
 * [lo, hi) and is entirely free; -1 if there is none. `frameCount` is the bitmap's size.
 *
 * @example
 * ```ts
 * import { findRun } from "./frame_runs.ts";
 * import { SummarizedWords } from "./summarized_words.ts";
 * const s = new SummarizedWords(64);
 * s.setWord(1, 0xffffffff);
 * findRun(s, 64, 4, 0, 64, 1); // 32
 * ```
 */
export function findRun(
  s: SummarizedWords,
  frameCount: number,
  count: number,
  lo: number,
  hi: number,
  alignment: number,
): number {
  if (count <= 0 || hi - lo < count) return -1;
  return count >= 64
    ? findLongRun(s, count, lo, hi, alignment)
    : findShortRun(s, frameCount, count, lo, hi, alignment);
}

/**
 * Short runs (< 64 frames), word at a time: a shift-and finds runs inside a word, a carried count
 * of free frames at the end of the previous words finds runs across words, and the any-free
 * summary skips used words. Alignments other than 1 hop from free frame to used frame.
 */
function findShortRun(
  s: SummarizedWords,
  frameCount: number,
  count: number,
  lo: number,
  hi: number,
  alignment: number,
): number {
  if (alignment !== 1) return findShortRunHopping(s, frameCount, count, lo, hi, alignment);
  if (count === 1) {
    const free = s.nextFree(lo, frameCount);
    return free >= 0 && free < hi ? free : -1;
  }
  const words = s.words;
  const firstWord = lo >>> 5;
  const lastWord = (hi - 1) >>> 5;
  let run = 0;
  for (let w = firstWord; w <= lastWord; w++) {
    let bits = words[w];
    if (w === firstWord) bits &= maskFrom(lo & 31);
    if (w === lastWord) bits &= maskThrough((hi - 1) & 31);
    if (bits === 0) {
      run = 0;
      const next = s.nextFreeWord(w + 1);
      if (next < 0) return -1;
      w = next - 1;
      continue;
    }
    if (bits === FULL) {
      if (run + 32 >= count) return w * 32 - run;
      run += 32;
      continue;
    }
    if (run > 0 && run + lowestBit(~bits) >= count) return w * 32 - run;
    if (count <= 32) {
      let m = bits;
      let len = 1;
      while (len * 2 <= count) {
        m &= m >>> len;
        len *= 2;
      }
      if (len < count) m &= m >>> (count - len);
      if (m !== 0) return w * 32 + lowestBit(m);
    }
    run = Math.clz32(~bits);
  }
  return -1;
}

/** Short aligned runs: hop from free frame to the next used frame. */
function findShortRunHopping(
  s: SummarizedWords,
  frameCount: number,
  count: number,
  lo: number,
  hi: number,
  alignment: number,
): number {
  let start = lo;
  while (true) {
    const free = s.nextFree(start, frameCount);
    if (free < 0) return -1;
    start = alignUp(free, alignment);
    if (start + count > hi) return -1;
    const used = s.nextUsed(start, start + count);
    if (used < 0) return start;
    start = used + 1;
  }
}

/**
 * Long runs: any free run of `count` ≥ 64 frames contains at least ceil((count - 62) / 32)
 * consecutive full words, so only the `full` summary is scanned, then each candidate is widened
 * into its neighbouring words.
 */
function findLongRun(
  s: SummarizedWords,
  count: number,
  lo: number,
  hi: number,
  alignment: number,
): number {
  const needWords = Math.max(1, Math.ceil((count - 62) / 32));
  const full = s.full;
  const firstWord = lo >>> 5;
  const lastWord = (hi - 1) >>> 5;
  let runStart = -1;
  for (let j = firstWord >>> 5; j <= lastWord >>> 5; j++) {
    const x = full[j];
    if (x === 0) {
      if (runStart >= 0) {
        const found = tryFullRun(s, runStart, j * 32, needWords, count, lo, hi, alignment);
        if (found >= 0) return found;
        runStart = -1;
      }
      continue;
    }
    if (x === FULL) {
      if (runStart < 0) runStart = j * 32;
      continue;
    }
    let bit = 0;
    while (bit < 32) {
      const rest = x >>> bit;
      if (rest === 0) {
        if (runStart >= 0) {
          const end = j * 32 + bit;
          const found = tryFullRun(s, runStart, end, needWords, count, lo, hi, alignment);
          if (found >= 0) return found;
          runStart = -1;
        }
        break;
      }
      const zeros = lowestBit(rest);
      if (zeros > 0) {
        if (runStart >= 0) {
          const end = j * 32 + bit;
          const found = tryFullRun(s, runStart, end, needWords, count, lo, hi, alignment);
          if (found >= 0) return found;
          runStart = -1;
        }
        bit += zeros;
      }
      // x >>> bit shifts zeros in at the top, so the count of ones stops at bit 31.
      if (runStart < 0) runStart = j * 32 + bit;
      bit += lowestBit(~(x >>> bit));
    }
  }
  if (runStart >= 0) {
    return tryFullRun(s, runStart, lastWord + 1, needWords, count, lo, hi, alignment);
  }
  return -1;
}

/** Widens full words [a, b) into the free run around them and checks it against the request. */
function tryFullRun(
  s: SummarizedWords,
  a: number,
  b: number,
  needWords: number,
  count: number,
  lo: number,
  hi: number,
  alignment: number,
): number {
  if (b - a < needWords) return -1;
  const words = s.words;
  const left = a > 0 ? Math.clz32(~words[a - 1]) : 0;
  const right = b < words.length ? lowestBitOrWidth(~words[b]) : 0;
  // Everything between the widened ends is free, so the first aligned start either fits or
  // nothing in this run does.
  const runEnd = Math.min(hi, b * 32 + right);
  const start = alignUp(Math.max(lo, a * 32 - left), alignment);
  return start + count <= runEnd ? start : -1;
}
