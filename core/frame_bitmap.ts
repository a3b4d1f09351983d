/**
 * The free-frame bitmap: one bit per physical page frame (1 = free), with summary bitmaps
 * (`core/summarized_words.ts`) so that finding free frames or contiguous runs
 * (`core/frame_runs.ts`) never scans all of memory.
 *
 * @module
 */

import { forEachWordOfRun, FULL, lowestBit, maskFrom, maskThrough, popcount } from "./bit_ops.ts";
import type { DirtyWords } from "./dirty_words.ts";
import { RunFinder } from "./frame_runs.ts";
import { takeGrouped } from "./grouped_take.ts";
import { takeListed } from "./listed_take.ts";
import { Parking } from "./parking.ts";
import { type PendingRegions, type RunBatch, takeScatteredRuns } from "./scattered_take.ts";
import type { Companions, FrameBitmapState } from "./snapshot.ts";
import { SummarizedWords } from "./summarized_words.ts";
import { sharedWordGroups, type WordGroups } from "./word_groups.ts";

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

/**
 * Who marks logged takes as they happen (the memory's stale bits, `core/physical_memory.ts`):
 * told after each batch of scattered runs, while the batch's words are in cache, the words of its
 * own bitmap (same layout) read ahead with the bitmap's.
 *
 * @example
 * ```ts
 * const marker: TakeMarker = { bits: new Uint32Array(2), logged() {} };
 * ```
 */
export interface TakeMarker {
  /** The marker's bitmap, of the same word layout. */
  readonly bits: Uint32Array;
  /** The take log grew by a batch of scattered runs. */
  logged(): void;
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
  #s: SummarizedWords;
  #words: Uint32Array;
  #runs: RunFinder;
  /**
   * The words written since the state was last saved or restored (`core/dirty_words.ts`): a
   * bitmap of the same word layout restored alongside (the stale bits) marks its writes here.
   */
  readonly dirty: DirtyWords;

  constructor(frameCount: number) {
    if (!Number.isSafeInteger(frameCount) || frameCount <= 0 || frameCount > 2 ** 32) {
      throw new RangeError(`frameCount must be an integer in 1..2^32, got ${frameCount}`);
    }
    this.frameCount = frameCount;
    this.#s = new SummarizedWords(frameCount);
    this.#words = this.#s.words;
    this.dirty = this.#s.dirty;
    this.#runs = new RunFinder(this.#s, frameCount);
    this.parking = new Parking(this.#s, frameCount);
  }

  /** Number of free frames (a parked batch's among them, without writing it back). */
  get freeCount(): number {
    return this.#s.freeCount + (this.parking.list === null ? 0 : this.parking.count);
  }

  /** Bytes of state held, for the memory budget. */
  get stateBytes(): number {
    return this.#s.stateBytes;
  }

  /** Whether `frame` is free. */
  isFree(frame: number): boolean {
    if (this.parking.list !== null) this.settle();
    return (this.#words[frame >>> 5] & (1 << (frame & 31))) !== 0;
  }

  /** Marks `count` frames from `start` free (`free` true) or in use. */
  setRange(start: number, count: number, free: boolean): void {
    if (this.parking.list !== null) this.settle();
    // A loop of its own, not forEachWordOfRun: building a machine calls this once per RAM range
    // and drawing a region once per run, and a callback per word measurably slowed both.
    const end = start + count;
    for (let frame = start; frame < end;) {
      const w = frame >>> 5;
      const mask = maskFrom(frame & 31) & maskThrough(Math.min(31, end - 1 - w * 32));
      const old = this.#words[w];
      this.#s.setWord(w, free ? old | mask : old & ~mask);
      frame = (w + 1) * 32;
    }
  }

  /**
   * Takes up to `max` free frames in [lo, hi), lowest first, writing their numbers to
   * `out[offset…]`. Returns how many it took.
   */
  takeAscending(lo: number, hi: number, max: number, out: FrameSink, offset: number): number {
    if (this.parking.list !== null) {
      const n = this.takeParked(lo, hi, max, out, offset);
      if (n >= 0) return n;
      this.settle();
    }
    if (hi <= lo || max <= 0) return 0;
    return this.#s.takeAscending(lo, hi, max, out, offset);
  }

  /**
   * {@linkcode takeAscending} with a batch parked: the batch when it is what this take would take
   * first (`core/parking.ts`), then the free frames above it; -1 when it is not, changing nothing.
   */
  protected takeParked(lo: number, hi: number, max: number, to: FrameSink, at: number): number {
    const last = this.parking.list![this.parking.count - 1];
    const n = this.parking.takeLowest(lo, hi, max, to, at);
    if (n < 0 || n === max || last + 1 >= hi) return n;
    return n + this.takeAscending(last + 1, hi, max - n, to, at + n);
  }

  /**
   * Number of consecutive free frames from `frame`, at most `max` (0 when `frame` is in use),
   * read a word at a time.
   */
  freeRunLength(frame: number, max: number): number {
    if (this.parking.list !== null) this.settle();
    return this.#freeRunLength(frame, max);
  }

  /**
   * Takes the runs a scattered placement drew ahead into `out[offset…]`, at most `max` frames
   * of [lo, hi) in all (`core/scattered_take.ts`); returns how many, `batch.used` and
   * `batch.exhausted` saying where it stopped.
   */
  takeScatteredRuns(
    batch: RunBatch,
    lo: number,
    hi: number,
    max: number,
    out: FrameSink,
    offset: number,
  ): number {
    if (this.parking.list !== null) this.settle();
    const marker = this.#marker;
    const lazy = this.regionsToDraw();
    const bits = marker === null ? null : marker.bits;
    const n = takeScatteredRuns(this.#s, batch, lo, hi, max, out, offset, lazy, bits);
    marker?.logged();
    return n;
  }

  /** The regions not drawn yet, for a take to draw as it reaches them; null when all are. */
  protected regionsToDraw(): PendingRegions | null {
    return null;
  }

  #freeRunLength(frame: number, max: number): number {
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
    if (this.parking.list !== null) this.settle();
    const w = frame >>> 5;
    const bit = 1 << (frame & 31);
    if ((this.#words[w] & bit) === 0) return false;
    this.#s.clearBits(w, bit, 1);
    return true;
  }

  /**
   * Takes the free frames among `frames[from..to)`, last first, into `out[offset…]`, pushing
   * those outside [lo, hi) to `kept`; returns how many it took. A {@linkcode takeFrame} per frame,
   * logged one group per run of frames sharing a word. The frames must be ones a release gave
   * back (a placement's recent frees): their lazily drawn regions are drawn, so none is tested.
   */
  takeListed(
    frames: ArrayLike<number>,
    from: number,
    to: number,
    lo: number,
    hi: number,
    kept: number[],
    out: FrameSink,
    offset: number,
  ): number {
    if (this.parking.list !== null) this.settle();
    return takeListed(this.#s, frames, from, to, out, offset, lo, hi, kept);
  }

  /**
   * {@linkcode takeListed} of all of `frames[0..count)` a word group at a time, when `groups`
   * is their grouping by word (their MDL's) and every frame is free (or {@linkcode park}ed) and
   * in [lo, hi); otherwise -1, changing nothing (`core/grouped_take.ts`, `core/parking.ts`).
   */
  takeGrouped(
    frames: ArrayLike<number>,
    count: number,
    groups: WordGroups,
    lo: number,
    hi: number,
    out: FrameSink,
    offset: number,
  ): number {
    if (this.parking.list !== null) {
      // The parked batch itself, the first take of an allocation: its frames never left.
      const log = this.#s.takeLog;
      if (this.parking.takeBack(frames, count, groups, log, lo, hi, out, offset) >= 0) return count;
      this.settle();
    }
    return takeGrouped(this.#s, frames, count, groups, lo, hi, out, offset);
  }

  /**
   * {@linkcode release} of `frames[0..count)` and this grouping, left out of the bitmap until
   * another method reads or writes it ({@linkcode settle}): the next {@linkcode takeGrouped} of
   * them or {@linkcode takeAscending} reaching them takes them back without touching a word
   * (`core/parking.ts`). They must stay as they are until then; when `owned`, the parking gives
   * them back afterwards (no placement keeps them). One parked before is settled first.
   */
  park(frames: ArrayLike<number>, count: number, groups: WordGroups, owned = false): void {
    this.settle();
    this.parking.hold(frames, count, groups, owned);
  }

  /** Writes a {@linkcode park}ed batch back: a {@linkcode release} of it; nothing if none is. */
  settle(): void {
    const parking = this.parking;
    const list = parking.list;
    if (list === null) return;
    parking.list = null; // so that the release does not settle again
    this.release(list, parking.count, parking.groups as WordGroups);
    parking.clear(list);
  }

  /** The batch parked, and what the take log under way took back from it. */
  readonly parking: Parking;

  /**
   * Logs into `log` (emptied first) the word and mask of every frame taken from now on, until
   * called with null: the words an allocation took, grouped as it took them, for zeroing them
   * without grouping its frame list again. A word may appear more than once, its masks disjoint.
   * `marker`, when given, is told after each batch of scattered runs.
   *
   * @example
   * ```ts
   * import { FrameBitmap } from "./frame_bitmap.ts";
   * import { WordGroups } from "./word_groups.ts";
   * const bitmap = new FrameBitmap(64);
   * bitmap.setRange(0, 64, true);
   * const log = new WordGroups();
   * bitmap.logTakes(log);
   * bitmap.takeRun(30, 4, [], 0);
   * bitmap.logTakes(null);
   * log.length; // 2: word 0 (frames 30, 31) and word 1 (frames 32, 33)
   * ```
   */
  logTakes(log: WordGroups | null, marker: TakeMarker | null = null): void {
    this.parking.unparkedGroups = 0;
    if (log !== null) log.length = 0;
    this.#s.takeLog = log;
    this.#marker = log === null ? null : marker;
  }

  /** Told of each batch of scattered runs logged (see {@linkcode logTakes}). */
  #marker: TakeMarker | null = null;

  /**
   * Returns `count` frames to the free pool. Throws if any of them is already free, which would
   * mean the caller's bookkeeping is corrupt; in that case nothing is changed. The frames are
   * grouped by word once (`core/word_groups.ts`), every group is
   * validated, then the masks are applied: per frame only a shift and an OR. `grouped`, when
   * given, is that grouping made already (the log of the takes that gathered the frames).
   */
  release(
    frames: ArrayLike<number>,
    count: number,
    grouped?: WordGroups,
  ): void {
    if (this.parking.list !== null) this.settle();
    const g = grouped ?? sharedWordGroups;
    const groups = grouped === undefined ? g.group(frames, count) : g.length;
    // Frames logged as taken were taken after their regions were drawn.
    if (grouped === undefined) this.beforeRelease(g.words, groups);
    // A list grouped as it was taken holds each frame once: its groups hold `count` frames.
    const frameTotal = grouped === undefined ? undefined : count;
    if (!this.#s.setMasks(g.words, g.masks, groups, this.frameCount, frameTotal)) {
      this.#releaseError(frames, count);
    }
  }

  /**
   * Called by {@linkcode release} with the word indices of the frames it frees, before reading
   * them: a lazily drawn bitmap draws their regions here.
   */
  protected beforeRelease(_words: Uint32Array, _count: number): void {}

  /**
   * {@linkcode release} for the `count` frames from `start` (an MDL that is one run), a word at
   * a time; throws, changing nothing, if one of them is free or beyond the bitmap.
   */
  releaseRun(start: number, count: number): void {
    if (this.parking.list !== null) this.settle();
    const end = start + count;
    if (!(Number.isSafeInteger(start) && start >= 0 && end <= this.frameCount)) {
      throw new Error(`frame ${start} is not an allocated frame`);
    }
    const s = this.#s;
    const free = s.nextFree(start, this.frameCount);
    if (free >= 0 && free < end) throw new Error(`frame ${free} is not an allocated frame`);
    forEachWordOfRun(start, count, (w, mask) => s.setBits(w, mask, popcount(mask)));
  }

  /**
   * Names the first frame of frames[0..count) that is not allocated (or not an integer frame):
   * every group before the first failing one passed, so it lies in that group.
   */
  #releaseError(frames: ArrayLike<number>, count: number): never {
    for (let i = 0; i < count; i++) {
      const f = frames[i];
      if (!(Number.isInteger(f) && f >= 0 && f < this.frameCount) || this.isFree(f)) {
        throw new Error(`frame ${f} is not an allocated frame`);
      }
    }
    throw new Error(`frame ${frames[0]} is not an allocated frame`);
  }

  /**
   * Lowest start ≥ lo, a multiple of `alignment`, such that [start, start + count) lies inside
   * [lo, hi) and is entirely free; -1 if there is none.
   */
  findRun(count: number, lo: number, hi: number, alignment = 1): number {
    if (this.parking.list !== null) this.settle();
    return this.#runs.find(count, lo, hi, alignment);
  }

  /**
   * Marks [start, start + count) in use, writing the frames to `out[offset…]`; the caller has
   * found the run free with {@linkcode findRun}.
   */
  takeRun(start: number, count: number, out: FrameSink, offset: number): void {
    if (this.parking.list !== null) this.settle();
    this.#takeRun(start, count, out, offset);
  }

  #takeRun(start: number, count: number, out: FrameSink, offset: number): void {
    const s = this.#s;
    if (count <= 0) return;
    if ((start & 31) + count <= 32) {
      // Most runs of the scattered placements lie inside one word.
      s.clearBits(start >>> 5, maskFrom(start & 31) & maskThrough((start & 31) + count - 1), count);
    } else forEachWordOfRun(start, count, (w, mask) => s.clearBits(w, mask, popcount(mask)));
    for (let i = 0; i < count; i++) out[offset + i] = start + i;
  }

  /**
   * Marks many ranges free (`free` true) or in use at once: `body` calls `mark(start, count)` for
   * each, which sets or clears bits word at a time without touching the summaries; they and the
   * free count are rebuilt in one pass over the words afterwards. Same result as a
   * {@linkcode setRange} per range.
   */
  setMany(free: boolean, body: (mark: (start: number, count: number) => void) => void): void {
    if (this.parking.list !== null) this.settle();
    const words = this.#words;
    body((start, count) => {
      const end = Math.min(start + count, this.frameCount);
      if (end <= start) return;
      const a = start >>> 5;
      const b = (end - 1) >>> 5;
      const head = maskFrom(start & 31) & (a === b ? maskThrough((end - 1) & 31) : -1);
      words[a] = free ? words[a] | head : words[a] & ~head;
      if (a === b) return;
      if (b > a + 1) words.fill(free ? FULL : 0, a + 1, b);
      const tail = maskThrough((end - 1) & 31);
      words[b] = free ? words[b] | tail : words[b] & ~tail;
    });
    this.#s.rebuildSummaries();
  }

  /** A copy of the bitmap's state, for {@linkcode restoreState}. */
  saveState(): FrameBitmapState {
    if (this.parking.list !== null) this.settle();
    return this.#s.saveState();
  }

  /**
   * Puts back a state {@linkcode saveState} took on a bitmap of the same size, copying only what
   * was written since when it is the state saved or restored last; allocates nothing.
   * `companions`, bitmaps of the same word layout whose writes are marked in {@linkcode dirty},
   * are put back to `saved` (the same order) alongside.
   */
  restoreState(
    state: FrameBitmapState,
    companions?: Companions,
    saved?: Companions,
  ): void {
    // A parked batch is dropped, not written back: its frames are still taken in the words, as
    // in the state (taken before it was saved) or marked written since (taken after), so the
    // copy puts them back either way.
    const parked = this.parking.list;
    if (parked !== null) this.parking.clear(parked);
    this.#s.restoreState(state, companions, saved);
  }
}
