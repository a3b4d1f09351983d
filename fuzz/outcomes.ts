/**
 * What the model-checked runner reports: each step's outcome, and the error a broken invariant
 * raises.
 *
 * @module
 */

import type { ViolationRuleId } from "../core/violations.ts";
import { describeStep, type SequenceStep } from "./sequence.ts";

/**
 * What one step did.
 *
 * @example
 * ```ts
 * const outcome: StepOutcome = { step: { call: "freePagesFromMdl", handle: "h0" }, result: "freed" };
 * ```
 */
export interface StepOutcome {
  readonly step: SequenceStep;
  /**
   * `mdl`, `null`, `mapped`, `map-failed`, `unmapped`, `freed`, `violation`, `skipped`, or
   * `no-leaks` (an `assertNoLeaks` step with nothing held).
   */
  readonly result:
    | "no-leaks"
    | "mdl"
    | "null"
    | "mapped"
    | "map-failed"
    | "unmapped"
    | "freed"
    | "violation"
    | "skipped";
  /** Allocations: bytes and pages received, and whether the pages form one physical run. */
  readonly bytes?: number;
  readonly pages?: number;
  readonly contiguous?: boolean;
  /** The rule raised, for `violation`. */
  readonly rule?: ViolationRuleId;
  /** Why a step was skipped. */
  readonly reason?: string;
  /** The call's duration as the backend reports it (modeled or measured). */
  readonly durationNs?: number;
}

/**
 * A step whose outcome broke an invariant or the model's prediction.
 *
 * @example
 * ```ts
 * new InvariantViolation(0, [{ call: "freePagesFromMdl", handle: "h0" }], "oops").message;
 * // "step 1 (freePagesFromMdl(h0)): oops"
 * ```
 */
export class InvariantViolation extends Error {
  readonly stepIndex: number;
  readonly steps: readonly SequenceStep[];

  constructor(stepIndex: number, steps: readonly SequenceStep[], message: string) {
    super(`step ${stepIndex + 1} (${describeStep(steps[stepIndex])}): ${message}`);
    this.name = "InvariantViolation";
    this.stepIndex = stepIndex;
    this.steps = steps;
  }
}

/**
 * How a step ended; see {@linkcode StepOutcome.result}.
 *
 * @example
 * ```ts
 * const result: StepResult = "violation";
 * ```
 */
export type StepResult = StepOutcome["result"];

/**
 * Every {@linkcode StepResult}, in the order a report lists their counts (whatever order the runs
 * met them in).
 *
 * @example
 * ```ts
 * STEP_RESULTS[0]; // "mdl"
 * ```
 */
export const STEP_RESULTS: readonly StepResult[] = [
  "mdl",
  "null",
  "mapped",
  "map-failed",
  "unmapped",
  "freed",
  "violation",
  "skipped",
  "no-leaks",
];

/**
 * Receives each step's outcome as plain values, so that a caller that only counts (the fuzzer)
 * builds no object per step.
 *
 * @example
 * ```ts
 * const counts: Record<string, number> = {};
 * const sink: OutcomeSink = {
 *   step(_index, result) {
 *     counts[result] = (counts[result] ?? 0) + 1;
 *   },
 * };
 * ```
 */
export interface OutcomeSink {
  step(
    index: number,
    result: StepResult,
    bytes: number,
    pages: number,
    contiguous: boolean,
    rule: ViolationRuleId | undefined,
    reason: string | undefined,
    durationNs: number | undefined,
  ): void;
}
