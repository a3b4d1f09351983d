/**
 * `defineSuite`: validates a suite as written, reporting every problem at once, and resolves it
 * into plain steps (sizes in bytes, addresses as bigint, cache types as numbers) before anything
 * can be allocated.
 *
 * @module
 */

import { CacheType } from "../core/constants.ts";
import { audioBufferSize, describeAudioBuffer } from "./audio_format.ts";
import { canonicalHighAddress } from "./bound.ts";
import { combineExpectations } from "./combine_expectations.ts";
import { deepFreeze, parseSuiteCases, SuiteDefinitionError } from "./suite_parsing.ts";
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

export { SuiteDefinitionError, type SuiteProblem } from "./suite_parsing.ts";

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
  const { header, parsed, problems } = parseSuiteCases(input, suiteSchema, caseSchema);
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
