/**
 * Runs one resolved case on one open backend: every repetition calls the steps, checks each
 * allocation against its step's expectations and the invariants the backend's capabilities claim,
 * and frees every page on every path, also when a step throws.
 *
 * @module
 */

import type { Backend, BackendCapabilities, Mdl, WaveRtStream } from "../core/backend.ts";
import type { MachineLayout } from "../core/machine.ts";
import { DriverViolation } from "../core/violations.ts";
import type {
  Allocation,
  AllocationExpectations,
  Expectations,
  Step,
  SuiteCase,
} from "./define_suite.ts";
import { percentile } from "../stats/latency.ts";
import { boundCheck, boundNote } from "./bound_check.ts";
import { measurePreOccupied } from "./occupancy.ts";
import { pageExtent, pageRuns } from "./page_runs.ts";
import type {
  AllocationRecord,
  BackendRun,
  ClaimableCapability,
  UncheckedExpectation,
} from "./results.ts";

const claimableCapabilities: readonly ClaimableCapability[] = [
  "frameNumbers",
  "highAddressEnforced",
  "contiguous",
  "cacheTypes",
  "misuseDetection",
];

/**
 * A backend opened for one case, with what the runner can learn about it beyond `Backend`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const opened: OpenedBackend = { name: "simulator", backend: sim, machine: sim.machine };
 * ```
 */
export interface OpenedBackend {
  /** The name tables show, e.g. "hardware" for the `linux-host` backend. */
  readonly name: string;
  readonly backend: Backend;
  /** The physical memory pages come from, when known. */
  readonly machine: MachineLayout | null;
}

/** Options of {@linkcode runCase}. */
export interface RunCaseOptions {
  /**
   * `"enforce"` (default): a measured latency over its budget fails the case. `"report"`: it is
   * noted only, for runs on shared machines such as CI, where wall-clock time is not the driver's.
   * Modeled latencies are deterministic and always enforced.
   */
  readonly measuredLatencyBudgets?: "enforce" | "report";
}

interface Handle {
  readonly mdl: Mdl;
  /** Every base address a map returned and no unmap took back yet. */
  readonly mappings: bigint[];
  /** The last map returned NULL: a careful driver then skips the unmap. */
  mapFailed: boolean;
}

interface Repetition {
  readonly records: AllocationRecord[];
  /** What each record's step expects, index for index. */
  readonly expected: AllocationExpectations[];
  readonly violation: DriverViolation | null;
  readonly latencyNs: number | null;
  readonly failures: string[];
  /** Steps whose mapAllocatedPages returned NULL, as "step N (handle)". */
  readonly nullMappings: string[];
}

/**
 * Runs `testCase` on `opened` for `testCase.repetitions` repetitions. Never throws for a broken
 * expectation: failures are listed in the result.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * import { commonFormats } from "./bundled.ts";
 * using sim = new Simulator({ seed: 1 });
 * const opened = { name: "simulator", backend: sim, machine: sim.machine };
 * const run = runCase(opened, commonFormats.cases[0]);
 * run.status; // "passed"
 * ```
 */
export function runCase(
  opened: OpenedBackend,
  testCase: SuiteCase,
  options: RunCaseOptions = {},
): BackendRun {
  const { backend } = opened;
  const caps = backend.capabilities;
  const base = {
    backend: opened.name,
    implementation: backend.name,
    timingSource: caps.timing.source,
    machine: opened.machine,
    pageSize: backend.pageSize,
    claims: claimableCapabilities.filter((name) => caps[name].available),
  };
  if (testCase.expect.violation !== undefined && !caps.misuseDetection.available) {
    return {
      ...base,
      status: "ignored",
      reason: `expects DriverViolation "${testCase.expect.violation}" but misuse detection is ` +
        `unavailable: ${caps.misuseDetection.reason}`,
      failures: [],
      notes: [],
      unchecked: [],
      allocations: [],
      violation: null,
      latencyNs: [],
    };
  }

  const stream = backend.stream();
  const tally = new Map<string, number>();
  const notes = new Set<string>();
  const unchecked = new Map<string, UncheckedExpectation>();
  const latencyNs: number[] = [];
  let observed = false;
  let first: Repetition | undefined;
  for (let i = 0; i < testCase.repetitions; i++) {
    const repetition = runOnce(stream, testCase.steps, opened);
    first ??= repetition;
    if (repetition.latencyNs !== null) latencyNs.push(repetition.latencyNs);
    const failures = [
      ...repetition.failures,
      ...checkViolation(testCase.expect, repetition.violation),
    ];
    if (testCase.expect.mapping === "required") {
      for (const where of repetition.nullMappings) {
        failures.push(
          `${where}: mapAllocatedPages returned NULL, and expect.mapping is "required" ` +
            `(say "may-fail" where the driver copes with a failed mapping)`,
        );
      }
    }
    repetition.records.forEach((record, index) => {
      const what = allocationLabel(record, testCase.kind);
      const expect = repetition.expected[index];
      failures.push(...checkAllocation(record, what, expect, backend, unchecked));
      if (record.bound?.check === "observed") observed = true;
    });
    for (const failure of new Set(failures)) tally.set(failure, (tally.get(failure) ?? 0) + 1);
  }

  const failures = [...tally].map(([failure, count]) =>
    testCase.repetitions === 1
      ? failure
      : `${failure} (in ${count} of ${testCase.repetitions} repetitions)`
  );
  const overBudget = checkLatency(testCase, latencyNs, caps.timing.source);
  if (caps.timing.source === "measured" && options.measuredLatencyBudgets === "report") {
    for (const excess of overBudget) notes.add(`${excess} (measured budgets are reported only)`);
  } else {
    failures.push(...overBudget);
  }
  for (const record of first?.records ?? []) {
    const note = boundNote(record, allocationLabel(record, testCase.kind));
    if (note !== null) notes.add(note);
  }
  return {
    ...base,
    // A bound the backend could only observe is never reported as passed.
    status: failures.length > 0 ? "failed" : observed ? "observed" : "passed",
    failures,
    notes: [...notes],
    unchecked: [...unchecked.values()],
    allocations: first?.records ?? [],
    violation: first?.violation?.rule ?? null,
    latencyNs,
    // After the run every page of the case is free again: what is occupied now was before.
    preOccupied: measurePreOccupied(backend, opened.machine, first?.records ?? []),
  };
}

function runOnce(stream: WaveRtStream, steps: readonly Step[], opened: OpenedBackend): Repetition {
  const live = new Map<string, Handle>();
  // Freed MDLs stay reachable by name so that misuse after free reaches the backend's own checks.
  const freed = new Map<string, Mdl>();
  const records: AllocationRecord[] = [];
  const expected: AllocationExpectations[] = [];
  const failures: string[] = [];
  const nullMappings: string[] = [];
  let violation: DriverViolation | null = null;
  let latencyNs: number | null = null;
  try {
    for (const [index, step] of steps.entries()) {
      try {
        if ("allocation" in step) {
          const mdl = allocate(stream, step.allocation);
          latencyNs ??= stream.lastCall?.durationNs ?? null;
          const pageSize = opened.backend.pageSize;
          records.push(
            record(stream, index + 1, step, mdl, pageSize, opened.backend.capabilities),
          );
          expected.push(step.expect);
          if (mdl !== null) live.set(step.handle, { mdl, mappings: [], mapFailed: false });
        } else if (callOnHandle(stream, step, live, freed) === "map-null") {
          nullMappings.push(`step ${index + 1} ("${step.handle}")`);
        }
      } catch (error) {
        if (error instanceof DriverViolation) throw error;
        failures.push(`step ${index + 1} (${step.call} "${step.handle}") threw: ${message(error)}`);
        return { records, expected, violation, latencyNs, failures, nullMappings };
      }
    }
    if (live.size > 0) opened.backend.assertNoLeaks();
  } catch (error) {
    if (!(error instanceof DriverViolation)) throw error;
    violation = error;
  } finally {
    failures.push(...release(stream, live));
    const left = opened.backend.leaks().length;
    if (left > 0) failures.push(`the runner left ${left} MDL(s) allocated after cleanup`);
  }
  return { records, expected, violation, latencyNs, failures, nullMappings };
}

function allocate(stream: WaveRtStream, allocation: Allocation): Mdl | null {
  return allocation.call === "allocatePagesForMdl"
    ? stream.allocatePagesForMdl(allocation.highAddress, allocation.totalBytes)
    : stream.allocateContiguousPagesForMdl(
      allocation.lowAddress,
      allocation.highAddress,
      allocation.totalBytes,
    );
}

/**
 * Map, unmap or free by handle; a handle whose allocation returned NULL is skipped. Says
 * `"map-null"` when a map returned NULL.
 */
function callOnHandle(
  stream: WaveRtStream,
  step: Exclude<Step, { allocation: Allocation }>,
  live: Map<string, Handle>,
  freed: Map<string, Mdl>,
): "map-null" | undefined {
  const handle = live.get(step.handle);
  const stale = freed.get(step.handle);
  if (handle === undefined && stale === undefined) return;
  const mdl = handle?.mdl ?? stale!;
  switch (step.call) {
    case "mapAllocatedPages": {
      const va = stream.mapAllocatedPages(mdl, step.cacheType);
      if (handle === undefined) return;
      handle.mapFailed = va === null;
      if (va === null) return "map-null";
      handle.mappings.push(va);
      return;
    }
    case "unmapAllocatedPages": {
      if (handle?.mapFailed) return;
      // Unmapping something never mapped passes 0: the backend's misuse check must catch it.
      const va = handle?.mappings.pop() ?? 0n;
      stream.unmapAllocatedPages(va, mdl);
      return;
    }
    case "freePagesFromMdl":
      stream.freePagesFromMdl(mdl);
      live.delete(step.handle);
      freed.set(step.handle, mdl);
      return;
  }
}

/** Unmaps and frees whatever a repetition left, whatever happened before. */
function release(stream: WaveRtStream, live: Map<string, Handle>): string[] {
  const problems: string[] = [];
  for (const [name, handle] of live) {
    try {
      for (const va of handle.mappings.splice(0)) stream.unmapAllocatedPages(va, handle.mdl);
      stream.freePagesFromMdl(handle.mdl);
    } catch (error) {
      problems.push(`cleanup of "${name}" failed: ${message(error)}`);
    }
  }
  live.clear();
  return problems;
}

function record(
  stream: WaveRtStream,
  step: number,
  allocating: Extract<Step, { allocation: Allocation }>,
  mdl: Mdl | null,
  pageSize: number,
  caps: BackendCapabilities,
): AllocationRecord {
  const { allocation, handle } = allocating;
  const runs = mdl === null ? [] : pageRuns(mdl.pfns);
  // A backend that cannot read frame numbers reports zeros (core/backend.ts).
  const hasFrames = mdl === null || Array.from(mdl.pfns).some((pfn) => pfn !== 0);
  const extent = hasFrames
    ? pageExtent(runs, pageSize, allocation.lowAddress, allocation.highAddress)
    : null;
  const pages = mdl === null ? 0 : stream.getPhysicalPagesCount(mdl);
  return {
    step,
    handle,
    call: allocation.call,
    sizeLabel: allocation.sizeLabel,
    totalBytes: allocation.totalBytes,
    lowAddress: allocation.lowAddress,
    highAddress: allocation.highAddress,
    byteCount: mdl?.byteCount ?? null,
    pages,
    runs: hasFrames ? runs : null,
    extent,
    bound: mdl === null
      ? null
      : boundCheck(allocation, allocating.expect, pages, extent, hasFrames, caps),
  };
}

function checkViolation(expect: Expectations, violation: DriverViolation | null): string[] {
  if (expect.violation === undefined) {
    return violation === null ? [] : [`unexpected DriverViolation: ${violation.message}`];
  }
  if (violation === null) {
    return [`expected DriverViolation "${expect.violation}", none was raised`];
  }
  if (violation.rule !== expect.violation) {
    return [`expected DriverViolation "${expect.violation}", got: ${violation.message}`];
  }
  return [];
}

/**
 * How failures name an allocation: by its step in a sequence, where a step has its own
 * expectations, and by the call with its size for a single request.
 */
function allocationLabel(record: AllocationRecord, kind: SuiteCase["kind"]): string {
  return kind === "sequence"
    ? `step ${record.step} (${record.call} "${record.handle}")`
    : `${record.call}("${record.handle}", ${record.sizeLabel})`;
}

/** Expectations plus the invariants the backend claims; `unchecked` collects what it cannot check. */
function checkAllocation(
  record: AllocationRecord,
  what: string,
  expect: AllocationExpectations,
  backend: Backend,
  unchecked: Map<string, UncheckedExpectation>,
): string[] {
  if (record.byteCount === null) {
    return expect.result === "mdl" ? [`${what} returned NULL, expected an MDL`] : [];
  }
  if (expect.result === "null") {
    return [`${what} returned ${record.byteCount} bytes, expected NULL`];
  }

  const failures: string[] = [];
  const bytesProblem = checkBytes(record, expect, backend.pageSize);
  if (bytesProblem) failures.push(`${what}: byteCount ${record.byteCount} ${bytesProblem}`);
  if (expect.pages !== undefined && record.pages !== expect.pages) {
    failures.push(`${what}: ${record.pages} page(s), expected ${expect.pages}`);
  }
  const pagesForBytes = Math.ceil(record.byteCount / backend.pageSize);
  if (record.pages !== pagesForBytes) {
    failures.push(
      `${what}: GetPhysicalPagesCount ${record.pages} ≠ ceil(byteCount / PAGE_SIZE) ${pagesForBytes}`,
    );
  }

  const caps = backend.capabilities;
  const frames = caps.frameNumbers.available ? null : caps.frameNumbers.reason;
  const bound = record.bound;
  if (bound?.check === "checked" && bound.pagesOutside! > 0) {
    failures.push(
      `${what}: ${bound.pagesOutside} page(s) outside [${hex(record.lowAddress)}, ` +
        `${hex(record.highAddress)}], highest byte ${hex(record.extent!.highestAddress)}`,
    );
  } else if (bound?.check === "unverifiable") {
    unchecked.set("withinBound", { expectation: "withinBound", reason: bound.reason! });
  }

  const mustBeContiguous = expect.contiguous || record.call === "allocateContiguousPagesForMdl";
  const contiguity = caps.contiguous.available ? frames : caps.contiguous.reason;
  if (mustBeContiguous && contiguity === null && record.runs !== null) {
    if (record.runs.length !== 1) {
      failures.push(`${what}: ${record.runs.length} contiguous runs, expected 1`);
    }
  } else if (expect.contiguous) {
    const reason = contiguity ?? "frame numbers unavailable";
    unchecked.set("contiguous", { expectation: "contiguous", reason });
  }
  return failures;
}

function checkBytes(record: AllocationRecord, expect: AllocationExpectations, pageSize: number) {
  const got = record.byteCount ?? 0;
  const wanted = expect.bytes;
  if (wanted === undefined) return null;
  if (typeof wanted === "number") return got === wanted ? null : `≠ expected ${wanted}`;
  if (wanted === "requested") {
    return got >= record.totalBytes ? null : `< requested ${record.totalBytes} (partial result)`;
  }
  if (wanted === "partial-allowed") {
    const rounded = Math.ceil(record.totalBytes / pageSize) * pageSize;
    return got > 0 && got <= rounded && got % pageSize === 0
      ? null
      : `is not a whole number of pages in 1..${rounded}`;
  }
  if (wanted.atLeast !== undefined && got < wanted.atLeast) return `< at least ${wanted.atLeast}`;
  if (wanted.atMost !== undefined && got > wanted.atMost) return `> at most ${wanted.atMost}`;
  return null;
}

function checkLatency(
  testCase: SuiteCase,
  samples: number[],
  source: "modeled" | "measured",
): string[] {
  const budget = testCase.expect.latency;
  if (budget === undefined) return [];
  if (samples.length === 0) return ["latency budget set but the backend reported no call timings"];
  const failures: string[] = [];
  for (const [p, limitUs] of [[50, budget.p50Us], [99, budget.p99Us]] as const) {
    if (limitUs === undefined) continue;
    const valueNs = percentile(samples, p)!;
    if (valueNs > limitUs * 1000) {
      failures.push(
        `p${p} latency ${(valueNs / 1000).toFixed(1)} µs (${source}) exceeds the budget of ` +
          `${limitUs} µs over ${samples.length} repetition(s)`,
      );
    }
  }
  return failures;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hex(value: bigint): string {
  return "0x" + value.toString(16).toUpperCase();
}
