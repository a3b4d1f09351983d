/**
 * Driver findings as one line of text, for test failures, the terminal and logs.
 *
 * @module
 */

import type { DriverFindingReport } from "./driver_results.ts";

/**
 * "rule (bug check 0xC4/0x71005) at call site: message", with the sweep variant that found it.
 *
 * @example
 * ```ts
 * formatDriverFinding({ rule: "leaked-pool", message: "1 block", bugCheck: 0xc4, expected: false });
 * // "leaked-pool (bug check 0xC4): 1 block"
 * ```
 */
export function formatDriverFinding(finding: DriverFindingReport): string {
  return `${finding.rule}${bugCheckText(finding)}${
    finding.callSite === undefined ? "" : ` at ${finding.callSite}`
  }: ${finding.message}${finding.variant === undefined ? "" : ` [${finding.variant.label}]`}`;
}

/**
 * " (bug check 0xC4/0x71005)", or "" where no bug check applies.
 *
 * @example
 * ```ts
 * bugCheckText({ bugCheck: 0xc2, parameter1: 7 }); // " (bug check 0xC2/0x7)"
 * ```
 */
export function bugCheckText(f: { bugCheck?: number; parameter1?: number }): string {
  const hex = (n: number) => "0x" + n.toString(16).toUpperCase();
  if (f.bugCheck === undefined) return "";
  return ` (bug check ${hex(f.bugCheck)}${
    f.parameter1 === undefined ? "" : "/" + hex(f.parameter1)
  })`;
}
