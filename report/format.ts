/**
 * How figures read in tables and reports: binary byte units, durations down to nanoseconds and
 * physical addresses in hex.
 *
 * @module
 */

import prettyBytes from "pretty-bytes";
import prettyMs from "pretty-ms";

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

/**
 * A duration in nanoseconds, with two units at most.
 *
 * @example
 * ```ts
 * formatNs(2509.6); // "2µs 509ns"
 * ```
 */
export function formatNs(ns: number | null): string {
  if (ns === null) return "-";
  return prettyMs(ns / 1e6, { formatSubMilliseconds: true, unitCount: 2 });
}

/**
 * A physical address in upper-case hex, as WinDbg shows them.
 *
 * @example
 * ```ts
 * formatAddress(0xFFFFFFFFn); // "0xFFFFFFFF"
 * ```
 */
export function formatAddress(address: bigint | null): string {
  return address === null ? "-" : "0x" + address.toString(16).toUpperCase();
}
