/**
 * Frame lists grouped by bitmap word: one (word index, mask) pair per run of frames that share a
 * 32-frame word, so that freeing or zeroing reads and writes each word once however many of its
 * frames a list holds (frames of one MDL are mostly ascending and close together).
 *
 * @module
 */

import { frameList } from "./frame_slab.ts";

/** The arrays of an empty instance, shared: nothing is written to a zero-length array. */
const NONE = new Uint32Array(0);

/**
 * Reusable scratch for grouping frame lists by word; grows to the longest list seen.
 *
 * @example
 * ```ts
 * import { WordGroups } from "./word_groups.ts";
 * const groups = new WordGroups();
 * const n = groups.group([1, 2, 40], 3); // 2
 * groups.words[1]; // 1: frame 40 is in word 1
 * groups.masks[0]; // 0b110: frames 1 and 2
 * ```
 */
export class WordGroups {
  /** Word index of each group. */
  words: Uint32Array = NONE;
  /** Bits of the group's frames in its word. */
  masks: Uint32Array = NONE;

  /** How many groups {@linkcode push} has appended since `length` was last set to 0. */
  length = 0;

  /**
   * Makes room for `count` more groups after `length`, doubling (at least 64) when growing.
   *
   * @example
   * ```ts
   * const log = new WordGroups();
   * log.reserve(100);
   * log.words.length >= 100; // true
   * ```
   */
  reserve(count: number): void {
    const n = this.length;
    if (n + count <= this.words.length) return;
    // Slab lists (`core/frame_slab.ts`): a new log per allocation while many MDLs live (each
    // keeps its log) would otherwise cost two typed arrays of their own, ~1.5 µs.
    const words = frameList(Math.max(64, 2 * n, n + count));
    const masks = frameList(words.length);
    words.set(this.words);
    masks.set(this.masks);
    this.words = words;
    this.masks = masks;
  }

  /**
   * Appends one group (the log of taken words, see `FrameBitmap.logTakes`), growing as needed;
   * a mask of the last group's word joins it, so frames taken in list order log as
   * {@linkcode group} would group their list.
   */
  push(w: number, mask: number): void {
    const n = this.length;
    if (n !== 0 && this.words[n - 1] === w) {
      this.masks[n - 1] |= mask;
      return;
    }
    if (n === this.words.length) this.reserve(1);
    this.words[n] = w;
    this.masks[n] = mask;
    this.length = n + 1;
  }

  /** Groups `frames[0..count)`: consecutive frames of one word share a group. Returns how many. */
  group(frames: ArrayLike<number>, count: number): number {
    if (this.words.length < count) {
      this.words = new Uint32Array(count);
      this.masks = new Uint32Array(count);
    }
    const gw = this.words;
    const gm = this.masks;
    let groups = 0;
    let i = 0;
    while (i < count) {
      const f = frames[i++];
      const w = f >>> 5;
      let mask = 1 << (f & 31);
      while (i < count) {
        const g = frames[i];
        if (g >>> 5 !== w) break;
        mask |= 1 << (g & 31);
        i++;
      }
      gw[groups] = w;
      gm[groups++] = mask;
    }
    this.length = groups;
    return groups;
  }
}

/** Spare groupings kept: enough for the MDLs a test frees in a row. */
const KEPT_SPARES = 32;
/** Room of the largest spare kept (512 KiB of groups): larger ones are left to the collector. */
const MAX_SPARE_ROOM = 1 << 16;
/**
 * Room of the one larger spare kept (4 MiB of groups, a 1 GiB allocation's log is ~2 MiB), for
 * the next allocation that large ({@linkcode WordGroupsPool.roomFor}).
 */
const MAX_LARGE_ROOM = 1 << 19;

/**
 * The groupings of MDLs: an MDL keeps the groups its allocation took, so that freeing it need
 * not group its frames again. The allocation's log itself becomes the MDL's grouping (no copy)
 * when its room fits it, and a spare takes its place as the log; a grouping comes back as a spare
 * when its MDL is freed, so an allocate + free loop allocates and copies no grouping.
 *
 * @example
 * ```ts
 * import { WordGroups, WordGroupsPool } from "./word_groups.ts";
 * const pool = new WordGroupsPool();
 * const log = new WordGroups();
 * log.push(3, 0b11);
 * const kept = pool.keep(log);
 * [kept.length, kept.words[0]]; // [1, 3]
 * pool.giveBack(kept);
 * pool.spare() === kept; // true: reused
 * ```
 */
export class WordGroupsPool {
  readonly #spares: WordGroups[] = [];
  /** The one spare with more room than the others may have, if any. */
  #large: WordGroups | null = null;

  /**
   * The grouping to keep for `log`'s groups: `log` itself when its room is at most four times
   * what it holds (plus 64), the caller then logging into {@linkcode spare}; else a copy sized
   * to the groups (a log grown by a large allocation is not kept by a small one).
   */
  keep(log: WordGroups): WordGroups {
    const n = log.length;
    if (log.words.length <= 4 * n + 64) return log;
    const copy = new WordGroups();
    copy.words = frameList(n);
    copy.masks = frameList(n);
    copy.length = n;
    const { words, masks } = log;
    for (let k = 0; k < n; k++) {
      copy.words[k] = words[k];
      copy.masks[k] = masks[k];
    }
    return copy;
  }

  /** A grouping to log into: one given back, else a new one (each grows as it is used). */
  spare(): WordGroups {
    return this.#spares.pop() ?? new WordGroups();
  }

  /**
   * The log for an allocation of up to `frames` frames: `log` when that is at most 65,536, when
   * `log` has room for that many groups or more room than the large spare, else the large spare, `log` taking its place, so
   * that a large allocation repeated logs into the room the last one grew instead of growing
   * its own.
   */
  roomFor(log: WordGroups, frames: number): WordGroups {
    const large = this.#large;
    if (
      frames <= MAX_SPARE_ROOM || log.words.length >= frames || large === null ||
      large.words.length <= log.words.length
    ) return log;
    this.#large = null;
    this.giveBack(log);
    return large;
  }

  /** Takes back a grouping nobody reads any more (its MDL was freed). */
  giveBack(groups: WordGroups): void {
    const room = groups.words.length;
    if (room > MAX_SPARE_ROOM) {
      if (room <= MAX_LARGE_ROOM && room > (this.#large?.words.length ?? 0)) this.#large = groups;
    } else if (this.#spares.length < KEPT_SPARES) this.#spares.push(groups);
  }
}

/**
 * The scratch every bitmap and memory of this process groups into: each use groups and reads
 * the groups back before anything else groups (nothing here runs concurrently), so one buffer of
 * the longest list serves all simulators, e.g. the 24 of a fuzzing pool.
 *
 * @example
 * ```ts
 * import { sharedWordGroups } from "./word_groups.ts";
 * sharedWordGroups.group([64], 1); // 1
 * sharedWordGroups.words[0]; // 2
 * ```
 */
export const sharedWordGroups: WordGroups = new WordGroups();
