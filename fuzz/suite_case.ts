/**
 * Writes a generated sequence as a suite-DSL case: the case a user pastes into a suite's `cases`
 * to keep a fuzzer finding as a regression test.
 *
 * @module
 */

import type { FaultOptions } from "../core/faults.ts";
import type { CaseInput } from "../suites/schema.ts";
import type { StepInput } from "../suites/suite_input.ts";
import { type FuzzOnly, isFuzzOnly, type SequenceStep } from "./sequence.ts";

/** Conditions of the run that produced the case. */
export interface CaseConditions {
  /** Fraction (0–1) of the machine's RAM used by others; becomes the case's `fragmentation`. */
  readonly fragmentation: number;
  /** The simulator's seed; becomes the case's `seed`. */
  readonly seed: number;
  /** Faults injected; those that are set become the case's `faults` and `memoryCapBytes`. */
  readonly faults: FaultOptions;
}

/**
 * The sequence as a suite case with `steps`, on its machine, fragmentation, seed and faults.
 * Steps no suite can write are left out: fuzz-only misuse, which changes nothing on a correct
 * backend ({@linkcode isFuzzOnly}), and the engine's mappings, which the name then mentions.
 *
 * @example
 * ```ts
 * import { defineSuite } from "../mod.ts";
 * const shrunk = suiteCase("shrunk", "x64-4gib", { fragmentation: 0, seed: 1, faults: {} }, [
 *   { call: "allocatePagesForMdl", handle: "h0", highAddress: 0xfffffn, totalBytes: 1920 },
 * ]);
 * defineSuite({ name: "regressions", cases: [shrunk] }); // a valid suite
 * ```
 */
export function suiteCase(
  name: string,
  machine: "x64-4gib" | "x64-16gib" | "x64-64gib",
  conditions: CaseConditions,
  steps: readonly SequenceStep[],
): CaseInput {
  const { probability = 0, failNth = [], systematic, memoryCapBytes } = conditions.faults;
  const faults = {
    ...(probability > 0 ? { probability } : {}),
    ...(failNth.length ? { failNth: [...failNth] } : {}),
    ...(systematic ? { systematic } : {}),
  };
  const kept: StepInput[] = [];
  let engine = 0;
  for (const step of steps) {
    if (isFuzzOnly(step)) continue;
    if ("engine" in step && step.engine) {
      engine++;
      continue;
    }
    const { irql: _irql, mdl: _mdl, ...plain } = step as SequenceStep & FuzzOnly;
    kept.push(plain as StepInput);
  }
  const note = engine > 0 ? ` (without ${engine} mapping(s) for the audio engine)` : "";
  return {
    name: name + note,
    conditions: {
      machine,
      fragmentation: conditions.fragmentation,
      seed: conditions.seed,
      ...(Object.keys(faults).length ? { faults } : {}),
      ...(memoryCapBytes === undefined ? {} : { memoryCapBytes }),
    },
    steps: kept,
  };
}

/**
 * TypeScript source of a case, with addresses as bigint hex literals.
 *
 * @example
 * ```ts
 * caseSource({ name: "n", steps: [{ call: "freePagesFromMdl", handle: "h0" }] });
 * // '{\n  name: "n",\n  steps: [\n    { call: "freePagesFromMdl", handle: "h0" },\n  ],\n}'
 * ```
 */
export function caseSource(value: unknown, indent = ""): string {
  if (typeof value === "bigint") return `0x${value.toString(16).toUpperCase()}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) {
      return `[${value.map((v) => caseSource(v)).join(", ")}]`;
    }
    return `[\n${value.map((v) => `${inner}${caseSource(v, inner)},`).join("\n")}\n${indent}]`;
  }
  const fields = Object.entries(value).filter(([, v]) => v !== undefined);
  const flat = fields.every(([, v]) => v === null || typeof v !== "object" || Array.isArray(v));
  if (flat) return `{ ${fields.map(([k, v]) => `${k}: ${caseSource(v)}`).join(", ")} }`;
  return `{\n${
    fields.map(([k, v]) => `${inner}${k}: ${caseSource(v, inner)},`).join("\n")
  }\n${indent}}`;
}
