/**
 * A suite as a user writes it, as explicit types: what `defineSuite` accepts. The zod schema in
 * `schema.ts` validates exactly these shapes, and a compile-time check there keeps the two equal,
 * so a field added to one and not the other fails `deno check`.
 *
 * The one rule for numbers and bigints: addresses are bigints (a 64-bit physical address does not
 * fit a number exactly); sizes and byte counts are numbers or bigints; counts of pages are numbers.
 *
 * @module
 */

import type { CacheType } from "../core/constants.ts";
import type { MachinePresetName } from "../core/machine.ts";
import type { ViolationRuleId } from "../core/violations.ts";
import type { AudioBuffer } from "./audio_format.ts";

/**
 * A cache type by its `MEMORY_CACHING_TYPE` name, as `map` and `mapAllocatedPages` take it.
 *
 * @example
 * ```ts
 * const cache: CacheTypeName = "WriteCombined";
 * ```
 */
export type CacheTypeName = keyof typeof CacheType;

/**
 * The size of an allocation: `totalBytes`, or an audio format it is worked out from.
 *
 * @example
 * ```ts
 * const size: SizeInput = { audio: { sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 } };
 * ```
 */
export interface SizeInput {
  /** Bytes to ask for: 0 to 4 GB − 4 KiB, as a number or a bigint. */
  totalBytes?: number | bigint;
  /** An audio buffer whose byte size is asked for, instead of `totalBytes`. */
  audio?: AudioBuffer;
}

/**
 * A single `AllocatePagesForMdl` request.
 *
 * @example
 * ```ts
 * const request: PagesRequestInput = { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 };
 * ```
 */
export interface PagesRequestInput extends SizeInput {
  /** Which call. */
  call: "allocatePagesForMdl";
  /** Highest acceptable physical address; `-1n` or all-ones for no limit. */
  highAddress: bigint;
  /** Map the pages with this cache type after allocating them. */
  map?: CacheTypeName;
}

/**
 * A single `AllocateContiguousPagesForMdl` request.
 *
 * @example
 * ```ts
 * const request: ContiguousRequestInput = {
 *   call: "allocateContiguousPagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 65536,
 * };
 * ```
 */
export interface ContiguousRequestInput extends SizeInput {
  /** Which call. */
  call: "allocateContiguousPagesForMdl";
  /** Lowest acceptable physical address; default 0. */
  lowAddress?: bigint;
  /** Highest acceptable physical address; `-1n` or all-ones for no limit. */
  highAddress: bigint;
  /** Map the pages with this cache type after allocating them. */
  map?: CacheTypeName;
}

/**
 * A byte range an allocation's size must lie in.
 *
 * @example
 * ```ts
 * const range: BytesRangeInput = { atLeast: 4096, atMost: 65536 };
 * ```
 */
export interface BytesRangeInput {
  /** The fewest bytes acceptable. */
  atLeast?: number | bigint;
  /** The most bytes acceptable. */
  atMost?: number | bigint;
}

/**
 * What one allocation must return: shared by a case's `expect` and each allocation step's.
 *
 * @example
 * ```ts
 * const expect: AllocationExpectationsInput = { result: "mdl", bytes: "requested", contiguous: true };
 * ```
 */
export interface AllocationExpectationsInput {
  /** An MDL, NULL, or either. */
  result?: "mdl" | "null" | "mdl-or-null";
  /** An exact byte count, the requested size, a partial allocation allowed, or a range. */
  bytes?: number | bigint | "requested" | "partial-allowed" | BytesRangeInput;
  /** The exact number of pages. */
  pages?: number;
  /** Every page at or below HighAddress: checked by default where HighAddress is a limit. */
  withinBound?: boolean;
  /** The pages are physically contiguous. */
  contiguous?: true;
}

/**
 * An allocation step's own expectations; case-level fields are refused on a step.
 *
 * @example
 * ```ts
 * const expect: StepExpectationsInput = { bytes: 4096 };
 * ```
 */
export interface StepExpectationsInput extends AllocationExpectationsInput {
  /** Not on a step: mapping is about `request.map`. */
  mapping?: undefined;
  /** Not on a step: a violation belongs to the case's `expect`. */
  violation?: undefined;
  /** Not on a step: latency belongs to the case's `expect`. */
  latency?: undefined;
}

/**
 * One step of a sequence on named handles.
 *
 * @example
 * ```ts
 * const steps: StepInput[] = [
 *   { call: "allocatePagesForMdl", handle: "buffer", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
 *   { call: "freePagesFromMdl", handle: "buffer" },
 * ];
 * ```
 */
export type StepInput =
  | (SizeInput & {
    call: "allocatePagesForMdl";
    handle: string;
    highAddress: bigint;
    expect?: StepExpectationsInput;
  })
  | (SizeInput & {
    call: "allocateContiguousPagesForMdl";
    handle: string;
    lowAddress?: bigint;
    highAddress: bigint;
    expect?: StepExpectationsInput;
  })
  | { call: "mapAllocatedPages"; handle: string; cacheType: CacheTypeName; expect?: undefined }
  | { call: "unmapAllocatedPages"; handle: string; expect?: undefined }
  | { call: "freePagesFromMdl"; handle: string; expect?: undefined };

/**
 * Fault injection as a case asks for it.
 *
 * @example
 * ```ts
 * const faults: FaultsInput = { failNth: [2] };
 * ```
 */
export interface FaultsInput {
  /** Chance that each allocation fails, 0 to 1. */
  probability?: number;
  /** The allocations (1-based) that fail. */
  failNth?: number[];
  /** Fail each distinct call site once, as Driver Verifier's systematic low resources mode. */
  systematic?: boolean;
}

/**
 * The conditions a case runs under: machine, fragmentation, seed, faults, memory cap.
 *
 * @example
 * ```ts
 * const conditions: ConditionsInput = { machine: "x64-16gib", fragmentation: 0.3, seed: 7 };
 * ```
 */
export interface ConditionsInput {
  /** A machine preset, or `"host"` for this machine's layout. */
  machine?: MachinePresetName | "host";
  /** Share of RAM already in use, 0 to 1. */
  fragmentation?: number;
  /** Mean pages of one run used by others, 1 to 2^20 (the simulator's `fragmentRunPages`). */
  fragmentRunPages?: number;
  /** How fragmentation draws run lengths (the simulator's `fragmentModel`). */
  fragmentModel?: "geometric" | "heavy-tailed";
  /** Seed for fragmentation, placement and faults. */
  seed?: number;
  /** Fault injection. */
  faults?: FaultsInput;
  /** Most bytes the simulated machine lets the case hold, as a number or a bigint. */
  memoryCapBytes?: number | bigint;
}

/**
 * A latency budget on the case's first allocation.
 *
 * @example
 * ```ts
 * const latency: LatencyBudgetInput = { p99Us: 500, repetitions: 200 };
 * ```
 */
export interface LatencyBudgetInput {
  /** Budget for the median, in microseconds. */
  p50Us?: number;
  /** Budget for the 99th percentile, in microseconds. */
  p99Us?: number;
  /** Allocations timed. */
  repetitions: number;
  /** Accepted excess over a budget as a fraction (0.2: 20 %): limit = budget × (1 + tolerance). */
  tolerance?: number;
  /** Confidence of a measured percentile's interval, above 0.5 and below 1; default 0.95. */
  confidence?: number;
  /** Most repetitions re-measuring an inconclusive measured budget may reach. */
  maxRepetitions?: number;
}

/**
 * A case's expectations.
 *
 * @example
 * ```ts
 * const expect: ExpectationsInput = { result: "mdl", mapping: "required" };
 * ```
 */
export interface ExpectationsInput extends AllocationExpectationsInput {
  /** Whether mapping the pages must succeed. */
  mapping?: "required" | "may-fail";
  /** The Driver Verifier rule the sequence must break. */
  violation?: ViolationRuleId;
  /** Latency budgets. */
  latency?: LatencyBudgetInput;
}

/**
 * A case as written in a suite file: one `request`, or `steps` on named handles.
 *
 * @example
 * ```ts
 * const testCase: CaseInput = {
 *   name: "10 ms at 48 kHz",
 *   request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
 *   expect: { result: "mdl" },
 * };
 * ```
 */
export interface CaseInput {
  /** The case's name, unique in its suite. */
  name: string;
  /** What it shows. */
  description?: string;
  /** Skip the case (`true` or a reason), as `Deno.test`'s `ignore`. */
  skip?: true | string;
  /** Still to do (`true` or what): shown as ignored with "todo". */
  todo?: true | string;
  /** Run only the cases marked so, as `Deno.test`'s `only`. */
  only?: true;
  /** The backends the case runs on; all when absent. */
  backends?: ("simulator" | "hardware")[];
  /** Conditions for this case, over the suite's. */
  conditions?: ConditionsInput;
  /** A single request. */
  request?: PagesRequestInput | ContiguousRequestInput;
  /** A sequence of steps. */
  steps?: StepInput[];
  /** What the case expects. */
  expect?: ExpectationsInput;
}

/**
 * A suite as written in a suite file.
 *
 * @example
 * ```ts
 * const suite: SuiteInput = { name: "mine", cases: [] };
 * ```
 */
export interface SuiteInput {
  /** The suite's name. */
  name: string;
  /** What it covers. */
  description?: string;
  /** Conditions shared by its cases. */
  conditions?: ConditionsInput;
  /** Its cases, in order. */
  readonly cases: readonly CaseInput[];
}
