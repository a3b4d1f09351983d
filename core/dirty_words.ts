/**
 * Which words of a frame bitmap (and of a bitmap of the same layout, the stale bits) were written
 * since a state was saved or restored, so that restoring a snapshot copies only those words back
 * (issue 15: the full copy of a 4 GiB machine's bitmap was 12 % of fuzzing time). One bit per
 * word, laid out like the `anyFree` summary, and one per group of 32 words, laid out like
 * `anyFree2`, so that a restore visits only the written groups. Marks are kept only while a saved
 * state exists (`active`): a simulator never snapshotted pays nothing but a test of one flag.
 *
 * @module
 */

/**
 * The written words of one bitmap.
 *
 * @example
 * ```ts
 * import { DirtyWords } from "./dirty_words.ts";
 * const dirty = new DirtyWords(2048);
 * dirty.active = true; // a state was saved: restoring it needs the marks
 * dirty.mark(33); // word 33: bit 1 of words[1], group 1: bit 1 of groups[0]
 * [dirty.words[1], dirty.groups[0]]; // [2, 2]
 * ```
 */
export class DirtyWords {
  /** One bit per bitmap word written: bit `w & 31` of `words[w >>> 5]`. */
  readonly words: Uint32Array;
  /** One bit per group of 32 words with a written word: bit `j & 31` of `groups[j >>> 5]`. */
  readonly groups: Uint32Array;
  /** Whether writes are marked: only while a saved state may be restored incrementally. */
  active = false;

  /** Marks for a bitmap of `wordCount` words, none set. */
  constructor(wordCount: number) {
    this.words = new Uint32Array(Math.ceil(wordCount / 32));
    this.groups = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  /** Bytes held, for the memory budget. */
  get byteLength(): number {
    return this.words.byteLength + this.groups.byteLength;
  }

  /**
   * Marks word `w` as written when {@linkcode active}: two read-modify-writes, so every write
   * path can afford it.
   */
  mark(w: number): void {
    if (!this.active) return;
    this.words[w >>> 5] |= 1 << (w & 31);
    this.groups[w >>> 10] |= 1 << ((w >>> 5) & 31);
  }

  /** Forgets every mark. */
  clear(): void {
    this.words.fill(0);
    this.groups.fill(0);
  }
}
