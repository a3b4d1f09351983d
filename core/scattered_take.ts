/**
 * The scattered placements' take, a batch of runs at a time: the placement draws the starts and
 * lengths of up to {@linkcode BATCH_RUNS} runs ahead ({@linkcode RunBatch}), and
 * {@linkcode takeScatteredRuns} takes them in one loop over the words. A run's start is a random
 * frame whose word is mostly not in cache; reading every start's word before taking the first run
 * lets those loads overlap instead of stalling one run after another (measured: the stall was a
 * quarter of a 1 GiB allocate + free under the default placement, with a load one run ahead).
 *
 * @module
 */

import { lowestBit, maskFrom, maskThrough, zeroFlag } from "./bit_ops.ts";
import type { SummarizedWords } from "./summarized_words.ts";

/**
 * Most runs drawn ahead at once: enough loads in flight to hide a miss each, few enough that a
 * small request draws little it does not need (undrawn again, see {@linkcode RunBatch}).
 *
 * @example
 * ```ts
 * BATCH_RUNS; // 32
 * ```
 */
export const BATCH_RUNS = 32;

/**
 * Runs drawn ahead: `count` starts (random frames) and drawn lengths, in the order the placement
 * drew them; after {@linkcode takeScatteredRuns}, `used` runs were taken, and `exhausted` says
 * whether the take stopped because run `used` found no free frame in range.
 *
 * @example
 * ```ts
 * const batch = new RunBatch();
 * batch.starts[0] = 40;
 * batch.lengths[0] = 2;
 * batch.count = 1;
 * ```
 */
export class RunBatch {
  /**
   * First frame each run searches from. Both arrays hold 32-bit integers so that the take's
   * arithmetic stays integer (as doubles, from a Float64Array, it cost 14–18 % of a 1 GiB pair).
   */
  readonly starts: Uint32Array = new Uint32Array(BATCH_RUNS);
  /** Length each run was drawn with (at least 1 frame is taken per run). */
  readonly lengths: Int32Array = new Int32Array(BATCH_RUNS);
  /** Runs drawn. */
  count = 0;
  /** Runs the last take took (the request was met at the last of them, or the batch ended). */
  used = 0;
  /** Whether the last take stopped at run `used`, which found no free frame. */
  exhausted = false;
  /** The starts' words combined, as the take read them first: kept so those loads are made. */
  loaded = 0;
}

/**
 * The regions of a lazily drawn bitmap not drawn yet (`core/lazy_frame_bitmap.ts`), and how to
 * draw one: the take draws a region before taking from it.
 *
 * @example
 * ```ts
 * const none: PendingRegions = { pending: new Uint8Array(1), shift: 11, draw() {} };
 * ```
 */
export interface PendingRegions {
  /** Non-zero for a region not drawn yet. */
  readonly pending: Uint8Array;
  /** log2 of the frames per region. */
  readonly shift: number;
  /** Draws region `r` (its pending mark cleared). */
  draw(r: number): void;
}

/**
 * Takes the runs of `batch` from the free frames of [lo, hi) into `out[offset…]`, at most `max`
 * frames in all; returns how many, setting `batch.used` and `batch.exhausted`. Run by run, as a
 * search and take per run would: the first free frame of [start, hi), else of [lo, start), and
 * from it the free frames up to the drawn length, the frames left and `hi` (at least one), taken
 * a word at a time as `SummarizedWords.clearBits` takes them (cleared, summarized, marked dirty,
 * logged), here inline with the free count updated once (a call per word was 7–10 % of a 1 GiB
 * allocate + free with HighAddress 4 GiB, paired in one process).
 * `ahead`, a bitmap of the same layout its caller reads next for the same words, is read ahead
 * with the start words.
 *
 * @example
 * ```ts
 * import { SummarizedWords } from "./summarized_words.ts";
 * const s = new SummarizedWords(64);
 * s.setWord(1, 0xffffffff);
 * const batch = new RunBatch();
 * batch.starts[0] = 10;
 * batch.lengths[0] = 3;
 * batch.count = 1;
 * const out: number[] = [];
 * takeScatteredRuns(s, batch, 0, 64, 8, out, 0, null); // 3: frames 32, 33, 34
 * ```
 */
export function takeScatteredRuns(
  s: SummarizedWords,
  batch: RunBatch,
  lo: number,
  hi: number,
  max: number,
  out: { [index: number]: number },
  offset: number,
  lazy: PendingRegions | null,
  ahead: Uint32Array | null = null,
): number {
  const { words, full, dirty } = s;
  const log = s.takeLog;
  const { starts, lengths, count } = batch;
  let sum = 0;
  if (ahead === null) { for (let i = 0; i < count; i++) sum ^= words[starts[i] >>> 5]; }
  else {
    for (let i = 0; i < count; i++) sum ^= words[starts[i] >>> 5] ^ ahead[starts[i] >>> 5];
  }
  batch.loaded = sum;
  batch.exhausted = false;
  let at = offset;
  const end = offset + max;
  let i = 0;
  while (i < count && at < end) {
    const start = starts[i];
    let frame = start < hi ? s.nextFree(start, hi) : -1;
    if (frame >= hi) frame = -1;
    if (frame < 0 && start > lo) {
      const low = s.nextFree(lo, hi);
      if (low >= 0 && low < start) frame = low;
    }
    if (frame < 0) {
      batch.exhausted = true;
      break;
    }
    const want = Math.max(1, Math.min(lengths[i], end - at, hi - frame));
    if (lazy !== null && drawn(lazy, frame, want)) continue; // searched again, drawn
    // The free run from `frame`, a word at a time.
    for (let f = frame, left = want; left > 0;) {
      const w = f >>> 5;
      const bit = f & 31;
      const old = words[w];
      const used = ~old >>> bit;
      const room = 32 - bit;
      const k = Math.min(used === 0 ? room : lowestBit(used), left);
      if (k === 0) break;
      const mask = maskFrom(bit) & maskThrough(bit + k - 1);
      if (log !== null) log.push(w, mask);
      const now = old & ~mask;
      words[w] = now;
      if (dirty.active) dirty.mark(w);
      full[w >>> 5] ^= zeroFlag(~old) << (w & 31);
      if (now === 0) s.flipAnyFree(w);
      for (let j = 0; j < k; j++) out[at + j] = f + j;
      at += k;
      if (k < room) break;
      f += k;
      left -= k;
    }
    i++;
  }
  batch.used = i;
  s.freeCount -= at - offset;
  return at - offset;
}

/**
 * Draws the regions of [frame, frame + n) not drawn yet; returns whether it drew any (the run's
 * search must then be done again: the frame found may be taken now).
 */
function drawn(lazy: PendingRegions, frame: number, n: number): boolean {
  const { pending, shift } = lazy;
  let any = false;
  for (let r = frame >>> shift, last = (frame + n - 1) >>> shift; r <= last; r++) {
    if (pending[r] !== 0) {
      lazy.draw(r);
      any = true;
    }
  }
  return any;
}
