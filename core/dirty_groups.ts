/**
 * Which groups of 32 bitmap words (1,024 frames) were written since a state was saved or restored,
 * so that restoring a snapshot copies only those groups back (issue 15: the full copy of a 4 GiB
 * machine's bitmap was 12 % of fuzzing time). One bit per group, laid out like the `anyFree2`
 * summary: bit `j & 31` of word `j >>> 5` for group `j = w >>> 5` of word `w`.
 *
 * @module
 */

/**
 * Marks word `w` (of the free-frame words or of a bitmap with their layout, like the stale bits)
 * as written: one read-modify-write, so every write path can afford it.
 *
 * @example
 * ```ts
 * import { markDirty } from "./dirty_groups.ts";
 * const dirty = new Uint32Array(1);
 * markDirty(dirty, 33); // word 33 is in group 1
 * dirty[0]; // 2
 * ```
 */
export function markDirty(dirty: Uint32Array, w: number): void {
  dirty[w >>> 10] |= 1 << ((w >>> 5) & 31);
}

/**
 * A dirty-group bitmap for `wordCount` bitmap words.
 *
 * @example
 * ```ts
 * import { dirtyGroupsFor } from "./dirty_groups.ts";
 * dirtyGroupsFor(1 << 19).length; // 512: a 64 GiB machine's 2^19 words
 * ```
 */
export function dirtyGroupsFor(wordCount: number): Uint32Array {
  return new Uint32Array(Math.ceil(wordCount / 1024));
}
