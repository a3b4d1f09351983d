/**
 * What running a case produces, per backend and across backends: the data behind the `deno test`
 * steps, the CLI tables, the JSON file and the HTML report.
 *
 * @module
 */

import type { MachineLayout } from "../core/machine.ts";
import type { AllocatorName } from "./suite_model.ts";
import { percentile } from "../stats/latency.ts";
import type { PageExtent, PageRun } from "./page_runs.ts";
import type { DriverSuiteReport } from "./driver_results.ts";
import type { LatencyJudgement } from "./latency_budget.ts";

/** One allocation call as it came out, from a case's first repetition. */
export interface AllocationRecord {
  /** Position of the allocating step in the case's steps, from 1; a single request's is 1. */
  readonly step: number;
  /** The step's name for the MDL, which later steps map, unmap and free by. */
  readonly handle: string;
  /** Which allocator was called. */
  readonly call: AllocatorName;
  /** How the suite gave the size, e.g. "48 kHz 2 ch 16-bit 10 ms" or "4 MiB". */
  readonly sizeLabel: string;
  /** Bytes requested. */
  readonly totalBytes: number;
  /** LowAddress passed (0 for `allocatePagesForMdl`). */
  readonly lowAddress: bigint;
  /** HighAddress passed (inclusive). */
  readonly highAddress: bigint;
  /** `Mdl.byteCount`, or null when the call returned NULL. */
  readonly byteCount: number | null;
  /** `GetPhysicalPagesCount`; 0 for NULL. */
  readonly pages: number;
  /** Runs of contiguous frames; null when the backend cannot read frame numbers. */
  readonly runs: readonly PageRun[] | null;
  /** Lowest and highest address and pages beyond the bounds; null like `runs`. */
  readonly extent: PageExtent | null;
  /** How the HighAddress bound was treated; null when the call returned NULL. */
  readonly bound: BoundCheck | null;
  /** The error the call threw, when it threw instead of returning (`byteCount` is then null). */
  readonly error?: string;
}

/**
 * How an allocation's bound was treated, as results, tables, JSON and the report show it:
 *
 * - `"checked"`: the backend guarantees the bound and every page was compared with it;
 * - `"observed"`: the backend cannot enforce it (Linux user pages): every page was compared and
 *   the count recorded, which is never a pass ("observed: 5 of 5 pages above the bound");
 * - `"unverifiable"`: no frame numbers, so nothing could be compared (`reason` says why);
 * - `"opted-out"`: the suite wrote `withinBound: false`;
 * - `"no-limit"`: HighAddress is all-ones or `-1n`, so there is nothing to check.
 *
 * @example
 * ```ts
 * const bound: BoundCheck = {
 *   check: "observed",
 *   highAddress: "0xFFFFFFFF",
 *   pages: 5,
 *   pagesOutside: 5,
 *   reason: "Linux offers no physical address limit for user memory",
 * };
 * ```
 */
export interface BoundCheck {
  /** How the bound was treated; see {@linkcode BoundCheck}. */
  readonly check: "checked" | "observed" | "unverifiable" | "opted-out" | "no-limit";
  /** HighAddress as printed: "0xFFFFFFFF", or "no limit". */
  readonly highAddress: string;
  /** Pages of the allocation. */
  readonly pages: number;
  /** Pages outside [LowAddress, HighAddress]; null where they were not compared. */
  readonly pagesOutside: number | null;
  /** Why the backend cannot enforce or compare the bound (`"observed"`, `"unverifiable"`). */
  readonly reason?: string;
}

/**
 * Verdict of one step: ignored carries its reason and is never counted as passed; `"observed"`
 * (backend runs only) is a run whose expectations held but whose HighAddress bound the backend
 * cannot enforce, so the pages above it were counted and reported instead of passed;
 * `"inconclusive"` (backend runs only) is a run whose other expectations held but whose measured
 * latency budget could not be decided: its confidence interval straddles the budget, or too few
 * samples estimate the percentile. It is neither passed nor failed.
 */
export type Verdict = "passed" | "failed" | "ignored" | "observed" | "inconclusive";

/**
 * One case on one backend.
 *
 * @example
 * ```ts
 * const run: BackendRun = ignoredRun("hardware", "the helper is not built");
 * if (run.status === "ignored") console.log(`${run.backend}: ${run.reason}`);
 * // "hardware: the helper is not built"
 * ```
 */
export interface BackendRun {
  /** What tables call it: "simulator" or "hardware". */
  readonly backend: string;
  /** `Backend.name` of what ran, e.g. "linux-host"; the same as `backend` when ignored. */
  readonly implementation: string;
  /** Whether the case passed, failed or was not run on this backend. */
  readonly status: Verdict;
  /** Why the backend did not run the case (status "ignored"). */
  readonly reason?: string;
  /**
   * Broken expectations and invariants, each with how many repetitions broke it. A run with none
   * is `"passed"`, or `"observed"` when a bound was only observed (see {@linkcode BoundCheck}).
   */
  readonly failures: readonly string[];
  /** Facts worth reading that are not failures, e.g. a measured budget reported only. */
  readonly notes: readonly string[];
  /** Expectations this backend cannot check, each shown as ignored with its reason. */
  readonly unchecked: readonly UncheckedExpectation[];
  /** Every allocation call of the first repetition, in step order. */
  readonly allocations: readonly AllocationRecord[];
  /** The `DriverViolation` rule raised in the first repetition, if any. */
  readonly violation: string | null;
  /** Duration of the case's first allocation call in each repetition. */
  readonly latencyNs: readonly number[];
  /** Each latency budget's verdict with its evidence; absent or empty without budgets. */
  readonly latencyBudgets?: readonly LatencyJudgement[];
  /** Whether `latencyNs` is modeled or measured; null when no backend was opened. */
  readonly timingSource: "modeled" | "measured" | null;
  /** The physical memory the pages came from, for the memory map; null when unknown. */
  readonly machine: MachineLayout | null;
  /** The backend's bytes per page; null when no backend was opened. */
  readonly pageSize: number | null;
  /** Capabilities the backend claims (`frameNumbers`, `highAddressEnforced`, ...). */
  readonly claims: readonly ClaimableCapability[];
  /**
   * Memory the rest of the system occupied while the case ran (the simulator's fragmentation),
   * in the memory map's windows; null or absent where the backend cannot tell (hardware).
   */
  readonly preOccupied?: PreOccupied | null;
}

/**
 * Pre-occupied memory: how many pages, and per map window the occupied share of each bin.
 *
 * @example
 * ```ts
 * const none: PreOccupied = { pages: 0, strips: [] };
 * ```
 */
export interface PreOccupied {
  /** Pages occupied by the rest of the system on the whole machine. */
  readonly pages: number;
  /** The overview window, then the zoom window when the map draws one. */
  readonly strips: readonly OccupancyStrip[];
}

/**
 * One window split into equal bins, each with the share (0–1, two decimals) of its RAM pages that
 * was occupied, or -1 for a bin without RAM.
 *
 * @example
 * ```ts
 * const strip: OccupancyStrip = { from: 0n, to: 1n << 30n, bins: [0.95, -1], sampled: true };
 * ```
 */
export interface OccupancyStrip {
  /** First byte of the window. */
  readonly from: bigint;
  /** End of the window (exclusive). */
  readonly to: bigint;
  /** Occupied share of each equal bin, from `from` up; -1 for a bin without RAM. */
  readonly bins: readonly number[];
  /** True when some bin's share comes from evenly spaced samples rather than every page. */
  readonly sampled: boolean;
}

/** An expectation a backend's capabilities do not let it check. */
export interface UncheckedExpectation {
  /** The expectation left unchecked. */
  readonly expectation: "withinBound" | "contiguous";
  /** Why the backend cannot check it, from its capabilities. */
  readonly reason: string;
}

/** Capabilities a cross-check relies on. */
export type ClaimableCapability =
  | "frameNumbers"
  | "highAddressEnforced"
  | "contiguous"
  | "cacheTypes"
  | "misuseDetection";

/** A field on which backends disagree, with each backend's value. */
export interface Divergence {
  /** What differs, e.g. `buffer.byteCount` or `violation`. */
  readonly field: string;
  /** The rule the difference breaks, e.g. "sizes must agree". */
  readonly rule: string;
  /** Each backend's value, keyed by backend name. */
  readonly values: Readonly<Record<string, string>>;
}

/** The cross-check of one case across the backends that ran it. */
export interface CrossCheck {
  /** Failed when any divergence was found; ignored unless two backends ran the case. */
  readonly status: Verdict;
  /** Why the cross-check was ignored (status "ignored"). */
  readonly reason?: string;
  /** Every field on which the backends disagree; empty when they agree. */
  readonly divergences: readonly Divergence[];
  /** What was not compared and why, e.g. latency without a calibrated cost model. */
  readonly notes: readonly string[];
}

/** One case across all backends. */
export interface CaseReport {
  /** Name of the case's suite. */
  readonly suite: string;
  /** Name of the case. */
  readonly case: string;
  /** The case on each backend, in the order of the run's providers. */
  readonly runs: readonly BackendRun[];
  /** The comparison of those runs. */
  readonly crossCheck: CrossCheck;
}

/** A whole run of the CLI. */
export interface RunReport {
  /** Seed of the cases whose conditions fix none. */
  readonly seed: number;
  /** ISO 8601 time stamp; `runSuites` takes it once every case has run, despite the name. */
  readonly startedAt: string;
  /** Names of the run's providers that are `backendNames` ("simulator", "hardware"), in order. */
  readonly backends: readonly string[];
  /** Each suite run, by name, with its cases in order. */
  readonly suites: readonly {
    readonly name: string;
    readonly cases: readonly CaseReport[];
    /** The seeds its cases ran with (their own, else the run's), ascending; absent in old files. */
    readonly seeds?: readonly number[];
  }[];
  /** Driver-under-test suites run with the simulator (`suites/driver_provider.ts`), if any. */
  readonly drivers?: readonly DriverSuiteReport[];
}

/** The figures a table row shows for one case on one backend. */
export interface RunSummary {
  /** Bytes of all allocations of the first repetition; null when every call returned NULL. */
  readonly bytes: number | null;
  /** Pages of all allocations of the first repetition. */
  readonly pages: number;
  /** Contiguous runs over all allocations; null without frame numbers. */
  readonly runs: number | null;
  /** Highest physical address of any page; null without frame numbers. */
  readonly highestAddress: bigint | null;
  /** Lowest physical address of any page; null without frame numbers. */
  readonly lowestAddress: bigint | null;
  /** Pages whose base lies above the case's HighAddress; null where it cannot be read. */
  readonly pagesBeyondBound: number | null;
  /** Median latency of the timed allocations in nanoseconds; null without samples. */
  readonly p50Ns: number | null;
  /** 99th percentile latency in nanoseconds; null without samples. */
  readonly p99Ns: number | null;
  /** The first error an allocation threw, shown instead of "NULL"; null when none threw. */
  readonly error: string | null;
}

/**
 * Totals of a backend run for tables and cross-checks.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "./backends.ts";
 * import { commonFormats } from "./bundled.ts";
 * const run = await simulatorProvider.run(commonFormats.cases[0], { seed: 1 });
 * const { bytes, pages, p99Ns } = summarizeRun(run); // bytes 4096, pages 1
 * ```
 */
export function summarizeRun(run: BackendRun): RunSummary {
  const made = run.allocations.filter((a) => a.byteCount !== null);
  const withFrames = made.every((a) => a.runs !== null);
  const extents = made.map((a) => a.extent).filter((e): e is PageExtent => e !== null);
  return {
    bytes: made.length === 0 ? null : made.reduce((sum, a) => sum + (a.byteCount ?? 0), 0),
    pages: made.reduce((sum, a) => sum + a.pages, 0),
    runs: withFrames ? made.reduce((sum, a) => sum + (a.runs?.length ?? 0), 0) : null,
    highestAddress: extents.length === 0
      ? null
      : extents.reduce((max, e) => e.highestAddress > max ? e.highestAddress : max, 0n),
    lowestAddress: extents.length === 0
      ? null
      : extents.reduce((min, e) => e.lowestAddress < min ? e.lowestAddress : min, 1n << 64n),
    pagesBeyondBound: withFrames ? extents.reduce((sum, e) => sum + e.pagesBeyondBound, 0) : null,
    p50Ns: percentile(run.latencyNs, 50),
    p99Ns: percentile(run.latencyNs, 99),
    error: run.allocations.find((a) => a.error !== undefined)?.error ?? null,
  };
}

/**
 * What a run that checked nothing holds: no failures, notes, unchecked expectations,
 * allocations, violation or latencies.
 *
 * @example
 * ```ts
 * nothingChecked().allocations.length; // 0
 * ```
 */
export function nothingChecked(): Pick<
  BackendRun,
  "failures" | "notes" | "unchecked" | "allocations" | "violation" | "latencyNs"
> {
  return {
    failures: [],
    notes: [],
    unchecked: [],
    allocations: [],
    violation: null,
    latencyNs: [],
  };
}

/**
 * A run that did not happen, with the reason shown wherever the run would have been.
 *
 * @example
 * ```ts
 * ignoredRun("hardware", "hardware backend unavailable: ffi/host_backend.ts not found");
 * ```
 */
export function ignoredRun(backend: string, reason: string): BackendRun {
  return {
    backend,
    implementation: backend,
    status: "ignored",
    reason,
    ...nothingChecked(),
    timingSource: null,
    machine: null,
    pageSize: null,
    claims: [],
    preOccupied: null,
  };
}

/**
 * A run that broke down before it could check anything, e.g. a crashed hardware child process.
 *
 * @example
 * ```ts
 * failedRun("hardware", "the isolated hardware case failed: killed by SIGSEGV");
 * ```
 */
export function failedRun(backend: string, failure: string): BackendRun {
  return { ...ignoredRun(backend, ""), reason: undefined, status: "failed", failures: [failure] };
}
