/**
 * Argument checks shared by the stream and Mm layers. Each error names the parameter, the value
 * and the rule, and is thrown before any state changes.
 *
 * @module
 */

import { CacheType } from "./constants.ts";
import { hex } from "./hex.ts";

const SIZE_T_MAX = (1n << 64n) - 1n;
const PHYSICAL_ADDRESS_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The HighAddress meaning "no limit" once normalised: the largest `PHYSICAL_ADDRESS`. A caller's
 * all-ones value (`MAXULONG64`, `-1`) or any other negative `LARGE_INTEGER` becomes this, and the
 * allocators clamp it to the highest physical page, as Mm does.
 *
 * @example
 * ```ts
 * checkHighAddress(-1n, 4096) === NO_HIGH_ADDRESS_LIMIT; // true
 * ```
 */
export const NO_HIGH_ADDRESS_LIMIT: bigint = PHYSICAL_ADDRESS_MAX;

/**
 * A byte count (`SIZE_T`): a non-negative safe integer or bigint up to 2^64 − 1.
 *
 * @example
 * ```ts
 * checkByteCount("totalBytes", 1920); // 1920n
 * // checkByteCount("totalBytes", -1) throws RangeError: totalBytes must be ≥ 0, got -1
 * ```
 */
export function checkByteCount(name: string, value: unknown): bigint {
  return BigInt(checkByteCountValue(name, value));
}

/**
 * {@linkcode checkByteCount}'s checks, returning the count as given: a number stays a number, so
 * a caller that only needs it as one converts nothing.
 *
 * @example
 * ```ts
 * checkByteCountValue("totalBytes", 1920); // 1920
 * checkByteCountValue("totalBytes", 1n << 60n); // 1152921504606846976n
 * ```
 */
export function checkByteCountValue(name: string, value: unknown): number | bigint {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || !Number.isInteger(value)) {
      throw new TypeError(`${name} must be a whole number of bytes, got ${value}`);
    }
    if (value < 0) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${name} above 2^53 - 1 must be passed as a bigint, got ${value}`);
    }
    return value;
  }
  if (typeof value === "bigint") {
    if (value < 0n) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
    if (value > SIZE_T_MAX) throw new RangeError(`${name} must fit in SIZE_T, got ${value}`);
    return value;
  }
  throw new TypeError(`${name} must be a number or bigint, got ${describe(value)}`);
}

/**
 * A physical address (`PHYSICAL_ADDRESS`, a signed 64-bit value): a bigint in 0..2^63 − 1.
 *
 * @example
 * ```ts
 * checkPhysicalAddress("highAddress", 0xFFFFFFFFn);
 * ```
 */
export function checkPhysicalAddress(name: string, value: unknown): bigint {
  if (typeof value !== "bigint") {
    throw new TypeError(`${name} must be a bigint physical address, got ${describe(value)}`);
  }
  if (value < 0n || value > PHYSICAL_ADDRESS_MAX) {
    throw new RangeError(`${name} must be in 0..0x7FFFFFFFFFFFFFFF, got ${value}`);
  }
  return value;
}

/**
 * A HighAddress as Windows reads it: `PHYSICAL_ADDRESS` is a signed 64-bit `LARGE_INTEGER`, so the
 * bigint's 64 bits are reinterpreted as signed. 0..2^63 − 1 is a bound; a negative value (−1n, or
 * all-ones `0xFFFFFFFFFFFFFFFFn` = `MAXULONG64`, or anything in 2^63..2^64 − 1) is below zero as a
 * `LONGLONG`, which Mm shifts to a page number that, taken as an unsigned PFN_NUMBER, exceeds the
 * highest physical page and is clamped to it: "no limit". That normalises to
 * {@linkcode NO_HIGH_ADDRESS_LIMIT}. Values that do not fit in 64 bits are a RangeError.
 *
 * @example
 * ```ts
 * checkHighAddressBound("highAddress", 0xFFFFFFFFn); // 0xFFFFFFFFn
 * checkHighAddressBound("highAddress", 0xFFFFFFFFFFFFFFFFn); // NO_HIGH_ADDRESS_LIMIT
 * ```
 */
export function checkHighAddressBound(name: string, value: unknown): bigint {
  // The common case, a bound that is already a non-negative LONGLONG, without BigInt.asIntN.
  if (typeof value === "bigint" && value >= 0n && value <= PHYSICAL_ADDRESS_MAX) return value;
  if (typeof value !== "bigint") {
    throw new TypeError(`${name} must be a bigint physical address, got ${describe(value)}`);
  }
  if (value < INT64_MIN || value > UINT64_MAX) {
    throw new RangeError(
      `${name} must fit in 64 bits (-2^63..2^64 - 1; negative or all-ones means no limit), ` +
        `got ${value}`,
    );
  }
  const signed = BigInt.asIntN(64, value);
  return signed < 0n ? NO_HIGH_ADDRESS_LIMIT : signed;
}

/**
 * A HighAddress for the stream's allocators (see {@linkcode checkHighAddressBound}: negative or
 * all-ones means no limit) that covers at least the first page (≥ PAGE_SIZE − 1), since a bound
 * below that leaves nothing to allocate. Returns the normalised bound.
 *
 * @example
 * ```ts
 * checkHighAddress(0xFFFFFFFFn, 4096);
 * checkHighAddress(-1n, 4096); // NO_HIGH_ADDRESS_LIMIT
 * // checkHighAddress(0xFFEn, 4096) throws RangeError: highAddress must cover at least one page …
 * ```
 */
export function checkHighAddress(highAddress: unknown, pageSize: number): bigint {
  const high = checkHighAddressBound("highAddress", highAddress);
  if (high < pageSize - 1) {
    const lastByteOfFirstPage = BigInt(pageSize - 1);
    throw new RangeError(
      `highAddress must cover at least one page (≥ ${hex(lastByteOfFirstPage)}), ` +
        `got ${hex(high)}`,
    );
  }
  return high;
}

/**
 * A `MEMORY_CACHING_TYPE` the stream accepts: MmNonCached, MmCached or MmWriteCombined.
 *
 * @example
 * ```ts
 * checkCacheType("cacheType", 2); // CacheType.WriteCombined
 * // checkCacheType("cacheType", 7) throws a RangeError naming the allowed values
 * ```
 */
export function checkCacheType(name: string, value: unknown): CacheType {
  if (
    value !== CacheType.NonCached && value !== CacheType.Cached && value !== CacheType.WriteCombined
  ) {
    const allowed = Object.entries(CacheType).map(([k, v]) => `${k} (${v})`).join(", ");
    throw new RangeError(`${name} must be one of ${allowed}, got ${describe(value)}`);
  }
  return value as CacheType;
}

/**
 * A non-negative safe integer index.
 *
 * @example
 * ```ts
 * checkIndex("index", 3); // 3
 * // checkIndex("index", 1.5) throws TypeError: index must be an integer, got 1.5
 * ```
 */
export function checkIndex(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  }
  if (value < 0) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
  return value;
}

/** A short, safe rendering of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}
