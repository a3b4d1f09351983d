/**
 * The free-frame bitmap: one bit per physical page frame (1 = free), with summary bitmaps so that
 * finding free frames or contiguous runs never scans all of memory.
 *
 * Levels: `words` (32 frames a word), `anyFree` (one bit per word that has a free frame),
 * `anyFree2` (one bit per `anyFree` word that is non-zero) and `full` (one bit per word whose 32
 * frames are all free). A 64 GiB machine at 4 KiB pages needs 2 MiB for `words` and ~130 KiB for
 * the summaries.
 *
 * @module
 */

import { copyInto, type FrameBitmapState } from "./snapshot.ts";

const FULL = 0xffffffff;

/**
 * Where frame numbers are written: a `number[]` or a typed array (the simulator gathers into a
 * `Uint32Array`, frame numbers being below 2^32).
 *
 * @example
 * ```ts
 * const out: FrameSink = new Uint32Array(8);
 * new FrameBitmap(64).takeAscending(0, 64, 8, out, 0); // 0: nothing is free
 * ```
 */
export type FrameSink = { [index: number]: number };

/** Index of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Mask of bits `from`..31. */
function maskFrom(bit: number): number {
  return -1 << bit;
}

/** Mask of bits 0..`bit`. */
function maskThrough(bit: number): number {
  return bit === 31 ? -1 : (1 << (bit + 1)) - 1;
}

/**
 * Bitmap of free physical frames with O(frames / 32768) worst-case search for the next free frame
 * and O(frames / 1024) search for contiguous runs of 64 frames or more.
 *
 * @example
 * ```ts
 * const frames = new FrameBitmap(1 << 20);
 * frames.setRange(256, 1024, true);
 * const out = new Array<number>(8);
 * frames.takeAscending(0, 1 << 20, 8, out, 0); // 8 frames from 256 upward
 * ```
 */
export class FrameBitmap {
  /** Number of frames covered (frame numbers 0 .. frameCount - 1). */
  readonly frameCount: number;
  #words: Uint32Array;
  #anyFree: Uint32Array;
  #anyFree2: Uint32Array;
  #full: Uint32Array;
  #freeCount = 0;
  /** Scratch of {@linkcode release}: word indices and masks of the frames, grouped by word. */
  #groupWords = new Uint32Array(0);
  #groupMasks = new Uint32Array(0);

  constructor(frameCount: number) {
    if (!Number.isSafeInteger(frameCount) || frameCount <= 0 || frameCount > 2 ** 32) {
      throw new RangeError(`frameCount must be an integer in 1..2^32, got ${frameCount}`);
    }
    this.frameCount = frameCount;
    const words = Math.ceil(frameCount / 32);
    this.#words = new Uint32Array(words);
    this.#anyFree = new Uint32Array(Math.ceil(words / 32));
    this.#anyFree2 = new Uint32Array(Math.ceil(this.#anyFree.length / 32));
    this.#full = new Uint32Array(Math.ceil(words / 32));
  }

  /** Number of free frames. */
  get freeCount(): number {
    return this.#freeCount;
  }

  /** Bytes of state held, for the memory budget. */
  get stateBytes(): number {
    return this.#words.byteLength + this.#anyFree.byteLength + this.#anyFree2.byteLength +
      this.#full.byteLength;
  }

  /** Whether `frame` is free. */
  isFree(frame: number): boolean {
    return (this.#words[frame >>> 5] & (1 << (frame & 31))) !== 0;
  }

  /** Marks `count` frames from `start` free (`free` true) or in use. */
  setRange(start: number, count: number, free: boolean): void {
    let frame = start;
    const end = start + count;
    while (frame < end) {
      const w = frame >>> 5;
      const first = frame & 31;
      const last = Math.min(31, end - 1 - w * 32);
      const mask = maskFrom(first) & maskThrough(last);
      const old = this.#words[w];
      this.#setWord(w, free ? old | mask : old & ~mask);
      frame = (w + 1) * 32;
    }
  }

  /**
   * Takes up to `max` free frames in [lo, hi), lowest first, writing their numbers to
   * `out[offset…]`. Returns how many it took.
   */
  takeAscending(lo: number, hi: number, max: number, out: FrameSink, offset: number): number {
    if (hi <= lo || max <= 0) return 0;
    const words = this.#words;
    const firstWord = lo >>> 5;
    const lastWord = (hi - 1) >>> 5;
    let taken = 0;
    let w = firstWord;
    while (taken < max) {
      w = this.#nextFreeWord(w);
      if (w < 0 || w > lastWord) break;
      let bits = words[w];
      if (w === firstWord) bits &= maskFrom(lo & 31);
      if (w === lastWord) bits &= maskThrough((hi - 1) & 31);
      let takenMask = 0;
      const base = w * 32;
      while (bits !== 0 && taken < max) {
        const low = bits & -bits;
        out[offset + taken++] = base + 31 - Math.clz32(low);
        takenMask |= low;
        bits ^= low;
      }
      if (takenMask !== 0) this.#setWord(w, words[w] & ~takenMask);
      w++;
    }
    return taken;
  }

  /**
   * Number of consecutive free frames from `frame`, at most `max` (0 when `frame` is in use),
   * read a word at a time.
   */
  freeRunLength(frame: number, max: number): number {
    const words = this.#words;
    let n = 0;
    let f = frame;
    while (n < max && f < this.frameCount) {
      const bit = f & 31;
      const used = ~words[f >>> 5] >>> bit;
      const room = 32 - bit;
      const free = used === 0 ? room : lowestBit(used);
      n += free;
      if (free < room) break;
      f += free;
    }
    return Math.min(n, max, this.frameCount - frame);
  }

  /**
   * Takes one frame if it is free; returns whether it was. Cheaper than a one-frame
   * {@linkcode setRange}: the summaries are touched only when the word empties or was full.
   */
  takeFrame(frame: number): boolean {
    const w = frame >>> 5;
    const bit = 1 << (frame & 31);
    const old = this.#words[w];
    if ((old & bit) === 0) return false;
    const now = old & ~bit;
    if (now === 0 || old === FULL) {
      this.#setWord(w, now);
    } else {
      this.#words[w] = now;
      this.#freeCount--;
    }
    return true;
  }

  /**
   * Returns `count` frames to the free pool. Throws if any of them is already free, which would
   * mean the caller's bookkeeping is corrupt; in that case nothing is changed. With `alsoMark`
   * (a bitmap of the same word layout, e.g. the stale bits), the same bits are set there too, in
   * the same pass. One pass groups the frames by word (one mask per word, validated), a second
   * applies the masks: per frame only a shift and an OR.
   */
  release(frames: ArrayLike<number>, count: number, alsoMark?: Uint32Array): void {
    if (this.#groupWords.length < count) {
      this.#groupWords = new Uint32Array(count);
      this.#groupMasks = new Uint32Array(count);
    }
    const gw = this.#groupWords;
    const gm = this.#groupMasks;
    const words = this.#words;
    const lastWord = words.length - 1;
    let groups = 0;
    let i = 0;
    while (i < count) {
      const first = i;
      const f = frames[i++];
      const w = f >>> 5;
      let mask = 1 << (f & 31);
      while (i < count) {
        const g = frames[i];
        if (g >>> 5 !== w) break;
        mask |= 1 << (g & 31);
        i++;
      }
      if (
        w > lastWord || (words[w] & mask) !== 0 ||
        (w === lastWord && w * 32 + 31 - Math.clz32(mask) >= this.frameCount)
      ) this.#releaseError(frames, first, i);
      gw[groups] = w;
      gm[groups++] = mask;
    }
    for (let k = 0; k < groups; k++) {
      const w = gw[k];
      const old = words[w];
      const now = (old | gm[k]) >>> 0;
      if (old !== 0 && now !== FULL) {
        words[w] = now;
        this.#freeCount += popcount(now) - popcount(old);
      } else this.#setWord(w, now);
    }
    if (alsoMark !== undefined) { for (let k = 0; k < groups; k++) alsoMark[gw[k]] |= gm[k]; }
  }

  /** Names the first frame of frames[from..to) that is not allocated (or not an integer frame). */
  #releaseError(frames: ArrayLike<number>, from: number, to: number): never {
    for (let i = from; i < to; i++) {
      const f = frames[i];
      if (!(Number.isInteger(f) && f >= 0 && f < this.frameCount) || this.isFree(f)) {
        throw new Error(`frame ${f} is not an allocated frame`);
      }
    }
    throw new Error(`frame ${frames[from]} is not an allocated frame`);
  }

  /**
   * Lowest start ≥ lo, a multiple of `alignment`, such that [start, start + count) lies inside
   * [lo, hi) and is entirely free; -1 if there is none.
   */
  findRun(count: number, lo: number, hi: number, alignment = 1): number {
    if (count <= 0 || hi - lo < count) return -1;
    return count >= 64 ? this.#findLongRun(count, lo, hi, alignment) : this.#findShortRun(
      count,
      lo,
      hi,
      alignment,
    );
  }

  /**
   * Marks [start, start + count) in use, writing the frames to `out[offset…]`; the caller has
   * found the run free with {@linkcode findRun}.
   */
  takeRun(start: number, count: number, out: FrameSink, offset: number): void {
    this.setRange(start, count, false);
    for (let i = 0; i < count; i++) out[offset + i] = start + i;
  }

  /**
   * Short runs (< 64 frames), word at a time: a shift-and finds runs inside a word, a carried count
   * of free frames at the end of the previous words finds runs across words, and the any-free
   * summary skips used words. Alignments other than 1 hop from free frame to used frame.
   */
  #findShortRun(count: number, lo: number, hi: number, alignment: number): number {
    if (alignment !== 1) return this.#findShortRunHopping(count, lo, hi, alignment);
    if (count === 1) {
      const free = this.#nextFree(lo);
      return free >= 0 && free < hi ? free : -1;
    }
    const words = this.#words;
    const firstWord = lo >>> 5;
    const lastWord = (hi - 1) >>> 5;
    let run = 0;
    for (let w = firstWord; w <= lastWord; w++) {
      let bits = words[w];
      if (w === firstWord) bits &= maskFrom(lo & 31);
      if (w === lastWord) bits &= maskThrough((hi - 1) & 31);
      if (bits === 0) {
        run = 0;
        const next = this.#nextFreeWord(w + 1);
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
  #findShortRunHopping(count: number, lo: number, hi: number, alignment: number): number {
    let start = lo;
    while (true) {
      const free = this.#nextFree(start);
      if (free < 0) return -1;
      start = alignUp(free, alignment);
      if (start + count > hi) return -1;
      const used = this.#nextUsed(start, start + count);
      if (used < 0) return start;
      start = used + 1;
    }
  }

  /**
   * Long runs: any free run of `count` ≥ 64 frames contains at least ceil((count - 62) / 32)
   * consecutive full words, so only the `full` summary is scanned, then each candidate is widened
   * into its neighbouring words.
   */
  #findLongRun(count: number, lo: number, hi: number, alignment: number): number {
    const needWords = Math.max(1, Math.ceil((count - 62) / 32));
    const full = this.#full;
    const firstWord = lo >>> 5;
    const lastWord = (hi - 1) >>> 5;
    let runStart = -1;
    for (let j = firstWord >>> 5; j <= lastWord >>> 5; j++) {
      const x = full[j];
      if (x === 0) {
        if (runStart >= 0) {
          const found = this.#tryFullRun(runStart, j * 32, needWords, count, lo, hi, alignment);
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
            const found = this.#tryFullRun(runStart, end, needWords, count, lo, hi, alignment);
            if (found >= 0) return found;
            runStart = -1;
          }
          break;
        }
        const zeros = lowestBit(rest);
        if (zeros > 0) {
          if (runStart >= 0) {
            const end = j * 32 + bit;
            const found = this.#tryFullRun(runStart, end, needWords, count, lo, hi, alignment);
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
      return this.#tryFullRun(runStart, lastWord + 1, needWords, count, lo, hi, alignment);
    }
    return -1;
  }

  /** Widens full words [a, b) into the free run around them and checks it against the request. */
  #tryFullRun(
    a: number,
    b: number,
    needWords: number,
    count: number,
    lo: number,
    hi: number,
    alignment: number,
  ): number {
    if (b - a < needWords) return -1;
    const words = this.#words;
    const left = a > 0 ? Math.clz32(~words[a - 1]) : 0;
    const right = b < words.length ? lowestBitOrWidth(~words[b]) : 0;
    // Everything between the widened ends is free, so the first aligned start either fits or
    // nothing in this run does.
    const runEnd = Math.min(hi, b * 32 + right);
    const start = alignUp(Math.max(lo, a * 32 - left), alignment);
    return start + count <= runEnd ? start : -1;
  }

  /** First free frame ≥ from, or -1. */
  #nextFree(from: number): number {
    if (from >= this.frameCount) return -1;
    const first = from >>> 5;
    const bits = this.#words[first] & maskFrom(from & 31);
    if (bits !== 0) return first * 32 + lowestBit(bits);
    const w = this.#nextFreeWord(first + 1);
    return w < 0 ? -1 : w * 32 + lowestBit(this.#words[w]);
  }

  /** First frame in [from, to) that is not free, or -1. */
  #nextUsed(from: number, to: number): number {
    const words = this.#words;
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
  #nextFreeWord(w: number): number {
    const words = this.#words;
    if (w >= words.length) return -1;
    if (words[w] !== 0) return w;
    const anyFree = this.#anyFree;
    let j = w >>> 5;
    let bits = anyFree[j] & maskFrom(w & 31);
    if (bits === 0) {
      j++;
      const anyFree2 = this.#anyFree2;
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

  /**
   * Marks many ranges in use at once: `body` calls `occupy(start, count)` for each, which clears
   * bits word at a time without touching the summaries; they and the free count are rebuilt in
   * one pass over the words afterwards. Same result as a {@linkcode setRange} per range.
   */
  occupyMany(body: (occupy: (start: number, count: number) => void) => void): void {
    const words = this.#words;
    body((start, count) => {
      const end = Math.min(start + count, this.frameCount);
      if (end <= start) return;
      const a = start >>> 5;
      const b = (end - 1) >>> 5;
      if (a === b) {
        words[a] &= ~(maskFrom(start & 31) & maskThrough((end - 1) & 31));
        return;
      }
      words[a] &= ~maskFrom(start & 31);
      if (b > a + 1) words.fill(0, a + 1, b);
      words[b] &= ~maskThrough((end - 1) & 31);
    });
    this.#rebuildSummaries();
  }

  #rebuildSummaries(): void {
    const words = this.#words;
    const anyFree = this.#anyFree;
    const full = this.#full;
    anyFree.fill(0);
    full.fill(0);
    this.#anyFree2.fill(0);
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
      if (anyFree[j] !== 0) this.#anyFree2[j >>> 5] |= 1 << (j & 31);
    }
    this.#freeCount = free;
  }

  /** A copy of the bitmap's state, for {@linkcode restoreState}. */
  saveState(): FrameBitmapState {
    return {
      words: this.#words.slice(),
      anyFree: this.#anyFree.slice(),
      anyFree2: this.#anyFree2.slice(),
      full: this.#full.slice(),
      freeCount: this.#freeCount,
    };
  }

  /** Puts back a state {@linkcode saveState} took on a bitmap of the same size; allocates nothing. */
  restoreState(state: FrameBitmapState): void {
    copyInto(this.#words, state.words);
    copyInto(this.#anyFree, state.anyFree);
    copyInto(this.#anyFree2, state.anyFree2);
    copyInto(this.#full, state.full);
    this.#freeCount = state.freeCount;
  }

  #setWord(w: number, value: number): void {
    const words = this.#words;
    const old = words[w];
    words[w] = value;
    const now = words[w];
    if (old === now) return;
    this.#freeCount += popcount(now) - popcount(old);
    const j = w >>> 5;
    const bit = 1 << (w & 31);
    if ((old === 0) !== (now === 0)) {
      const before = this.#anyFree[j];
      this.#anyFree[j] = now === 0 ? before & ~bit : before | bit;
      if ((before === 0) !== (this.#anyFree[j] === 0)) {
        this.#anyFree2[j >>> 5] ^= 1 << (j & 31);
      }
    }
    if ((old === FULL) !== (now === FULL)) this.#full[j] ^= bit;
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function lowestBitOrWidth(x: number): number {
  return x === 0 ? 32 : lowestBit(x);
}

function alignUp(value: number, alignment: number): number {
  return alignment === 1 ? value : Math.ceil(value / alignment) * alignment;
}
