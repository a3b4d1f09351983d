/**
 * JSON that keeps bigint values, for handing cases and results to and from the isolated hardware
 * child process: each bigint travels as `{ "$bigint": "<decimal>" }`.
 *
 * @module
 */

/**
 * Serialises `value`, bigints included.
 *
 * @example
 * ```ts
 * toTaggedJson({ highAddress: 0xFFFFFFFFn }); // '{"highAddress":{"$bigint":"4294967295"}}'
 * ```
 */
export function toTaggedJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => typeof v === "bigint" ? { $bigint: v.toString() } : v,
  );
}

/**
 * Parses what {@linkcode toTaggedJson} wrote, restoring bigints.
 *
 * @example
 * ```ts
 * const text = '{"highAddress":{"$bigint":"4294967295"}}';
 * fromTaggedJson<{ highAddress: bigint }>(text).highAddress; // 4294967295n
 * ```
 */
export function fromTaggedJson<T>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v !== null && typeof v === "object" && typeof v.$bigint === "string") {
      return BigInt(v.$bigint);
    }
    return v;
  });
}
