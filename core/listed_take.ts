/**
 * Taking recently freed frames again frame by frame (`FrameBitmap.takeListed`): the placements'
 * recent frees, read last first, where a batch cannot be taken a word group at a time
 * (`core/grouped_take.ts`).
 *
 * @module
 */

import { zeroFlag } from "./bit_ops.ts";
import type { DirtyWords } from "./dirty_words.ts";
import type { SummarizedWords } from "./summarized_words.ts";
import type { WordGroups } from "./word_groups.ts";

/**
 * Takes the free frames among `frames[from..to)`, last first, into `out[offset…]`, pushing those
 * outside [lo, hi) to `kept`; returns how many. The take log gets the taken frames grouped by
 * word, as `SummarizedWords.clearBits` per word would have logged them.
 *
 * @example
 * ```ts
 * import { SummarizedWords } from "./summarized_words.ts";
 * const s = new SummarizedWords(64);
 * s.setWord(0, 0b1010);
 * const out: number[] = [];
 * takeListed(s, [1, 2, 3, 40], 0, 4, out, 0, 0, 32, []); // 2: out [3, 1]
 * ```
 */
export function takeListed(
  s: SummarizedWords,
  frames: ArrayLike<number>,
  from: number,
  to: number,
  out: { [index: number]: number },
  offset: number,
  lo: number,
  hi: number,
  kept: number[],
): number {
  const { words, full } = s;
  // Frame by frame, as a takeFrame per frame would: the summaries change only where a word
  // was full or empties, once per word either way. Grouping the words for the log in a loop
  // of its own, over `out`, keeps this one short (measured: 10 % of a 1 MiB allocate + free).
  let end = offset;
  for (let i = to - 1; i >= from; i--) {
    const frame = frames[i];
    if (frame < lo || frame >= hi) {
      kept.push(frame);
      continue;
    }
    const w = frame >>> 5;
    const bit = 1 << (frame & 31);
    const old = words[w];
    if ((old & bit) === 0) continue;
    const now = old & ~bit;
    words[w] = now;
    full[w >>> 5] ^= zeroFlag(~old) << (w & 31);
    if (now === 0) s.flipAnyFree(w);
    out[end++] = frame;
  }
  const taken = end - offset;
  s.freeCount -= taken;
  const log = s.takeLog;
  if (log !== null) logTaken(s.dirty, log, out, offset, end);
  else if (s.dirty.active) {
    for (let k = offset; k < end; k++) {
      s.dirty.mark(out[k] >>> 5);
    }
  }
  return taken;
}

/**
 * Appends the frames `out[from..to)` to `log` grouped by word, a word the same as the last
 * group's joining it (as `WordGroups.push` does), marking each group's word dirty.
 */
function logTaken(
  dirty: DirtyWords,
  log: WordGroups,
  out: { [index: number]: number },
  from: number,
  to: number,
): void {
  log.reserve(to - from);
  const { words, masks } = log;
  const marking = dirty.active;
  let n = log.length;
  let last = n === 0 ? -1 : words[n - 1];
  for (let k = from; k < to; k++) {
    const frame = out[k];
    const w = frame >>> 5;
    const bit = 1 << (frame & 31);
    if (w === last) masks[n - 1] |= bit;
    else {
      words[n] = w;
      masks[n++] = bit;
      last = w;
      if (marking) dirty.mark(w);
    }
  }
  log.length = n;
}
