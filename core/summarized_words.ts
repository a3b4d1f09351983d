/**
 * The free-frame words and their summary bitmaps, kept consistent word by word: the state the
 * frame bitmap's operations and run searches read.
 *
 * Levels: `words` (32 frames a word), `anyFree` (one bit per word that has a free frame),
 * `anyFree2` (one bit per `anyFree` word that is non-zero) and `full` (one bit per word whose 32
 * frames are all free). A 64 GiB machine at 4 KiB pages needs 2 MiB for `words` and ~130 KiB for
 * the summaries.
 *
 * @module
 */

import { FULL, lowestBit, maskFrom, maskThrough, popcount, zeroFlag } from "./bit_ops.ts";
import { DirtyWords } from "./dirty_words.ts";
import { type Companions, copyInto, type FrameBitmapState } from "./snapshot.ts";
import type { WordGroups } from "./word_groups.ts";

/**
 * The words of a frame bitmap (1 = free) with their summaries and the free count.
 *
 * @example
 * ```ts
 * import { SummarizedWords } from "./summarized_words.ts";
 * const s = new SummarizedWords(64);
 * s.setWord(1, 0xffffffff);
 * s.nextFreeWord(0); // 1
 * ```
 */
export class SummarizedWords {
  /** 32 frames a word, 1 = free. */
  readonly words: Uint32Array;
  /** One bit per word that has a free frame. */
  readonly anyFree: Uint32Array;
  /** One bit per `anyFree` word that is non-zero. */
  readonly anyFree2: Uint32Array;
  /** One bit per word whose 32 frames are all free. */
  readonly full: Uint32Array;
  /** Number of free frames; callers that write `words` directly keep it current. */
  freeCount = 0;
  /**
   * Words written since the last {@linkcode saveState} or {@linkcode restoreState}
   * (`core/dirty_words.ts`), marked only once a state was saved; callers that write `words`
   * directly mark them.
   */
  readonly dirty: DirtyWords;
  /** The state the words equal outside the dirty words; null when unknown (restore copies all). */
  /** While set, every {@linkcode clearBits} appends its word and mask here. */
  takeLog: WordGroups | null = null;
  #base: FrameBitmapState | null = null;

  constructor(frameCount: number) {
    const words = Math.ceil(frameCount / 32);
    this.words = new Uint32Array(words);
    this.anyFree = new Uint32Array(Math.ceil(words / 32));
    this.anyFree2 = new Uint32Array(Math.ceil(this.anyFree.length / 32));
    this.full = new Uint32Array(Math.ceil(words / 32));
    this.dirty = new DirtyWords(words);
  }

  /** Bytes of state held, for the memory budget. */
  get stateBytes(): number {
    return this.words.byteLength + this.anyFree.byteLength + this.anyFree2.byteLength +
      this.full.byteLength + this.dirty.byteLength;
  }

  /** Sets word `w`, updating the free count and the summaries. */
  setWord(w: number, value: number): void {
    const words = this.words;
    const old = words[w];
    words[w] = value;
    const now = words[w];
    if (old === now) return;
    this.dirty.mark(w);
    this.freeCount += popcount(now) - popcount(old);
    if ((old === 0) !== (now === 0)) this.flipAnyFree(w);
    if ((old === FULL) !== (now === FULL)) this.full[w >>> 5] ^= 1 << (w & 31);
  }

  /**
   * Marks the `n` frames of `mask` in word `w` in use; each of them must be free. Cheaper than
   * {@linkcode setWord}: the free count changes by `n`, and a summary only where the word empties
   * or was full.
   */
  clearBits(w: number, mask: number, n: number): void {
    if (this.takeLog !== null) this.takeLog.push(w, mask);
    const words = this.words;
    const old = words[w];
    const now = old & ~mask;
    words[w] = now;
    this.dirty.mark(w);
    this.freeCount -= n;
    this.full[w >>> 5] ^= zeroFlag(~old) << (w & 31);
    if (now === 0) this.flipAnyFree(w);
  }

  /**
   * The loop of `FrameBitmap.takeAscending`: takes up to `max` free frames of [lo, hi), lowest
   * first, into `out[offset…]`; returns how many. Each word's frames are written as their bits
   * are found and the word is cleared, summarized and logged once, here inline (a call per word
   * to {@linkcode clearBits} and the log's push was a tenth of a 1 MiB allocate + free).
   */
  takeAscending(
    lo: number,
    hi: number,
    max: number,
    out: { [index: number]: number },
    offset: number,
  ): number {
    const { words, full, dirty } = this;
    const log = this.takeLog;
    const lastWord = (hi - 1) >>> 5;
    let at = offset;
    const end = offset + max;
    for (let w = this.nextFreeWord(lo >>> 5); w >= 0 && w <= lastWord && at < end;) {
      const old = words[w];
      let bits = old | 0;
      if (w === lo >>> 5) bits &= maskFrom(lo & 31);
      if (w === lastWord) bits &= maskThrough((hi - 1) & 31);
      const top = w * 32 + 31;
      // The lowest bit isolated once and cleared with it (a tenth faster than `m &= m - 1`).
      let m = bits;
      while (m !== 0 && at < end) {
        const low = m & -m;
        out[at++] = top - Math.clz32(low);
        m ^= low;
      }
      const mask = bits ^ m;
      if (mask !== 0) {
        const now = old & ~mask;
        words[w] = now;
        if (log !== null) {
          // As WordGroups.push: a word the last group has (from an earlier range) joins it.
          const n = log.length;
          if (n !== 0 && log.words[n - 1] === w) log.masks[n - 1] |= mask;
          else {
            if (n === log.words.length) log.reserve(1);
            log.words[n] = w;
            log.masks[n] = mask;
            log.length = n + 1;
          }
        }
        if (dirty.active) dirty.mark(w);
        full[w >>> 5] ^= zeroFlag(~old) << (w & 31);
        if (now === 0) this.flipAnyFree(w);
      }
      w = this.nextFreeWord(w + 1);
    }
    this.freeCount -= at - offset;
    return at - offset;
  }

  /** Marks the `n` frames of `mask` in word `w` free; each of them must be in use. */
  setBits(w: number, mask: number, n: number): void {
    const words = this.words;
    const old = words[w];
    const now = (old | mask) >>> 0;
    words[w] = now;
    this.dirty.mark(w);
    this.freeCount += n;
    this.full[w >>> 5] ^= zeroFlag(~now) << (w & 31);
    if (old === 0) this.flipAnyFree(w);
  }

  /**
   * {@linkcode setBits} for `count` pairs of word `ws[k]` and mask `ms[k]`, in one loop that
   * also checks each pair: its frames in use (each once) and below `frameCount`. At the first
   * pair that is not, the pairs before it are taken back and false returned, nothing changed.
   * `frames`, when the caller knows how many frames the masks hold, spares a popcount per word.
   */
  setMasks(
    ws: Uint32Array,
    ms: Uint32Array,
    count: number,
    frameCount: number,
    frames?: number,
  ): boolean {
    const { words, full, dirty } = this;
    const marking = dirty.active;
    const counting = frames === undefined;
    const lastWord = words.length - 1;
    let freed = 0;
    for (let k = 0; k < count; k++) {
      const w = ws[k];
      const mask = ms[k];
      if (
        w > lastWord || (words[w] & mask) !== 0 ||
        (w === lastWord && w * 32 + 31 - Math.clz32(mask) >= frameCount)
      ) {
        this.#clearMasks(ws, ms, k);
        return false;
      }
      const old = words[w];
      const now = (old | mask) >>> 0;
      words[w] = now;
      if (marking) dirty.mark(w);
      if (counting) freed += popcount(mask);
      full[w >>> 5] ^= zeroFlag(~now) << (w & 31);
      if (old === 0) this.flipAnyFree(w);
    }
    this.freeCount += counting ? freed : frames;
    return true;
  }

  /** Takes back the first `count` pairs a failed {@linkcode setMasks} set (its frames in use). */
  #clearMasks(ws: Uint32Array, ms: Uint32Array, count: number): void {
    const { words, full } = this;
    for (let k = 0; k < count; k++) {
      const w = ws[k];
      const old = words[w];
      const now = old & ~ms[k];
      words[w] = now;
      full[w >>> 5] ^= zeroFlag(~old) << (w & 31);
      if (now === 0) this.flipAnyFree(w);
    }
  }

  /** Word `w` became empty or stopped being empty: its any-free bit and maybe its group's. */
  flipAnyFree(w: number): void {
    const j = w >>> 5;
    const before = this.anyFree[j];
    const after = before ^ (1 << (w & 31));
    this.anyFree[j] = after;
    if ((before === 0) !== (after === 0)) this.anyFree2[j >>> 5] ^= 1 << (j & 31);
  }

  /** First free frame ≥ from, or -1; `frameCount` bounds the search. */
  nextFree(from: number, frameCount: number): number {
    if (from >= frameCount) return -1;
    const first = from >>> 5;
    const bits = this.words[first] & maskFrom(from & 31);
    if (bits !== 0) return first * 32 + lowestBit(bits);
    const w = this.nextFreeWord(first + 1);
    return w < 0 ? -1 : w * 32 + lowestBit(this.words[w]);
  }

  /** First frame in [from, to) that is not free, or -1. */
  nextUsed(from: number, to: number): number {
    const words = this.words;
    let w = from >>> 5;
    let bits = ~words[w] & maskFrom(from & 31);
    while (true) {
      if (bits !== 0) {
        const f = w * 32 + lowestBit(bits);
        return f < to ? f : -1;
      }
      w++;
      if (w * 32 >= to) return -1;
      bits = w < words.length ? ~words[w] : -1;
    }
  }

  /** First word index ≥ w with a free frame, or -1. */
  nextFreeWord(w: number): number {
    const words = this.words;
    if (w >= words.length) return -1;
    if (words[w] !== 0) return w;
    const anyFree = this.anyFree;
    let j = w >>> 5;
    let bits = anyFree[j] & maskFrom(w & 31);
    if (bits === 0) {
      j++;
      const anyFree2 = this.anyFree2;
      let k = j >>> 5;
      if (k >= anyFree2.length) return -1;
      let summary = anyFree2[k] & maskFrom(j & 31);
      while (summary === 0) {
        if (++k >= anyFree2.length) return -1;
        summary = anyFree2[k];
      }
      j = k * 32 + lowestBit(summary);
      bits = anyFree[j];
    }
    return j * 32 + lowestBit(bits);
  }

  /** Rebuilds the summaries and the free count from the words, in one pass. */
  rebuildSummaries(): void {
    // The words were written without marks: the next restore copies everything.
    this.#setBase(null);
    const words = this.words;
    const anyFree = this.anyFree;
    const full = this.full;
    anyFree.fill(0);
    full.fill(0);
    this.anyFree2.fill(0);
    let free = 0;
    for (let w = 0; w < words.length; w++) {
      const x = words[w];
      if (x === 0) continue;
      const bit = 1 << (w & 31);
      anyFree[w >>> 5] |= bit;
      if (x === FULL) {
        full[w >>> 5] |= bit;
        free += 32;
      } else free += popcount(x);
    }
    for (let j = 0; j < anyFree.length; j++) {
      if (anyFree[j] !== 0) this.anyFree2[j >>> 5] |= 1 << (j & 31);
    }
    this.freeCount = free;
  }

  /** A copy of the state, for {@linkcode restoreState}; the dirty marks start afresh. */
  saveState(): FrameBitmapState {
    const state = {
      words: this.words.slice(),
      anyFree: this.anyFree.slice(),
      anyFree2: this.anyFree2.slice(),
      full: this.full.slice(),
      freeCount: this.freeCount,
    };
    this.dirty.clear();
    this.#setBase(state);
    return state;
  }

  /**
   * Puts back a state {@linkcode saveState} took on words of the same size; allocates nothing.
   * `companions` (at most two bitmaps of the same word layout whose writes are marked in
   * {@linkcode dirty}, e.g. the stale bits) are put back to `saved` (the same order) alongside.
   * When `state` is the one saved or restored last, only the dirty words are copied (with their summaries and the
   * companions' words), unless so many are dirty that copying everything natively is cheaper;
   * otherwise everything is.
   */
  restoreState(
    state: FrameBitmapState,
    companions: Companions = [],
    saved: Companions = [],
  ): void {
    if (state !== this.#base || this.#mostlyDirty()) {
      copyInto(this.words, state.words);
      copyInto(this.anyFree, state.anyFree);
      copyInto(this.anyFree2, state.anyFree2);
      copyInto(this.full, state.full);
      for (let c = 0; c < companions.length; c++) copyInto(companions[c], saved[c]);
      this.dirty.clear();
    } else this.#restoreDirty(state, companions, saved);
    this.freeCount = state.freeCount;
    this.#setBase(state);
  }

  /**
   * Records the state the words equal outside the dirty words; marks are kept only while there
   * is one, so a bitmap whose state was never saved marks nothing.
   */
  #setBase(state: FrameBitmapState | null): void {
    this.#base = state;
    this.dirty.active = state !== null;
  }

  /** Copies the dirty words and their summaries back from `state` and clears their marks. */
  #restoreDirty(
    state: FrameBitmapState,
    companions: Companions,
    saved: Companions,
  ): void {
    const { words, anyFree, full } = this;
    const { words: dirtyWords, groups } = this.dirty;
    const from = state.words;
    // At most two (the memory's stale and contents bits), named so that the copy is unrolled.
    const [c0, c1] = companions;
    const [s0, s1] = saved;
    for (let d = 0; d < groups.length; d++) {
      let g = groups[d];
      if (g === 0) continue;
      groups[d] = 0;
      // Group word d covers groups 32d .. 32d + 31, as anyFree2 word d summarizes them.
      this.anyFree2[d] = state.anyFree2[d];
      while (g !== 0) {
        const j = d * 32 + lowestBit(g);
        g &= g - 1;
        anyFree[j] = state.anyFree[j];
        full[j] = state.full[j];
        let bits = dirtyWords[j];
        dirtyWords[j] = 0;
        while (bits !== 0) {
          const w = j * 32 + lowestBit(bits);
          bits &= bits - 1;
          words[w] = from[w];
          if (c0 !== undefined && s0 !== undefined) {
            c0[w] = s0[w];
            if (c1 !== undefined && s1 !== undefined) c1[w] = s1[w];
          }
        }
      }
    }
  }

  /**
   * Whether more than an eighth of the words are dirty: copying everything natively is then
   * cheaper than word by word (a fuzz run that allocated most of a machine).
   */
  #mostlyDirty(): boolean {
    const { words: dirtyWords, groups } = this.dirty;
    const limit = this.words.length / 8;
    let n = 0;
    for (let d = 0; d < groups.length; d++) {
      for (let g = groups[d]; g !== 0; g &= g - 1) {
        n += popcount(dirtyWords[d * 32 + lowestBit(g)]);
        if (n > limit) return true;
      }
    }
    return false;
  }
}
