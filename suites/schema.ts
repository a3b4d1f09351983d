/**
 * The shape of a suite as a user writes it, as a zod schema: the single source of both the input
 * types and their validation, so that every problem is found in one pass.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import { CacheType } from "../core/constants.ts";
import { machinePresets } from "../core/machine.ts";
import { audioBufferProblems } from "./audio_format.ts";
import { isNoLimit, MIN_HIGH_ADDRESS, PHYSICAL_ADDRESS_MAX } from "./bound.ts";
import { expectationProblems } from "./expectation_rules.ts";
import {
  evenWithOtherProblems,
  expectations,
  isObject,
  MAX_TOTAL_BYTES,
  noExpectation,
  stepExpectations,
} from "./expectation_schema.ts";
import {
  caseModeFields,
  checkCaseMode,
  faultConditions,
  type Same,
  suiteSchemaWith,
} from "./schema_parts.ts";
import type * as input from "./suite_input.ts";

export type {
  CaseInput,
  ConditionsInput,
  ExpectationsInput,
  StepExpectationsInput,
  StepInput,
  SuiteInput,
} from "./suite_input.ts";

const cacheTypeNames = Object.keys(CacheType) as [keyof typeof CacheType];
const machineNames = [...Object.keys(machinePresets), "host"] as [
  keyof typeof machinePresets | "host",
];

/**
 * The one rule for numbers and bigints, in suites as in the stream API: addresses are bigints
 * (a 64-bit physical address does not fit a number exactly); sizes and byte counts are numbers or
 * bigints; counts of pages are numbers.
 */
const ADDRESS_RULE = "addresses are bigints in suites as in the stream API, e.g. 0xFFFFFFFFn";

function bigintAddress(what: string) {
  return z.bigint({
    error: (issue) =>
      typeof issue.input === "number"
        ? `must be a bigint, not a number: ${ADDRESS_RULE}`
        : `must be ${what} as a bigint, e.g. 0xFFFFFFFFn`,
  });
}

/** HighAddress: at least one page, at most PHYSICAL_ADDRESS's maximum, or all-ones/-1n for none. */
const highAddress = bigintAddress("a physical address").check(z.superRefine((value, ctx) => {
  if (isNoLimit(value)) return;
  const problem = value < 0n
    ? "must be ≥ 0, or -1n for no limit"
    : value < MIN_HIGH_ADDRESS
    ? "must cover at least one page (≥ 0xFFFn): a bound below that leaves nothing to allocate"
    : value > PHYSICAL_ADDRESS_MAX
    ? "must be at most 0x7FFFFFFFFFFFFFFFn (PHYSICAL_ADDRESS is signed), or " +
      "0xFFFFFFFFFFFFFFFFn / -1n for no limit"
    : null;
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem, input: value });
}));

const lowAddress = bigintAddress("a physical address").check(z.superRefine((value, ctx) => {
  if (value < 0n || value > PHYSICAL_ADDRESS_MAX) {
    ctx.addIssue({
      code: "custom",
      message: "must be a physical address in 0..0x7FFFFFFFFFFFFFFFn",
      input: value,
    });
  }
}));

const byteCount = z.union([
  z.bigint().nonnegative().max(BigInt(MAX_TOTAL_BYTES)),
  z.number().int().nonnegative().max(MAX_TOTAL_BYTES),
], {
  error: `must be a whole number of bytes from 0 to ${MAX_TOTAL_BYTES} (4 GB - 4 KiB), as a ` +
    "number or a bigint",
});

const audioBuffer = z.strictObject({
  sampleRate: z.number().int().positive(),
  channels: z.number().int().min(1).max(64),
  bitsPerSample: z.number().int().min(8).max(64),
  containerBits: z.number().int().min(8).max(64).optional(),
  durationMs: z.number().positive().optional(),
  frames: z.number().int().positive().optional(),
  notificationCount: z.union([z.literal(1), z.literal(2)], {
    error: "must be 1 or 2 (WaveRT notifications per buffer pass)",
  }).optional(),
}).superRefine((buffer, ctx) => {
  for (const problem of audioBufferProblems(buffer)) {
    ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  }
});

/** Either `totalBytes` or `audio`: a size given twice or not at all is an error. */
function checkOneSize(
  request: { totalBytes?: unknown; audio?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (!isObject(request)) return;
  if ((request.totalBytes === undefined) === (request.audio === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["totalBytes"],
      message: "give exactly one of totalBytes and audio",
    });
  }
}

function checkBounds(
  request: { lowAddress?: unknown; highAddress?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (!isObject(request)) return;
  const low = request.lowAddress ?? 0n;
  const high = request.highAddress;
  if (typeof low !== "bigint" || typeof high !== "bigint" || isNoLimit(high)) return;
  if (low > high) {
    ctx.addIssue({
      code: "custom",
      path: ["lowAddress"],
      message: `must not exceed highAddress 0x${high.toString(16).toUpperCase()}n`,
      input: low,
    });
  }
}

const sizeFields = { totalBytes: byteCount.optional(), audio: audioBuffer.optional() };
const cacheTypeName = z.enum(cacheTypeNames, {
  error: `must be one of ${cacheTypeNames.join(", ")}`,
});

const pagesRequest = z.strictObject({
  call: z.literal("allocatePagesForMdl"),
  highAddress,
  ...sizeFields,
  map: cacheTypeName.optional(),
}).check(z.superRefine(checkOneSize, evenWithOtherProblems));

const contiguousRequest = z.strictObject({
  call: z.literal("allocateContiguousPagesForMdl"),
  lowAddress: lowAddress.optional(),
  highAddress,
  ...sizeFields,
  map: cacheTypeName.optional(),
}).check(z.superRefine(checkOneSize, evenWithOtherProblems))
  .check(z.superRefine(checkBounds, evenWithOtherProblems));

const handleName = z.string().regex(/^[A-Za-z_][\w-]*$/, {
  error: "must be a handle name such as buffer or dma_1",
});

const steps = z.discriminatedUnion("call", [
  z.strictObject({
    call: z.literal("allocatePagesForMdl"),
    handle: handleName,
    highAddress,
    ...sizeFields,
    expect: stepExpectations.optional(),
  }).check(z.superRefine(checkOneSize, evenWithOtherProblems)),
  z.strictObject({
    call: z.literal("allocateContiguousPagesForMdl"),
    handle: handleName,
    lowAddress: lowAddress.optional(),
    highAddress,
    ...sizeFields,
    expect: stepExpectations.optional(),
  }).check(z.superRefine(checkOneSize, evenWithOtherProblems))
    .check(z.superRefine(checkBounds, evenWithOtherProblems)),
  z.strictObject({
    call: z.literal("mapAllocatedPages"),
    handle: handleName,
    cacheType: cacheTypeName,
    expect: noExpectation("mapAllocatedPages"),
  }),
  z.strictObject({
    call: z.literal("unmapAllocatedPages"),
    handle: handleName,
    expect: noExpectation("unmapAllocatedPages"),
  }),
  z.strictObject({
    call: z.literal("freePagesFromMdl"),
    handle: handleName,
    expect: noExpectation("freePagesFromMdl"),
  }),
]).array().min(1);

const conditions = z.strictObject({
  machine: z.enum(machineNames, {
    error: `must be one of ${machineNames.join(", ")}`,
  }).optional(),
  fragmentation: z.number().min(0).max(1).optional(),
  /** Mean pages of one run used by others (the simulator's `fragmentRunPages`). */
  fragmentRunPages: z.number().min(1).max(1 << 20).optional(),
  /** `"heavy-tailed"` (default) or `"geometric"` (the simulator's `fragmentModel`). */
  fragmentModel: z.enum(["geometric", "heavy-tailed"]).optional(),
  seed: z.number().int().nonnegative().optional(),
  faults: faultConditions.optional(),
  memoryCapBytes: z.union([z.bigint().nonnegative(), z.number().int().nonnegative()], {
    error: "must be a whole number of bytes ≥ 0, as a number or a bigint",
  }).optional(),
});

/** Handles must be allocated before use and not allocated twice; checked in step order. */
function checkHandles(steps: readonly { call: string; handle: string }[], ctx: z.RefinementCtx) {
  const allocated = new Set<string>();
  steps.forEach((step, index) => {
    if (typeof step?.call !== "string" || typeof step.handle !== "string") return;
    if (step.call.startsWith("allocate")) {
      if (allocated.has(step.handle)) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "handle"],
          message: `handle "${step.handle}" is already allocated by an earlier step`,
        });
      }
      allocated.add(step.handle);
    } else if (!allocated.has(step.handle)) {
      ctx.addIssue({
        code: "custom",
        path: ["steps", index, "handle"],
        message: `handle "${step.handle}" is used before any step allocates it`,
      });
    }
  });
}

/**
 * A case-level result "null" reaches steps without their own result (`combineExpectations`): a
 * step that then expects bytes or pages contradicts it.
 */
function checkInheritedNull(steps: readonly unknown[], ctx: z.RefinementCtx): void {
  steps.forEach((step, index) => {
    const expect = isObject(step) ? step.expect : undefined;
    if (!isObject(expect) || expect.result !== undefined) return;
    if (expect.bytes !== undefined || expect.pages !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["steps", index, "expect", "result"],
        message: 'the case expects result "null", which contradicts this step\'s bytes or ' +
          "pages: give the step its own result",
      });
    }
  });
}

/**
 * One case: a single `request`, or a sequence of `steps` on named handles, with the conditions
 * it runs under and what it expects. In a sequence, an allocation step may carry its own `expect`
 * (result, bytes, pages, withinBound, contiguous), which overrides the case's for that step.
 *
 * @example
 * ```ts
 * caseSchema.parse({ name: "10 ms", request: { call: "allocatePagesForMdl",
 *   highAddress: 0xFFFFFFFFn, totalBytes: 1920 } });
 * ```
 */
export const caseSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  ...caseModeFields,
  conditions: conditions.optional(),
  request: z.discriminatedUnion("call", [pagesRequest, contiguousRequest]).optional(),
  steps: steps.optional(),
  expect: expectations.optional(),
}).check(z.superRefine((testCase, ctx) => {
  if (!isObject(testCase)) return;
  if ((testCase.request === undefined) === (testCase.steps === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["request"],
      message: "give exactly one of request (a single call) and steps (a sequence)",
    });
  }
  if (Array.isArray(testCase.steps)) checkHandles(testCase.steps, ctx);
  checkCaseMode(testCase, ctx);
  const expect = typeof testCase.expect === "object" ? testCase.expect : undefined;
  if (testCase.request !== undefined && expect?.violation !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["expect", "violation"],
      message: "a violation can only be expected from steps; a single request cannot misuse",
    });
  }
  if (expect?.result === "null" && Array.isArray(testCase.steps)) {
    checkInheritedNull(testCase.steps, ctx);
  }
  for (const problem of expectationProblems(testCase)) ctx.addIssue({ code: "custom", ...problem });
  if (expect?.mapping !== undefined && testCase.request?.map === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["expect", "mapping"],
      message: "a mapping expectation needs request.map",
    });
  }
}, evenWithOtherProblems));

/**
 * A suite: a name, conditions shared by its cases, and the cases.
 *
 * @example
 * ```ts
 * suiteSchema.shape.name.parse("DMA-limited devices");
 * ```
 */
export const suiteSchema = suiteSchemaWith({ conditions: conditions.optional() });

/** A validated case, before sizes and names are resolved. */
export type CaseParsed = z.output<typeof caseSchema>;

// The explicit input types must be what the schema accepts, field for field: a field added to one
// and not the other fails `deno check` here.
const inputTypesMatchTheSchema: [
  Same<input.CaseInput, z.input<typeof caseSchema>>,
  Same<input.ConditionsInput, z.input<typeof conditions>>,
  Same<input.ExpectationsInput, z.input<typeof expectations>>,
  Same<input.StepExpectationsInput, z.input<typeof stepExpectations>>,
  Same<input.StepInput, z.input<typeof steps>[number]>,
  Same<Omit<input.SuiteInput, "cases">, Omit<z.input<typeof suiteSchema>, "cases">>,
] = [true, true, true, true, true, true];
void inputTypesMatchTheSchema;
