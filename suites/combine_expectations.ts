/**
 * How a case's `expect` and an allocation step's own `expect` combine into what that one
 * allocation must return.
 *
 * Field by field, the step wins: `result`, `bytes` and `pages` written on a step replace the case's
 * for that step only, and what the step leaves out comes from the case. A step expecting result
 * "null" inherits no `bytes` or `pages`, which would describe an MDL it says will not exist.
 * `withinBound` is `true` unless written `false` (the explicit opt-out): wherever HighAddress is a
 * limit, every page is checked against it by default; a step's value overrides the case's.
 * `contiguous` can only be `true`, so one given on the case holds for every step; give it on steps
 * instead to scope it. Without any `bytes`, an allocation that may return an MDL must return all of
 * it ("requested"), as a case-level `expect` always required. Byte counts written as bigints become
 * numbers (they are at most 4 GB − 4 KiB).
 *
 * @module
 */

import type { AllocationExpectations, BytesExpectation } from "./suite_model.ts";
import type { ExpectationsInput } from "./schema.ts";

/** The allocation-shaped expectations as written, on a case or on a step. */
export type WrittenAllocationExpectations = Pick<
  ExpectationsInput,
  "result" | "bytes" | "pages" | "withinBound" | "contiguous"
>;

/**
 * What one allocation step must return, given the case's `expect` and the step's (either may be
 * absent); a single request's allocation uses the case's alone.
 *
 * @example
 * ```ts
 * const caseLevel = { bytes: "requested", withinBound: true } as const;
 * combineExpectations(caseLevel, { bytes: "partial-allowed" });
 * // { result: "mdl", bytes: "partial-allowed", pages: undefined, withinBound: true,
 * //   contiguous: undefined }
 * combineExpectations(caseLevel, { withinBound: false }).withinBound; // false: opted out
 * combineExpectations(caseLevel, { result: "null" }).bytes; // undefined: NULL has no byte count
 * ```
 */
export function combineExpectations(
  caseLevel: WrittenAllocationExpectations | undefined,
  stepLevel?: WrittenAllocationExpectations,
): AllocationExpectations {
  const result = stepLevel?.result ?? caseLevel?.result ?? "mdl";
  const inherited = stepLevel?.result === "null" ? undefined : caseLevel;
  return {
    result,
    bytes: resolveBytes(
      stepLevel?.bytes ?? inherited?.bytes ?? (result === "null" ? undefined : "requested"),
    ),
    pages: stepLevel?.pages ?? inherited?.pages,
    withinBound: stepLevel?.withinBound ?? caseLevel?.withinBound ?? true,
    contiguous: stepLevel?.contiguous ?? caseLevel?.contiguous,
  };
}

function resolveBytes(bytes: WrittenAllocationExpectations["bytes"]): BytesExpectation | undefined {
  if (typeof bytes === "bigint") return Number(bytes);
  if (bytes === undefined || typeof bytes !== "object") return bytes;
  return Object.fromEntries(
    Object.entries(bytes).map(([bound, count]) => [bound, Number(count)]),
  ) as { atLeast?: number; atMost?: number };
}
