/**
 * What running a driver case produces: its verdict against the findings it was expected to
 * produce, each finding with its rule, bug check and call site (and, from a sweep, the variant
 * that found it and the shrunk, pasteable case), and per sweep mode what ran.
 *
 * @module
 */

import type { DriverFinding } from "../ffi/driver/findings.ts";
export type { DriverFinding };

/**
 * One finding of a driver case, as reports show it.
 *
 * @example
 * ```ts
 * const f: DriverFindingReport = {
 *   rule: "failed-allocate-leaked",
 *   message: "a failed buffer allocation left an MDL …",
 *   callSite: "CMiniportWaveRTStream::AllocateBufferWithNotification(…)+0x1c4",
 *   expected: true,
 * };
 * ```
 */
export interface DriverFindingReport extends Omit<DriverFinding, "site" | "step" | "stopped"> {
  /** Whether the case was expected to find this rule (`expect.findings`). */
  readonly expected: boolean;
  /** The sweep variant that first found it: its mode and label. */
  readonly variant?: { readonly mode: string; readonly label: string };
  /** The smallest case that still fails the rule (sweeps that shrink): a `DriverCaseOptions`
   * for `runDriverCase`, as JSON. */
  readonly shrunk?: Readonly<Record<string, unknown>>;
  /** `shrunk` as TypeScript, ready to paste into a test. */
  readonly pasteable?: string;
}

/**
 * What one sweep mode ran.
 *
 * @example
 * ```ts
 * const m: DriverModeReport = { mode: "memory-cap", runs: 6, failed: 4, rules: ["actual-size-exceeds-mdl"] };
 * ```
 */
export interface DriverModeReport {
  /** "run" for a plain case; a sweep's "baseline", "systematic", "memory-cap" or "random". */
  readonly mode: string;
  /** Runs of this mode. */
  readonly runs: number;
  /** How many of them found something. */
  readonly failed: number;
  /** The rules they found. */
  readonly rules: readonly string[];
}

/**
 * One driver case's outcome. Passed when the rules found are exactly the expected ones.
 *
 * @example
 * ```ts
 * const line = (r: DriverCaseReport) => `${r.case}: ${r.status} (${r.caught.join(", ")})`;
 * ```
 */
export interface DriverCaseReport {
  /** Name of the case's suite. */
  readonly suite: string;
  /** Name of the case. */
  readonly case: string;
  /** The library, as the suite named it. */
  readonly library: string;
  /** "run": one plain run; "sweep": every call site, memory cap and random run. */
  readonly mode: "run" | "sweep";
  /** Passed, failed, or ignored with `reason` (no compiler, say). */
  readonly status: "passed" | "failed" | "ignored";
  /** Why the case was ignored. */
  readonly reason?: string;
  /** Bytes the case's buffer asks for. */
  readonly requestedBytes: number;
  /** The rules the case was expected to find. */
  readonly expected: readonly string[];
  /** The expected rules it found: bugs caught, as the suite meant. */
  readonly caught: readonly string[];
  /** Why it failed: a rule found unexpectedly, or an expected one not found. */
  readonly failures: readonly string[];
  /** Every finding, one per rule. */
  readonly findings: readonly DriverFindingReport[];
  /** Per mode, what ran. */
  readonly modes: readonly DriverModeReport[];
  /** Driver runs in all (a sweep's variants and its shrinking not counted). */
  readonly runs: number;
  /** Wall time of the case, including building and shrinking. */
  readonly elapsedMs: number;
}

/**
 * The driver cases of one suite.
 *
 * @example
 * ```ts
 * const failed = (s: DriverSuiteReport) => s.cases.filter((c) => c.status === "failed");
 * ```
 */
export interface DriverSuiteReport {
  /** The suite's name. */
  readonly name: string;
  /** Its cases, in order. */
  readonly cases: readonly DriverCaseReport[];
}

/**
 * The verdict for the rules a case found against those it was expected to find.
 *
 * @example
 * ```ts
 * driverVerdict(["actual-size-exceeds-mdl"], ["actual-size-exceeds-mdl", "failed-allocate-leaked"]);
 * // { caught: ["actual-size-exceeds-mdl"], failures: ['expected finding "failed-allocate-leaked" …'] }
 * ```
 */
export function driverVerdict(
  found: readonly string[],
  expected: readonly string[],
): { caught: string[]; failures: string[] } {
  const caught = expected.filter((rule) => found.includes(rule));
  const failures = [
    ...found.filter((rule) => !expected.includes(rule)).map((rule) =>
      `unexpected finding "${rule}"`
    ),
    ...expected.filter((rule) => !found.includes(rule)).map((rule) =>
      `expected finding "${rule}" was not found`
    ),
  ];
  return { caught, failures };
}

/**
 * Whether any driver case failed (ignored ones do not count).
 *
 * @example
 * ```ts
 * driverFailures([{ name: "s", cases: [] }]); // false
 * ```
 */
export function driverFailures(suites: readonly DriverSuiteReport[]): boolean {
  return suites.some((s) => s.cases.some((c) => c.status === "failed"));
}
