/**
 * Searches for contiguous free runs in a frame bitmap: short runs word at a time, long runs on the
 * `full` summary.
 *
 * @module
 */

import { alignUp, FULL, lowestBit, lowestBitOrWidth, maskFrom, maskThrough } from "./bit_ops.ts";
import type { SummarizedWords } from "./summarized_words.ts";

/**
 * The run searches of one bitmap's words: lowest start ≥ lo, a multiple of `alignment`, such that
 * [start, start + count) lies inside [lo, hi) and is entirely free; -1 if there is none.
 *
 * @example
 * ```ts
 * import { RunFinder } from "./frame_runs.ts";
 * import { SummarizedWords } from "./summarized_words.ts";
 * const s = new SummarizedWords(64);
 * s.setWord(1, 0xffffffff);
 * new RunFinder(s, 64).find(4, 0, 64, 1); // 32
 * ```
 */
export class RunFinder {
  readonly #s: SummarizedWords;
  readonly #frameCount: number;
  // The request being searched for, so that the helpers below take only what varies.
  #count = 0;
  #lo = 0;
  #hi = 0;
  #alignment = 1;

  /** A finder over `s`, a bitmap of `frameCount` frames. */
  constructor(s: SummarizedWords, frameCount: number) {
    this.#s = s;
    this.#frameCount = frameCount;
  }

  /** The lowest fitting start, or -1 (see the class). */
  find(count: number, lo: number, hi: number, alignment: number): number {
    if (count <= 0 || hi - lo < count) return -1;
    if (count === 1 && alignment === 1) {
      // The most frequent search (every run of the scattered placements): the next free frame.
      const free = this.#s.nextFree(lo, this.#frameCount);
      return free >= 0 && free < hi ? free : -1;
    }
    this.#count = count;
    this.#lo = lo;
    this.#hi = hi;
    this.#alignment = alignment;
    if (count >= 64) return this.#findLongRun();
    return alignment === 1 ? this.#findShortRun() : this.#findShortRunHopping();
  }

  /**
   * Short runs (< 64 frames), word at a time: a shift-and finds runs inside a word, a carried
   * count of free frames at the end of the previous words finds runs across words, and the
   * any-free summary skips used words.
   */
  #findShortRun(): number {
    const s = this.#s;
    const count = this.#count;
    const lo = this.#lo;
    const hi = this.#hi;
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
  #findShortRunHopping(): number {
    const s = this.#s;
    const count = this.#count;
    let start = this.#lo;
    while (true) {
      const free = s.nextFree(start, this.#frameCount);
      if (free < 0) return -1;
      start = alignUp(free, this.#alignment);
      if (start + count > this.#hi) return -1;
      const used = s.nextUsed(start, start + count);
      if (used < 0) return start;
      start = used + 1;
    }
  }

  /**
   * Long runs: any free run of `count` ≥ 64 frames contains at least ceil((count - 62) / 32)
   * consecutive full words, so only the `full` summary is scanned, then each candidate is
   * widened into its neighbouring words.
   */
  #findLongRun(): number {
    const need = Math.max(1, Math.ceil((this.#count - 62) / 32));
    const full = this.#s.full;
    const firstWord = this.#lo >>> 5;
    const lastWord = (this.#hi - 1) >>> 5;
    let runStart = -1;
    for (let j = firstWord >>> 5; j <= lastWord >>> 5; j++) {
      const x = full[j];
      if (x === FULL) {
        if (runStart < 0) runStart = j * 32;
        continue;
      }
      let bit = 0;
      while (bit < 32) {
        const rest = x >>> bit;
        const zeros = rest === 0 ? 32 - bit : lowestBit(rest);
        if (zeros > 0) {
          if (runStart >= 0) {
            const found = this.#tryFullRun(runStart, j * 32 + bit, need);
            if (found >= 0) return found;
            runStart = -1;
          }
          bit += zeros;
          if (bit >= 32) break;
        }
        // x >>> bit shifts zeros in at the top, so the count of ones stops at bit 31.
        if (runStart < 0) runStart = j * 32 + bit;
        bit += lowestBit(~(x >>> bit));
      }
    }
    return runStart >= 0 ? this.#tryFullRun(runStart, lastWord + 1, need) : -1;
  }

  /** Widens full words [a, b) into the free run around them and checks it against the request. */
  #tryFullRun(a: number, b: number, need: number): number {
    if (b - a < need) return -1;
    const words = this.#s.words;
    const left = a > 0 ? Math.clz32(~words[a - 1]) : 0;
    const right = b < words.length ? lowestBitOrWidth(~words[b]) : 0;
    // Everything between the widened ends is free, so the first aligned start either fits or
    // nothing in this run does.
    const runEnd = Math.min(this.#hi, b * 32 + right);
    const start = alignUp(Math.max(this.#lo, a * 32 - left), this.#alignment);
    return start + this.#count <= runEnd ? start : -1;
  }
}
