/**
 * 32-bit word operations shared by the frame bitmap and its run searches.
 *
 * @module
 */

/**
 * A word whose 32 frames are all free.
 *
 * @example
 * ```ts
 * import { FULL } from "./bit_ops.ts";
 * (0xffffffff === FULL); // true
 * ```
 */
export const FULL = 0xffffffff;

/**
 * Index of the lowest set bit of a non-zero 32-bit value.
 *
 * @example
 * ```ts
 * import { lowestBit } from "./bit_ops.ts";
 * lowestBit(0b1000); // 3
 * ```
 */
export function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * Mask of bits `from`..31.
 *
 * @example
 * ```ts
 * import { maskFrom } from "./bit_ops.ts";
 * maskFrom(28) >>> 0; // 0xf0000000
 * ```
 */
export function maskFrom(bit: number): number {
  return -1 << bit;
}

/**
 * Mask of bits 0..`bit`.
 *
 * @example
 * ```ts
 * import { maskThrough } from "./bit_ops.ts";
 * maskThrough(3); // 0b1111
 * ```
 */
export function maskThrough(bit: number): number {
  return bit === 31 ? -1 : (1 << (bit + 1)) - 1;
}

/**
 * Number of set bits of a 32-bit value.
 *
 * @example
 * ```ts
 * import { popcount } from "./bit_ops.ts";
 * popcount(0b1011); // 3
 * ```
 */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * 1 when the 32-bit value `x` is 0, else 0, without a branch: summary bits flip on values that are
 * as good as random (is a word full, did it empty), where a mispredicted branch costs more than
 * the arithmetic.
 *
 * @example
 * ```ts
 * import { zeroFlag } from "./bit_ops.ts";
 * [zeroFlag(0), zeroFlag(0x80000000)]; // [1, 0]
 * ```
 */
export function zeroFlag(x: number): number {
  return ((x | -x) >>> 31) ^ 1;
}

/**
 * {@linkcode lowestBit}, or 32 for 0.
 *
 * @example
 * ```ts
 * import { lowestBitOrWidth } from "./bit_ops.ts";
 * lowestBitOrWidth(0); // 32
 * ```
 */
export function lowestBitOrWidth(x: number): number {
  return x === 0 ? 32 : lowestBit(x);
}

/**
 * `value` rounded up to a multiple of `alignment`.
 *
 * @example
 * ```ts
 * import { alignUp } from "./bit_ops.ts";
 * alignUp(5, 4); // 8
 * ```
 */
export function alignUp(value: number, alignment: number): number {
  return alignment === 1 ? value : Math.ceil(value / alignment) * alignment;
}

/**
 * Calls `body(w, mask)` for each word `w` that [start, start + count) covers, with the mask of
 * the run's frames in it.
 *
 * @example
 * ```ts
 * import { forEachWordOfRun } from "./bit_ops.ts";
 * forEachWordOfRun(30, 4, (w, mask) => console.log(w, mask >>> 0)); // 0 3221225472, then 1 3
 * ```
 */
export function forEachWordOfRun(
  start: number,
  count: number,
  body: (w: number, mask: number) => void,
): void {
  const end = start + count;
  for (let frame = start; frame < end;) {
    const w = frame >>> 5;
    const last = Math.min(31, end - 1 - w * 32);
    body(w, maskFrom(frame & 31) & maskThrough(last));
    frame = (w + 1) * 32;
  }
}
