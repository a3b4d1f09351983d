/**
 * The expectation parts of the suite schema (`schema.ts`): what one allocation must return, as a
 * case's `expect` and as an allocation step's, and the cross-field helpers both files use.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import { ViolationRules } from "../core/violations.ts";
import { latencyExpectation } from "./schema_parts.ts";

const violationIds = Object.values(ViolationRules).map((rule) => rule.id) as [
  (typeof ViolationRules)[keyof typeof ViolationRules]["id"],
];

/**
 * `MmAllocatePagesForMdlEx` takes at most 4 GB − PAGE_SIZE; no page size is below 4 KiB.
 *
 * @example
 * ```ts
 * import { MAX_TOTAL_BYTES } from "./expectation_schema.ts";
 * MAX_TOTAL_BYTES; // 4294963200
 * ```
 */
export const MAX_TOTAL_BYTES = 0x1_0000_0000 - 4096;

/** A byte count an expectation names: a number or a bigint, as sizes are everywhere. */
const expectedBytes = z.union([
  z.number().int().nonnegative().max(MAX_TOTAL_BYTES),
  z.bigint().nonnegative().max(BigInt(MAX_TOTAL_BYTES)),
], {
  error: `must be a whole number of bytes from 0 to ${MAX_TOTAL_BYTES}, as a number or a bigint`,
});

/**
 * Whether a value that failed its own checks is still an object a cross-field check can read.
 *
 * @example
 * ```ts
 * import { isObject } from "./expectation_schema.ts";
 * isObject(null); // false
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object";
}

/**
 * Cross-field checks run even when a field inside already failed, so that one bad value does not
 * hide the other problems of the same case; they therefore read their input defensively.
 *
 * @example
 * ```ts
 * import { evenWithOtherProblems } from "./expectation_schema.ts";
 * evenWithOtherProblems.when(); // true
 * ```
 */
export const evenWithOtherProblems = { when: () => true };

/** Result "null" means no MDL: a byte count or page count for it cannot hold. */
function checkNullResult(
  expect: { result?: unknown; bytes?: unknown; pages?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (!isObject(expect)) return;
  if (expect.result === "null" && (expect.bytes !== undefined || expect.pages !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["result"],
      message: 'result "null" contradicts a bytes or pages expectation',
    });
  }
}

/** `{ atLeast?, atMost? }`: at least one of them, and a range some byte count lies in. */
const bytesRange = z.strictObject({
  atLeast: expectedBytes.optional(),
  atMost: expectedBytes.optional(),
}).check(z.superRefine((range, ctx) => {
  if (range.atLeast === undefined && range.atMost === undefined) {
    ctx.addIssue({
      code: "custom",
      message: "give atLeast and/or atMost (an empty range expects nothing)",
      input: range,
    });
  } else if (
    range.atLeast !== undefined && range.atMost !== undefined &&
    BigInt(range.atLeast) > BigInt(range.atMost)
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["atMost"],
      message: `is below atLeast ${range.atLeast}: no byte count satisfies both`,
      input: range.atMost,
    });
  }
}));

/** What one allocation must return: shared by a case's `expect` and each allocation step's. */
const allocationExpectationFields = {
  result: z.enum(["mdl", "null", "mdl-or-null"], {
    error: 'must be "mdl", "null" or "mdl-or-null"',
  }).optional(),
  bytes: z.union([
    expectedBytes,
    z.literal("requested"),
    z.literal("partial-allowed"),
    bytesRange,
  ], {
    error: 'must be an exact byte count, "requested", "partial-allowed" or { atLeast?, atMost? }',
  }).optional(),
  pages: z.number({ error: "must be a whole number of pages (a number)" }).int()
    .nonnegative().optional(),
  // Checked by default wherever HighAddress is a limit; `false` opts out explicitly.
  withinBound: z.boolean({
    error: "must be true (the default: every page at or below HighAddress) or false (opt out)",
  }).optional(),
  contiguous: z.literal(true, { error: "must be true, or left out" }).optional(),
};

/** A case-level field written on a step, rejected with where it belongs. */
function caseLevelOnly(message: string) {
  return z.undefined({ error: message }).optional();
}

/**
 * An allocation step's own expectations; see `combineExpectations` for how they meet the case's.
 *
 * @example
 * ```ts
 * import { stepExpectations } from "./expectation_schema.ts";
 * stepExpectations.safeParse({ result: "null", bytes: 0 }).success; // false
 * ```
 */
export const stepExpectations = z.strictObject({
  ...allocationExpectationFields,
  mapping: caseLevelOnly(
    "mapping is about request.map, which only a single request has: no step can expect it",
  ),
  violation: caseLevelOnly(
    "a violation is raised by the sequence as a whole: give it in the case's expect, not a step's",
  ),
  latency: caseLevelOnly(
    "latency is measured on the case's first allocation: give it in the case's expect, not a " +
      "step's",
  ),
}).check(z.superRefine(checkNullResult, evenWithOtherProblems));

/**
 * Map, unmap and free return nothing a step expectation could describe.
 *
 * @example
 * ```ts
 * import { noExpectation } from "./expectation_schema.ts";
 * noExpectation("freePagesFromMdl").safeParse(undefined).success; // true
 * ```
 */
export function noExpectation(call: string) {
  return z.undefined({
    error: `${call} allocates nothing to check: expect belongs on allocatePagesForMdl and ` +
      "allocateContiguousPagesForMdl steps (put the case's expectations in the case's expect)",
  }).optional();
}
/**
 * A case's expectations: an allocation's, plus the mapping, the violation and the latency.
 *
 * @example
 * ```ts
 * import { expectations } from "./expectation_schema.ts";
 * expectations.safeParse({ result: "mdl" }).success; // true
 * ```
 */
export const expectations = z.strictObject({
  ...allocationExpectationFields,
  mapping: z.enum(["required", "may-fail"]).optional(),
  violation: z.enum(violationIds, {
    error: `must be a DriverViolation rule id: ${violationIds.join(", ")}`,
  }).optional(),
  latency: latencyExpectation.optional(),
}).check(z.superRefine(checkNullResult, evenWithOtherProblems));
