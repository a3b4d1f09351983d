/**
 * The resolved suite model: what `defineSuite` produces from a suite as written (sizes in bytes,
 * addresses as bigint, cache types as numbers) and what the runners, the cross-check and the
 * reports read. Types only, so that `defineSuite` and `combineExpectations` both build on it.
 *
 * @module
 */

import type { CacheType } from "../core/constants.ts";
import type { MachinePresetName } from "../core/machine.ts";
import type { ViolationRuleId } from "../core/violations.ts";

/**
 * The two allocators of `IPortWaveRTStream`.
 *
 * @example
 * ```ts
 * const call: AllocatorName = "allocateContiguousPagesForMdl";
 * ```
 */
export type AllocatorName = "allocatePagesForMdl" | "allocateContiguousPagesForMdl";

/**
 * One allocation call with its size worked out.
 *
 * @example
 * ```ts
 * const allocation: Allocation = {
 *   call: "allocatePagesForMdl",
 *   lowAddress: 0n,
 *   highAddress: 0xFFFFFFFFn,
 *   totalBytes: 1920,
 *   sizeLabel: "48 kHz 2 ch 16-bit 10 ms",
 * };
 * ```
 */
export interface Allocation {
  /** Which allocator the step calls. */
  readonly call: AllocatorName;
  /** Lowest acceptable physical address; 0 for `allocatePagesForMdl`, which takes none. */
  readonly lowAddress: bigint;
  /** Highest acceptable physical address (inclusive); "no limit" (`-1n` or all-ones as written)
   * is `NO_LIMIT`. */
  readonly highAddress: bigint;
  /** Bytes requested. */
  readonly totalBytes: number;
  /** How the suite gave the size, e.g. "48 kHz 2 ch 16-bit 10 ms" or "4 MiB". */
  readonly sizeLabel: string;
}

/**
 * One step of a resolved case; a single request becomes allocate, map, unmap, free. An allocation
 * step carries what its allocation must return: the case's and the step's own `expect` combined
 * (see `combineExpectations`).
 *
 * @example
 * ```ts
 * const free: Step = { call: "freePagesFromMdl", handle: "buffer" };
 * ```
 */
export type Step =
  | {
    readonly call: AllocatorName;
    readonly handle: string;
    readonly allocation: Allocation;
    readonly expect: AllocationExpectations;
  }
  | { readonly call: "mapAllocatedPages"; readonly handle: string; readonly cacheType: CacheType }
  | { readonly call: "unmapAllocatedPages"; readonly handle: string }
  | { readonly call: "freePagesFromMdl"; readonly handle: string };

/**
 * Where a case runs: the simulator's machine and what is injected into it.
 *
 * @example
 * ```ts
 * const underPressure: Conditions = { machine: "x64-4gib", fragmentation: 0.5, seed: 7 };
 * ```
 */
export interface Conditions {
  /** The simulator's machine: a preset, or `"host"` for this machine's own RAM layout. */
  readonly machine: MachinePresetName | "host";
  /** Fraction (0–1) of the simulator's RAM already used by the rest of the system. */
  readonly fragmentation: number;
  /** Mean pages of one used run (the simulator's `fragmentRunPages`); absent for its default. */
  readonly fragmentRunPages?: number;
  /** How run lengths are drawn (the simulator's `fragmentModel`); absent for its default. */
  readonly fragmentModel?: "geometric" | "heavy-tailed";
  /** Fixed by the case or suite; otherwise the runner's seed applies. */
  readonly seed?: number;
  /** Injected faults, as in the simulator's `FaultOptions`; absent for none. */
  readonly faults?: {
    readonly probability?: number;
    readonly failNth?: readonly number[];
    readonly systematic?: boolean;
  };
  /** Most bytes the case's live MDLs may hold together; beyond it results are partial. */
  readonly memoryCapBytes?: bigint;
}

/**
 * What a byte count must be, relative to each allocation's request where symbolic.
 *
 * @example
 * ```ts
 * const halfOrMore: BytesExpectation = { atLeast: 960 };
 * ```
 */
export type BytesExpectation =
  | number
  | "requested"
  | "partial-allowed"
  | { readonly atLeast?: number; readonly atMost?: number };

/**
 * What one allocation must return, resolved.
 *
 * @example
 * ```ts
 * const cyclicBuffer: AllocationExpectations = {
 *   result: "mdl",
 *   bytes: "requested",
 *   pages: 1,
 *   withinBound: true,
 * };
 * ```
 */
export interface AllocationExpectations {
  /** Whether the call must return an MDL, must return NULL, or may do either. */
  readonly result: "mdl" | "null" | "mdl-or-null";
  /** Absent when the result must be NULL. */
  readonly bytes?: BytesExpectation;
  /** Exact number of pages the MDL must hold; absent when any number will do. */
  readonly pages?: number;
  /**
   * Whether every page must lie at or below HighAddress (and at or above LowAddress): true unless
   * the suite wrote `withinBound: false`. A HighAddress of "no limit" has nothing to check.
   */
  readonly withinBound: boolean;
  /** The pages must be physically contiguous; absent when unchecked. */
  readonly contiguous?: true;
}

/**
 * A case's resolved expectations. The allocation-shaped ones are the case's as written, with their
 * defaults; each allocation step's `expect` (on {@linkcode Step}) is what is checked, since a step
 * may override them. Mapping, violation and latency are about the whole case.
 *
 * @example
 * ```ts
 * const expect: Expectations = {
 *   result: "mdl",
 *   bytes: "requested",
 *   withinBound: true,
 *   mapping: "required",
 * };
 * ```
 */
export interface Expectations extends AllocationExpectations {
  /** Whether the request's mapping must succeed or may return NULL. */
  readonly mapping: "required" | "may-fail";
  /** The rule a step must break, or undefined when no violation may occur. */
  readonly violation?: ViolationRuleId;
  /** Budgets in µs for the median and 99th percentile of the first allocation's duration. */
  readonly latency?: LatencyExpectation;
}

/**
 * Latency budgets, resolved. Modeled latencies are judged by their percentile; measured ones by
 * the percentile's confidence interval (`stats/budget_verdict.ts`), re-measured up to
 * `maxRepetitions` while it is inconclusive.
 *
 * @example
 * ```ts
 * const budget: LatencyExpectation = { p99Us: 500, tolerance: 0.2, confidence: 0.95 };
 * ```
 */
export interface LatencyExpectation {
  /** Budget of the median in µs. */
  readonly p50Us?: number;
  /** Budget of the 99th percentile in µs. */
  readonly p99Us?: number;
  /** Accepted excess over a budget, as a fraction: the limit is budget × (1 + tolerance). */
  readonly tolerance: number;
  /** Confidence of a measured percentile's interval. */
  readonly confidence: number;
  /** Most repetitions re-measuring may reach; absent for the default (see `latency_budget.ts`). */
  readonly maxRepetitions?: number;
}

/**
 * A validated, resolved case.
 *
 * @example
 * ```ts
 * import { defineSuite } from "./define_suite.ts";
 * const [first]: readonly SuiteCase[] = defineSuite({
 *   name: "Formats",
 *   cases: [{
 *     name: "one page",
 *     request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
 *   }],
 * }).cases;
 * first.steps.length; // 2: allocate, free
 * ```
 */
export interface SuiteCase {
  /** Name of the suite the case belongs to. */
  readonly suite: string;
  /** The case's name, unique in its suite; its `Deno.test` is named after it. */
  readonly name: string;
  /** What the case checks and why, as written; absent when not given. */
  readonly description?: string;
  /** "request" for a single call (plus its map/unmap/free), "sequence" for explicit steps. */
  readonly kind: "request" | "sequence";
  /** Where the case runs: the suite's conditions with the case's over them. */
  readonly conditions: Conditions;
  /** The calls to make, in order; a request is expanded to allocate, map, unmap, free. */
  readonly steps: readonly Step[];
  /** What the case must produce, with defaults filled in. */
  readonly expect: Expectations;
  /** How often the whole case runs; latency percentiles are taken over these. */
  readonly repetitions: number;
  /** Why the case is skipped (`skip` as written; "skipped" for `true`); absent when it runs. */
  readonly skip?: string;
  /** What is still to do (`todo` as written; "todo" for `true`): shown as ignored, never run. */
  readonly todo?: string;
  /** Run only the cases marked so, as `Deno.test`'s `only`. */
  readonly only?: true;
  /** The backends the case runs on; absent for every backend of the run. */
  readonly backends?: readonly ("simulator" | "hardware")[];
}

/**
 * A validated, resolved suite, ready for `registerSuite` or the CLI; only `defineSuite` makes one.
 *
 * @example
 * ```ts
 * import { defineSuite } from "./define_suite.ts";
 * const suite: Suite = defineSuite({
 *   name: "Formats",
 *   cases: [{
 *     name: "one page",
 *     request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
 *   }],
 * });
 * ```
 */
export interface Suite {
  /** The suite's name, shown before each case's name in tests and reports. */
  readonly name: string;
  /** What the suite covers, as written; absent when not given. */
  readonly description?: string;
  /** The cases, in the order written. */
  readonly cases: readonly SuiteCase[];
}
