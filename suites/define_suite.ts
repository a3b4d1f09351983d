/**
 * `defineSuite`: validates a suite as written, reporting every problem at once, and resolves it
 * into plain steps (sizes in bytes, addresses as bigint, cache types as numbers) before anything
 * can be allocated.
 *
 * @module
 */

import type { z } from "npm:zod@4.6.7";
import { CacheType } from "../core/constants.ts";
import { audioBufferSize, describeAudioBuffer } from "./audio_format.ts";
import { canonicalHighAddress } from "./bound.ts";
import { combineExpectations } from "./combine_expectations.ts";
import { describeReceived, suiteErrorMap } from "./problem_text.ts";
import { type CaseParsed, caseSchema, type SuiteInput, suiteSchema } from "./schema.ts";
import type {
  Allocation,
  AllocatorName,
  Conditions,
  Expectations,
  Step,
  Suite,
  SuiteCase,
} from "./suite_model.ts";

// The resolved model lives in suite_model.ts; modules that imported it from here still may.
export type {
  Allocation,
  AllocationExpectations,
  AllocatorName,
  BytesExpectation,
  Conditions,
  Expectations,
  LatencyExpectation,
  Step,
  Suite,
  SuiteCase,
} from "./suite_model.ts";

/** One validation problem, naming where it is. */
export interface SuiteProblem {
  /** The suite's name, or `(unnamed)` when it has none. */
  readonly suite: string;
  /** The case's name, or `cases[i]` when it has none; absent for suite-level fields. */
  readonly case?: string;
  /** Dotted path inside the case (or suite), e.g. `request.audio.notificationCount`. */
  readonly field: string;
  /** The rule the value breaks, e.g. "must be 1 or 2 (WaveRT notifications per buffer pass)". */
  readonly message: string;
  /** The value received at `field`, rendered short: `3 (a number)`, `0x1n`, `"Cashed"`, ... */
  readonly received: string;
}

/**
 * Thrown by {@linkcode defineSuite} with every problem of a suite, before anything runs.
 *
 * @example
 * ```ts
 * try {
 *   defineSuite({ name: "Empty", cases: [] });
 * } catch (e) {
 *   if (e instanceof SuiteDefinitionError) console.log(e.problems.map((p) => p.field)); // ["cases"]
 *   // e.message: '1 problem(s) in suite definition:\n  suite "Empty" › cases: needs at least
 *   // 1 item(s) (got [])'
 * }
 * ```
 */
export class SuiteDefinitionError extends Error {
  /** Every problem found: the suite's own, then each case's in order. */
  readonly problems: readonly SuiteProblem[];

  /** An error listing `problems`, each as suite › case › field: message. */
  constructor(problems: readonly SuiteProblem[]) {
    const lines = problems.map((p) =>
      `  suite "${p.suite}"${
        p.case === undefined ? "" : ` › case ${p.case}`
      } › ${p.field}: ${p.message} (got ${p.received})`
    );
    super(`${problems.length} problem(s) in suite definition:\n${lines.join("\n")}`);
    this.name = "SuiteDefinitionError";
    this.problems = problems;
  }
}

/**
 * Validates and resolves a suite. Pure: it allocates nothing and registers nothing, so a malformed
 * suite fails before any backend is touched.
 *
 * @throws {SuiteDefinitionError} listing every problem, each naming suite, case and field.
 * @example
 * ```ts
 * const suite = defineSuite({
 *   name: "Formats",
 *   cases: [{
 *     name: "48 kHz stereo 16-bit 10 ms",
 *     request: {
 *       call: "allocatePagesForMdl",
 *       highAddress: 0xFFFFFFFFn,
 *       audio: { sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 },
 *     },
 *     expect: { bytes: "requested", pages: 1, withinBound: true },
 *   }],
 * });
 * ```
 */
export function defineSuite(input: SuiteInput): Suite {
  const suiteName = typeof input?.name === "string" && input.name !== "" ? input.name : "(unnamed)";
  const problems: SuiteProblem[] = [];
  const header = suiteSchema.safeParse(input, parseOptions);
  if (!header.success) problems.push(...toProblems(header.error, input, suiteName, undefined));

  const rawCases: unknown[] = Array.isArray(input?.cases) ? [...input.cases] : [];
  const parsed: CaseParsed[] = [];
  // Names are compared as written, so a duplicate is reported whatever else is wrong.
  const seenNames = new Map<string, number>();
  rawCases.forEach((raw, index) => {
    const label = caseLabel(raw, index);
    const name = (raw as { name?: unknown } | null)?.name;
    if (typeof name === "string" && name !== "") {
      const first = seenNames.get(name);
      if (first !== undefined) {
        problems.push({
          suite: suiteName,
          case: label,
          field: "name",
          message: `duplicate case name (also cases[${first}]); Deno test names must be unique`,
          received: describeReceived(name),
        });
      } else seenNames.set(name, index);
    }
    const result = caseSchema.safeParse(raw, parseOptions);
    if (!result.success) problems.push(...toProblems(result.error, raw, suiteName, label));
    else parsed.push(result.data);
  });
  if (problems.length > 0) throw new SuiteDefinitionError(problems);

  const suite = header.data!;
  const resolved: Suite = deepFreeze({
    name: suite.name,
    description: suite.description,
    cases: parsed.map((c) => resolveCase(suite.name, suite.conditions, c)),
  });
  definedSuites.set(resolved, suitesDefined++);
  return resolved;
}

/**
 * Suites in the order `defineSuite` made them, which is their order in a file: a module's
 * exports (`Object.values(await import(...))`) come sorted by name instead.
 *
 * @example
 * ```ts
 * const suites = inDefinitionOrder(Object.values(await import("./bundled.ts")).filter(isSuite));
 * suites[0].name; // "Common WaveRT formats", the file's first suite, not the alphabet's
 * ```
 */
export function inDefinitionOrder(suites: readonly Suite[]): Suite[] {
  return [...suites].sort((a, b) => definedSuites.get(a)! - definedSuites.get(b)!);
}

/** Problems are worded by the suite's own rules and carry the value received. */
const parseOptions = { reportInput: true, error: suiteErrorMap } as const;

/** Suites that came out of {@linkcode defineSuite} (only these were validated), by order made. */
const definedSuites = new WeakMap<object, number>();
let suitesDefined = 0;

/**
 * Whether `value` is a suite returned by {@linkcode defineSuite}, e.g. among a module's exports.
 *
 * @example
 * ```ts
 * const suites = Object.values(await import("./bundled.ts")).filter(isSuite);
 * suites.length; // 6
 * ```
 */
export function isSuite(value: unknown): value is Suite {
  return typeof value === "object" && value !== null && definedSuites.has(value);
}

function resolveCase(
  suiteName: string,
  suiteConditions: CaseParsed["conditions"],
  parsed: CaseParsed,
): SuiteCase {
  const merged = { ...suiteConditions, ...parsed.conditions };
  const conditions: Conditions = {
    machine: merged.machine ?? "x64-16gib",
    fragmentation: merged.fragmentation ?? 0,
    ...(merged.fragmentRunPages === undefined ? {} : { fragmentRunPages: merged.fragmentRunPages }),
    ...(merged.fragmentModel === undefined ? {} : { fragmentModel: merged.fragmentModel }),
    seed: merged.seed,
    faults: merged.faults,
    memoryCapBytes: merged.memoryCapBytes === undefined ? undefined : BigInt(merged.memoryCapBytes),
  };
  const written = parsed.expect ?? {};
  const expect: Expectations = {
    ...combineExpectations(written),
    mapping: written.mapping ?? "required",
    violation: written.violation,
    latency: written.latency && {
      p50Us: written.latency.p50Us,
      p99Us: written.latency.p99Us,
      tolerance: written.latency.tolerance ?? 0,
      confidence: written.latency.confidence ?? 0.95,
      ...(written.latency.maxRepetitions === undefined
        ? {}
        : { maxRepetitions: written.latency.maxRepetitions }),
    },
  };
  return {
    suite: suiteName,
    name: parsed.name,
    description: parsed.description,
    kind: parsed.request ? "request" : "sequence",
    conditions,
    steps: parsed.request
      ? requestSteps(parsed.request, written)
      : (parsed.steps ?? []).map((step) => resolveStep(step, written)),
    expect,
    repetitions: written.latency?.repetitions ?? 1,
    ...(parsed.skip === undefined ? {} : { skip: parsed.skip === true ? "skipped" : parsed.skip }),
    ...(parsed.todo === undefined ? {} : { todo: parsed.todo === true ? "todo" : parsed.todo }),
    ...(parsed.only ? { only: true as const } : {}),
    ...(parsed.backends ? { backends: [...new Set(parsed.backends)] } : {}),
  };
}

type ParsedRequest = NonNullable<CaseParsed["request"]>;
type ParsedStep = NonNullable<CaseParsed["steps"]>[number];

/** A single request is the lifecycle a correct driver runs: allocate, map, unmap, free. */
function requestSteps(request: ParsedRequest, caseExpect: CaseParsed["expect"]): Step[] {
  const handle = "buffer";
  const steps: Step[] = [{
    call: request.call,
    handle,
    allocation: resolveAllocation(request),
    expect: combineExpectations(caseExpect),
  }];
  if (request.map !== undefined) {
    steps.push({ call: "mapAllocatedPages", handle, cacheType: CacheType[request.map] });
    steps.push({ call: "unmapAllocatedPages", handle });
  }
  steps.push({ call: "freePagesFromMdl", handle });
  return steps;
}

function resolveStep(step: ParsedStep, caseExpect: CaseParsed["expect"]): Step {
  switch (step.call) {
    case "allocatePagesForMdl":
    case "allocateContiguousPagesForMdl":
      return {
        call: step.call,
        handle: step.handle,
        allocation: resolveAllocation(step),
        expect: combineExpectations(caseExpect, step.expect),
      };
    case "mapAllocatedPages":
      return { call: step.call, handle: step.handle, cacheType: CacheType[step.cacheType] };
    default:
      return { call: step.call, handle: step.handle };
  }
}

function resolveAllocation(
  request: ParsedRequest | Extract<ParsedStep, { call: AllocatorName }>,
): Allocation {
  const low = "lowAddress" in request && request.lowAddress !== undefined ? request.lowAddress : 0n;
  const highAddress = canonicalHighAddress(request.highAddress);
  if (request.audio !== undefined) {
    return {
      call: request.call,
      lowAddress: low,
      highAddress,
      totalBytes: audioBufferSize(request.audio).bytes,
      sizeLabel: describeAudioBuffer(request.audio),
    };
  }
  const totalBytes = Number(request.totalBytes);
  return {
    call: request.call,
    lowAddress: low,
    highAddress,
    totalBytes,
    sizeLabel: `${totalBytes} bytes`,
  };
}

function caseLabel(raw: unknown, index: number): string {
  const name = (raw as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== ""
    ? `"${name}" (cases[${index}])`
    : `cases[${index}]`;
}

function toProblems(
  error: z.ZodError,
  raw: unknown,
  suite: string,
  caseName: string | undefined,
): SuiteProblem[] {
  return error.issues.map((issue) => {
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
    // An unknown key is named as the field itself, so a typo such as `expect.byte` is easy to spot.
    const path = unknownKeys.length === 1 ? [...issue.path, unknownKeys[0]] : issue.path;
    return {
      suite,
      case: caseName,
      field: formatPath(path, caseName === undefined ? "(suite)" : "(case)"),
      message: unknownKeys.length > 0
        ? `unknown field(s) ${unknownKeys.map((k) => `"${k}"`).join(", ")}`
        : issue.message,
      received: describeReceived(valueAt(raw, path)),
    };
  });
}

/** The value as written at `path`, or undefined where the path leads nowhere. */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatPath(path: readonly PropertyKey[], whole: string): string {
  if (path.length === 0) return whole;
  return path.map((part, i) =>
    typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`
  ).join("");
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
