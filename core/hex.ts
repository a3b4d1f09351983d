/**
 * The one hex style a user reads: a lower-case `0x` and upper-case digits (`0xFFFFFFFF`).
 *
 * @module
 */

/**
 * `value` in the project's hex style.
 *
 * @example
 * ```ts
 * hex(0xfffffn); // "0xFFFFF"
 * hex(196); // "0xC4"
 * ```
 */
export function hex(value: number | bigint): string {
  return "0x" + value.toString(16).toUpperCase();
}
