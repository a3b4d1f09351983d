/**
 * The HighAddress bound of an allocation as suites and reports treat it: one rule for addresses
 * (bigints, in the DSL as in the stream API), "no limit" written as all-ones or `-1n`, and how the
 * bound is named in failures, tables, JSON and the memory map.
 *
 * @module
 */

/**
 * HighAddress meaning "no limit": all 64 bits set, as `(PHYSICAL_ADDRESS){ .QuadPart = -1 }` is in
 * C. A suite may write it as `0xFFFFFFFFFFFFFFFFn` or `-1n`; the resolved model stores this value.
 *
 * @example
 * ```ts
 * NO_LIMIT === (1n << 64n) - 1n; // true
 * ```
 */
export const NO_LIMIT = 0xFFFF_FFFF_FFFF_FFFFn;

/**
 * The largest HighAddress or LowAddress that is an actual limit: `PHYSICAL_ADDRESS` is signed.
 *
 * @example
 * ```ts
 * PHYSICAL_ADDRESS_MAX === (1n << 63n) - 1n; // true
 * ```
 */
export const PHYSICAL_ADDRESS_MAX = 0x7FFF_FFFF_FFFF_FFFFn;

/**
 * The smallest HighAddress that leaves anything to allocate: the last byte of the first page at
 * the smallest page size (4 KiB). The stream refuses anything below one page.
 *
 * @example
 * ```ts
 * MIN_HIGH_ADDRESS; // 0xFFFn
 * ```
 */
export const MIN_HIGH_ADDRESS = 0xFFFn;

/**
 * Whether a HighAddress means "no limit" (all-ones, or `-1n` before it is resolved).
 *
 * @example
 * ```ts
 * isNoLimit(-1n); // true
 * isNoLimit(0xFFFFFFFFn); // false: a 32-bit DMA limit
 * ```
 */
export function isNoLimit(highAddress: bigint): boolean {
  return highAddress === NO_LIMIT || highAddress === -1n;
}

/**
 * The one canonical value of a HighAddress: `-1n` becomes {@linkcode NO_LIMIT}, anything else
 * stays as it is.
 *
 * @example
 * ```ts
 * canonicalHighAddress(-1n) === NO_LIMIT; // true
 * ```
 */
export function canonicalHighAddress(highAddress: bigint): bigint {
  return highAddress === -1n ? NO_LIMIT : highAddress;
}

/**
 * A HighAddress as tables, JSON and the memory map print it: "no limit", or upper-case hex.
 *
 * @example
 * ```ts
 * formatBound(0xFFFFFFFFn); // "0xFFFFFFFF"
 * formatBound(NO_LIMIT); // "no limit"
 * ```
 */
export function formatBound(highAddress: bigint): string {
  return isNoLimit(highAddress) ? "no limit" : "0x" + highAddress.toString(16).toUpperCase();
}
