/**
 * zod schemas of every output file the project reads back: the envelope (schema tag, host facts,
 * command line) and each kind's payload, as far as the readers rely on it. Unknown extra fields
 * are kept, so that a newer writer's additions do not break an older reader of the same version.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import { type OutputKind, SCHEMAS } from "./envelope.ts";
import type { HostFacts } from "./host_facts.ts";

const fact = <T extends z.ZodType>(value: T) =>
  z.object({ value: value.nullable(), reason: z.string().optional() });

// Every field of HostFacts, of its value's type, and no other: the two lists cannot drift.
const hostFactFields = {
  hostname: fact(z.string()),
  os: fact(z.string()),
  kernel: fact(z.string()),
  arch: fact(z.string()),
  cpuModel: fact(z.string()),
  cpuCount: fact(z.number()),
  memoryBytes: fact(z.number()),
  denoVersion: fact(z.string()),
  projectVersion: fact(z.string()),
  gitCommit: fact(z.string()),
  frameNumbersReadable: fact(z.boolean()),
  memlockLimitBytes: fact(z.number()),
  capIpcLock: fact(z.boolean()),
} satisfies { [K in keyof HostFacts]: z.ZodType<{ value: HostFacts[K]["value"] | null }> };

/**
 * The host facts block of every output file.
 *
 * @example
 * ```ts
 * import { collectHostFacts } from "./host_facts.ts";
 * hostFactsSchema.parse(await collectHostFacts());
 * ```
 */
export const hostFactsSchema = z.object(hostFactFields);

const envelope = <K extends OutputKind>(kind: K) => ({
  schema: z.literal(SCHEMAS[kind]),
  createdAt: z.string(),
  host: hostFactsSchema,
  command: z.array(z.string()),
});

const count = z.number().int().nonnegative();
const nanoseconds = z.number().nonnegative();

const summarySchema = z.looseObject({
  bytes: count.nullable(),
  pages: count,
  runs: count.nullable(),
  p50Ns: nanoseconds.nullable(),
  p99Ns: nanoseconds.nullable(),
});

const runSchema = z.looseObject({
  backend: z.string().min(1),
  implementation: z.string(),
  status: z.string().min(1),
  reason: z.string().optional(),
  failures: z.array(z.string()),
  notes: z.array(z.string()),
  latencyNs: z.array(nanoseconds),
  latencyHdr: z.string().startsWith("HISTF").nullable(),
  timingSource: z.enum(["modeled", "measured"]).nullable(),
  summary: summarySchema,
});

const caseSchema = z.looseObject({
  suite: z.string(),
  case: z.string(),
  runs: z.array(runSchema),
  crossCheck: z.looseObject({ status: z.string().min(1), reason: z.string().optional() }),
});

const hdrCase = z.looseObject({
  bytes: count,
  pages: count,
  hdr: z.string().startsWith("HISTF").nullable(),
  samples: z.looseObject({ durationsNs: z.array(nanoseconds) }),
  summary: z.looseObject({ p50: nanoseconds, p99: nanoseconds, medianCiRelativeWidth: z.number() })
    .nullable(),
});

/**
 * Each readable kind's schema, envelope included.
 *
 * @example
 * ```ts
 * outputSchemas["latency-sweep"].safeParse({ schema: "wavert-bench.latency-sweep/2" }).success;
 * // false: no host, no backends
 * ```
 */
export const outputSchemas = {
  "suite-results": z.looseObject({
    ...envelope("suite-results"),
    seed: z.number(),
    startedAt: z.string(),
    backends: z.array(z.string()),
    suites: z.array(z.looseObject({
      name: z.string(),
      file: z.string().nullable(),
      cases: z.array(caseSchema),
    })),
  }),
  "fuzz-report": z.looseObject({
    ...envelope("fuzz-report"),
    seed: z.number(),
    runs: count,
    steps: count,
  }),
  "latency-sweep": z.looseObject({
    ...envelope("latency-sweep"),
    zeroing: z.object({ bytesPerSecond: z.number(), nsPerPage: z.number() }),
    skipped: z.record(z.string(), z.string()),
    backends: z.array(z.looseObject({
      backend: z.string(),
      source: z.enum(["modeled", "measured"]),
      resolutionNs: z.number(),
      cases: z.array(hdrCase),
    })),
  }),
  "policy-profile": z.looseObject({
    ...envelope("policy-profile"),
    backend: z.string(),
    policies: z.record(z.string(), z.string()),
  }),
  "cost-profile": z.looseObject({
    ...envelope("cost-profile"),
    name: z.string(),
    fittedOn: z.string(),
    costModel: z.record(z.string(), z.number()),
    freshPages: z.enum(["zeroed", "stale"]),
  }),
  "merged-results": z.looseObject({
    ...envelope("merged-results"),
    machines: z.array(z.looseObject({ id: z.string(), host: hostFactsSchema })),
    cases: z.array(z.looseObject({ suite: z.string(), case: z.string(), backend: z.string() })),
  }),
} satisfies Record<OutputKind, z.ZodType>;

/**
 * The parsed type of a suite-results file.
 *
 * @example
 * ```ts
 * function firstHistogram(file: SuiteResultsFile) {
 *   return file.suites[0].cases[0].runs[0].latencyHdr;
 * }
 * ```
 */
export type SuiteResultsFile = z.infer<(typeof outputSchemas)["suite-results"]>;
