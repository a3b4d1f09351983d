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
  readonly call: AllocatorName;
  readonly lowAddress: bigint;
  /** As passed to the backend; "no limit" (`-1n` or all-ones as written) is `NO_LIMIT`. */
  readonly highAddress: bigint;
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
  readonly machine: MachinePresetName | "host";
  readonly fragmentation: number;
  /** Fixed by the case or suite; otherwise the runner's seed applies. */
  readonly seed?: number;
  readonly faults?: {
    readonly probability?: number;
    readonly failNth?: readonly number[];
    readonly systematic?: boolean;
  };
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
  readonly result: "mdl" | "null" | "mdl-or-null";
  /** Absent when the result must be NULL. */
  readonly bytes?: BytesExpectation;
  readonly pages?: number;
  /**
   * Whether every page must lie at or below HighAddress (and at or above LowAddress): true unless
   * the suite wrote `withinBound: false`. A HighAddress of "no limit" has nothing to check.
   */
  readonly withinBound: boolean;
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
  readonly mapping: "required" | "may-fail";
  /** The rule a step must break, or undefined when no violation may occur. */
  readonly violation?: ViolationRuleId;
  readonly latency?: { readonly p50Us?: number; readonly p99Us?: number };
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
  readonly suite: string;
  readonly name: string;
  readonly description?: string;
  /** "request" for a single call (plus its map/unmap/free), "sequence" for explicit steps. */
  readonly kind: "request" | "sequence";
  readonly conditions: Conditions;
  readonly steps: readonly Step[];
  readonly expect: Expectations;
  /** How often the whole case runs; latency percentiles are taken over these. */
  readonly repetitions: number;
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
  readonly name: string;
  readonly description?: string;
  readonly cases: readonly SuiteCase[];
}
