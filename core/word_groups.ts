/**
 * Frame lists grouped by bitmap word: one (word index, mask) pair per run of frames that share a
 * 32-frame word, so that freeing or zeroing reads and writes each word once however many of its
 * frames a list holds (frames of one MDL are mostly ascending and close together).
 *
 * @module
 */

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
  words: Uint32Array = new Uint32Array(0);
  /** Bits of the group's frames in its word. */
  masks: Uint32Array = new Uint32Array(0);

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
    return groups;
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
