/**
 * Writes a generated sequence as suite-DSL source: the case a user pastes into a suite's `cases`
 * to keep a fuzzer finding as a regression test.
 *
 * @module
 */

import type { FaultOptions } from "../core/faults.ts";
import type { SequenceStep } from "./sequence.ts";

/** Conditions of the run that produced the case. */
export interface CaseConditions {
  readonly fragmentation: number;
  readonly seed: number;
  readonly faults: FaultOptions;
}

/**
 * TypeScript source of one suite case with `steps`, its machine, fragmentation, seed and faults.
 *
 * @example
 * ```ts
 * suiteCaseSource("shrunk", "x64-4gib", { fragmentation: 0, seed: 1, faults: {} }, [
 *   { call: "allocatePagesForMdl", handle: "h0", highAddress: 0xfffffn, totalBytes: 1920 },
 * ]);
 * ```
 */
export function suiteCaseSource(
  name: string,
  machine: string,
  conditions: CaseConditions,
  steps: readonly SequenceStep[],
): string {
  const { probability = 0, failNth = [], systematic, memoryCapBytes } = conditions.faults;
  const faults = [
    probability > 0 ? `probability: ${probability}` : "",
    failNth.length ? `failNth: [${failNth.join(", ")}]` : "",
    systematic ? "systematic: true" : "",
  ].filter(Boolean);
  const conditionFields = [
    `machine: ${JSON.stringify(machine)}`,
    `fragmentation: ${conditions.fragmentation}`,
    `seed: ${conditions.seed}`,
    faults.length ? `faults: { ${faults.join(", ")} }` : "",
    memoryCapBytes === undefined ? "" : `memoryCapBytes: ${memoryCapBytes}`,
  ].filter(Boolean);
  const stepLines = steps.map((step) => `    ${stepSource(step)},`);
  return [
    "{",
    `  name: ${JSON.stringify(name)},`,
    `  conditions: { ${conditionFields.join(", ")} },`,
    "  steps: [",
    ...stepLines,
    "  ],",
    "}",
  ].join("\n");
}

function stepSource(step: SequenceStep): string {
  const fields = Object.entries(step).map(([key, value]) => {
    const text = typeof value === "bigint"
      ? `0x${value.toString(16)}n`
      : typeof value === "string"
      ? JSON.stringify(value)
      : String(value);
    return `${key}: ${text}`;
  });
  return `{ ${fields.join(", ")} }`;
}
