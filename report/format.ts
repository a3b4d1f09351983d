/**
 * How figures read in tables, reports and CLIs: binary byte units, durations in one unit with
 * three significant digits, and hex in one style, upper-case digits after a lower-case `0x`
 * (`0xFFFFFFFF`, as WinDbg shows them) everywhere.
 *
 * @module
 */

import prettyBytes from "npm:pretty-bytes@7.2.0";
import { hex } from "../core/hex.ts";

/**
 * Bytes in binary units, exact below 1 KiB: "1920 B" would hide nothing, "1.88 KiB" would.
 *
 * @example
 * ```ts
 * formatBytes(385_024); // "376 KiB"
 * ```
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "NULL";
  return prettyBytes(bytes, { binary: true, maximumFractionDigits: 2 });
}

const units = [
  { unit: "ns", scale: 1 },
  { unit: "µs", scale: 1e3 },
  { unit: "ms", scale: 1e6 },
  { unit: "s", scale: 1e9 },
] as const;

const threeDigits = new Intl.NumberFormat("en-US", {
  minimumSignificantDigits: 3,
  maximumSignificantDigits: 3,
  useGrouping: false,
});

/**
 * A duration in nanoseconds, in one unit (ns, µs, ms or s) with three significant digits.
 *
 * @example
 * ```ts
 * formatNs(2509.6); // "2.51 µs"
 * formatNs(315_081); // "315 µs"
 * formatNs(999.7); // "1.00 µs"
 * ```
 */
export function formatNs(ns: number | null): string {
  if (ns === null || !Number.isFinite(ns)) return "-";
  if (ns === 0) return "0 ns";
  // Round to three significant digits first, so 999.7 ns reads "1.00 µs", not "1000 ns".
  const rounded = Number(ns.toPrecision(3));
  const magnitude = Math.abs(rounded);
  const { unit, scale } = units.findLast((u) => magnitude >= u.scale) ?? units[0];
  return `${threeDigits.format(rounded / scale)} ${unit}`;
}

/**
 * A number or bigint in the report's hex style: `0x` and upper-case digits.
 *
 * @example
 * ```ts
 * formatHex(0xc4); // "0xC4"
 * formatHex(0xfffffn); // "0xFFFFF"
 * ```
 */
export function formatHex(value: number | bigint): string {
  return hex(value);
}

/**
 * A physical address in the report's hex style, or "-" when there is none.
 *
 * @example
 * ```ts
 * formatAddress(0xFFFFFFFFn); // "0xFFFFFFFF"
 * ```
 */
export function formatAddress(address: bigint | null): string {
  return address === null ? "-" : formatHex(address);
}

/**
 * A JSON replacer writing bigints in the report's hex style.
 *
 * @example
 * ```ts
 * JSON.stringify({ high: 0xffffffffn }, hexReplacer); // '{"high":"0xFFFFFFFF"}'
 * ```
 */
export function hexReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? formatHex(value) : value;
}
