/**
 * Parts of the suite schemas (`schema.ts`, `driver_schema.ts`): a suite's own fields, injected
 * faults, the latency budget of a case's `expect`, the fields that say whether and where a case runs (`skip`, `todo`,
 * `only`, `backends`), and the check that an input type is what its schema accepts.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";

/**
 * Latency budgets as written: p50/p99 in µs, repetitions, and how measured ones are judged.
 *
 * @example
 * ```ts
 * latencyExpectation.parse({ p99Us: 500, tolerance: 0.2, repetitions: 400 });
 * ```
 */
export const latencyExpectation = z.strictObject({
  p50Us: z.number().positive().optional(),
  p99Us: z.number().positive().optional(),
  repetitions: z.number().int().min(1).max(100_000),
  // Measured budgets only: how far over the budget a noisy measurement may go (0.2: 20 %).
  tolerance: z.number().min(0).max(10).optional(),
  confidence: z.number().gt(0.5, { error: "must be above 0.5 and below 1, e.g. 0.95" })
    .lt(1, { error: "must be above 0.5 and below 1, e.g. 0.95" }).optional(),
  maxRepetitions: z.number().int().min(1).max(100_000).optional(),
}).check(z.superRefine((l, ctx) => {
  if (
    typeof l.maxRepetitions === "number" && typeof l.repetitions === "number" &&
    l.maxRepetitions < l.repetitions
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["maxRepetitions"],
      message: `is below repetitions ${l.repetitions}: re-measuring can only add repetitions`,
      input: l.maxRepetitions,
    });
  }
  if (l.p50Us === undefined && l.p99Us === undefined) {
    ctx.addIssue({ code: "custom", path: ["p99Us"], message: "give p50Us and/or p99Us" });
  } else if (l.p50Us !== undefined && l.p99Us !== undefined && l.p50Us > l.p99Us) {
    // p50 ≤ p99 always: the p99 budget already keeps p50 below it.
    ctx.addIssue({
      code: "custom",
      path: ["p50Us"],
      message: `overlaps p99Us ${l.p99Us}: p50 never exceeds p99, so a p50 budget above the ` +
        "p99 budget checks nothing; lower it or leave it out",
      input: l.p50Us,
    });
  }
}));

/**
 * Injected allocation failures as a case's conditions give them, for allocation and driver
 * suites alike: a probability per call, the calls that fail (from 1), and whether the simulator
 * fails each call in turn.
 *
 * @example
 * ```ts
 * faultConditions.parse({ failNth: [1] });
 * ```
 */
export const faultConditions = z.strictObject({
  probability: z.number().min(0).max(1).optional(),
  failNth: z.number().int().positive().array().optional(),
  systematic: z.boolean().optional(),
});

/** Backends a case may name in `backends`, as `backendNames` of `suites/backends.ts`. */
const caseBackends = ["simulator", "hardware"] as const;

/** A reason, or `true` for none. */
const reasonOrTrue = z.union([z.literal(true), z.string().min(1)], {
  error: "must be true or a reason (a non-empty string)",
});

/**
 * `skip`, `todo` and `only`, as `Deno.test`'s `ignore` and `only`; `backends` to run on.
 *
 * @example
 * ```ts
 * caseModeFields.backends.parse(["simulator"]);
 * ```
 */
export const caseModeFields = {
  skip: reasonOrTrue.optional(),
  todo: reasonOrTrue.optional(),
  only: z.literal(true, { error: "must be true, or left out" }).optional(),
  backends: z.enum(caseBackends, { error: `must be one of ${caseBackends.join(", ")}` }).array()
    .min(1, { error: "name at least one backend, or leave backends out for all" }).optional(),
};

/**
 * `only` on a case that is skipped or to do would run nothing; skip and todo exclude each other.
 *
 * @example
 * ```ts ignore
 * z.object({}).check(z.superRefine(checkCaseMode));
 * ```
 */
export function checkCaseMode(
  testCase: { skip?: unknown; todo?: unknown; only?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (testCase.skip !== undefined && testCase.todo !== undefined) {
    ctx.addIssue({ code: "custom", path: ["todo"], message: "give skip or todo, not both" });
  }
  if (testCase.only !== undefined && (testCase.skip !== undefined || testCase.todo !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["only"],
      message: "contradicts skip/todo: a case run alone must run",
    });
  }
}

/**
 * A suite schema: the suite's name, a description, then `shared` (what its cases share:
 * conditions, a driver suite's library), then its cases, each validated on its own later so that
 * a problem names its case.
 *
 * @example
 * ```ts
 * suiteSchemaWith({}).parse({ name: "S", cases: [{}] }).cases.length; // 1
 * ```
 */
export function suiteSchemaWith<Shared extends z.core.$ZodLooseShape>(shared: Shared) {
  return z.strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    ...shared,
    cases: z.array(z.unknown()).min(1, { error: "a suite needs at least one case" }),
  });
}

/**
 * `true` when A and B are the same type, else `false`: a schema module asserts
 * `Same<Input, z.input<typeof schema>>` so that a field added to the explicit input type and not
 * to the schema, or the other way round, fails `deno check`.
 *
 * @example
 * ```ts
 * const same: Same<{ a: number }, { a: number }> = true;
 * ```
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
