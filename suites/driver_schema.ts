/**
 * The shape of a driver case as a user writes it, as a zod schema: a miniport library (a built
 * path, one of the bundled examples, or sources to build), the buffer it is asked for, the steps
 * PortCls makes, the simulator conditions and faults, a sweep, and the findings it must produce.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import { CacheType } from "../core/constants.ts";
import { machinePresets } from "../core/machine.ts";
import { ViolationRules } from "../core/violations.ts";
import { DriverRules } from "../ffi/driver/findings.ts";
import type { DriverCaseInput, DriverLibraryInput, DriverSuiteInput } from "./driver_input.ts";
import { faultConditions, type Same, suiteSchemaWith } from "./schema_parts.ts";

export type {
  DriverCaseInput,
  DriverConditionsInput,
  DriverFormatInput,
  DriverLibraryInput,
  DriverStepInput,
  DriverSuiteInput,
  DriverSweepInput,
} from "./driver_input.ts";

const presetNames = Object.keys(machinePresets) as [keyof typeof machinePresets];
const cacheTypeNames = Object.keys(CacheType) as [keyof typeof CacheType];

/**
 * Every rule a driver case can report: the harness's contract rules and the simulator's.
 *
 * @example
 * ```ts
 * driverFindingIds.includes("failed-allocate-leaked"); // true
 * ```
 */
export const driverFindingIds: readonly string[] = [
  ...Object.values(DriverRules).map((r) => r.id),
  ...Object.values(ViolationRules).map((r) => r.id),
];

/** The largest buffer a case may ask for: AllocatePagesForMdl's 4 GB − PAGE_SIZE. */
const MAX_REQUEST = 0x1_0000_0000 - 4096;

const requested = z.number({ error: "must be a number of bytes" }).int({
  error: "must be a whole number of bytes",
}).min(1, { error: "must be at least 1 byte" }).max(MAX_REQUEST, {
  error: `must be at most ${MAX_REQUEST} bytes (4 GB - 4 KiB)`,
});

const notifications = z.number().int().min(0).max(2, {
  error: "must be 0 (AllocateAudioBuffer), 1 or 2 (AllocateBufferWithNotification)",
});

const library = z.union([
  z.string().min(1),
  z.strictObject({ example: z.enum(["correct", "buggy"]) }),
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_]+$/, { error: "must be letters, digits or _" }),
    sources: z.string().min(1).array().min(1),
    defines: z.string().array().optional(),
    includeDirs: z.string().array().optional(),
  }),
], {
  error: 'must be a built library\'s path, { example: "correct" | "buggy" }, or ' +
    "{ name, sources, defines?, includeDirs? } to build",
});

const format = z.strictObject({
  sampleRate: z.number().int().min(1_000).max(768_000),
  channels: z.number().int().min(1).max(32),
  bitsPerSample: z.union([z.literal(8), z.literal(16), z.literal(24), z.literal(32)], {
    error: "must be 8, 16, 24 or 32",
  }),
});

const step = z.discriminatedUnion("call", [
  z.strictObject({
    call: z.literal("allocateBuffer"),
    requestedBytes: requested.optional(),
    notificationCount: notifications.optional(),
  }),
  z.strictObject({ call: z.literal("freeBuffer") }),
], { error: 'must be { call: "allocateBuffer", … } or { call: "freeBuffer" }' });

const conditions = z.strictObject({
  machine: z.enum(presetNames, { error: `must be one of ${presetNames.join(", ")}` }).optional(),
  fragmentation: z.number().min(0).max(1).optional(),
  seed: z.number().int().nonnegative().optional(),
  faults: faultConditions.optional(),
  memoryCapBytes: z.number().int().nonnegative().optional(),
});

const sweep = z.union([
  z.literal(true),
  z.strictObject({
    systematic: z.boolean().optional(),
    memoryCaps: z.boolean().optional(),
    random: z.union([
      z.literal(false),
      z.strictObject({
        runs: z.number().int().min(1).max(10_000),
        seed: z.number().int().nonnegative().optional(),
        probability: z.number().gt(0).max(1).optional(),
      }),
    ]).optional(),
    shrink: z.boolean().optional(),
  }),
], { error: "must be true or { systematic?, memoryCaps?, random?, shrink? }" });

const findingId = z.string().refine((id) => driverFindingIds.includes(id), {
  error: (issue) =>
    `must be a driver finding rule, one of ${driverFindingIds.join(", ")} (got ${
      JSON.stringify(issue.input)
    })`,
});

/**
 * One driver case. `requestedBytes` (or `durationMs` of `format`) sizes the buffer; `expect.findings`
 * lists the rules the case must find (none by default): a case that finds exactly those passes, so
 * a suite can show a bug being caught.
 *
 * @example
 * ```ts
 * driverCaseSchema.parse({ name: "100 ms", library: { example: "correct" }, requestedBytes: 19_200 });
 * ```
 */
export const driverCaseSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  library: library.optional(),
  format: format.optional(),
  requestedBytes: requested.optional(),
  durationMs: z.number().positive().max(60_000).optional(),
  notificationCount: notifications.optional(),
  steps: step.array().min(1).optional(),
  parameters: z.string().optional(),
  allowedCacheTypes: z.enum(cacheTypeNames, {
    error: `must be one of ${cacheTypeNames.join(", ")}`,
  }).array().min(1).optional(),
  conditions: conditions.optional(),
  sweep: sweep.optional(),
  expect: z.strictObject({ findings: findingId.array() }).optional(),
}).check(z.superRefine((c, ctx) => {
  if ((c.requestedBytes === undefined) === (c.durationMs === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["requestedBytes"],
      message: "give exactly one of requestedBytes and durationMs (with the case's format)",
      input: c.requestedBytes,
    });
  }
  const findings = c.expect?.findings ?? [];
  const twice = findings.find((f, i) => findings.indexOf(f) !== i);
  if (twice !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["expect", "findings"],
      message: `lists "${twice}" twice`,
      input: findings,
    });
  }
}, { when: () => true }));

/**
 * A driver suite: a name, a library and conditions its cases share, and the cases.
 *
 * @example
 * ```ts
 * driverSuiteSchema.shape.name.parse("My stream");
 * ```
 */
export const driverSuiteSchema = suiteSchemaWith({
  library: library.optional(),
  conditions: conditions.optional(),
});

/**
 * A validated driver case, before its library and size are resolved.
 *
 * @example
 * ```ts
 * const bytes = (c: DriverCaseParsed) => c.requestedBytes ?? 0;
 * ```
 */
export type DriverCaseParsed = z.output<typeof driverCaseSchema>;
// The explicit input types must be what the schema accepts, field for field.
const inputTypesMatchTheSchema: [
  Same<DriverCaseInput, z.input<typeof driverCaseSchema>>,
  Same<DriverLibraryInput, z.input<typeof library>>,
  Same<Omit<DriverSuiteInput, "cases">, Omit<z.input<typeof driverSuiteSchema>, "cases">>,
] = [true, true, true];
void inputTypesMatchTheSchema;
