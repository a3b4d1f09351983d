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
import type { Allocation, AllocationExpectations, Step, SuiteCase } from "./suite_model.ts";
import { allocationLabel, checkAllocation, checkViolation } from "./check_allocation.ts";
import { describeJudgement, judgeLatency, nextRepetitions } from "./latency_budget.ts";
import { boundCheck, boundNote } from "./bound_check.ts";
import { measurePreOccupied } from "./occupancy.ts";
import { pageExtent, pageRuns } from "./page_runs.ts";
import {
  type AllocationRecord,
  type BackendRun,
  type ClaimableCapability,
  nothingChecked,
  type UncheckedExpectation,
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
   * `"enforce"` (default): a measured latency whose confidence interval lies above its budget
   * fails the case. `"report"`: measured budgets never fail, they are noted only, for runs on
   * shared machines such as CI, where wall-clock time is not the driver's. Modeled latencies are
   * deterministic and always enforced. Either way an undecided budget is `"inconclusive"`.
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
      ...nothingChecked(),
    };
  }

  const stream = backend.stream();
  const tally = new Map<string, number>();
  const notes = new Set<string>();
  const unchecked = new Map<string, UncheckedExpectation>();
  const latencyNs: number[] = [];
  let observed = false;
  let first: Repetition | undefined;
  let done = 0;
  const repeat = (until: number) => {
    for (; done < until; done++) {
      const repetition = runOnce(stream, testCase.steps, opened);
      first ??= repetition;
      if (repetition.latencyNs !== null) latencyNs.push(repetition.latencyNs);
      if (checkRepetition(testCase, repetition, backend, tally, unchecked)) observed = true;
    }
  };
  repeat(testCase.repetitions);
  const source = caps.timing.source;
  let judged = judgeLatency(testCase, latencyNs, source);
  // A measured budget the interval cannot decide yet is re-measured, up to a bound.
  for (let next; (next = nextRepetitions(testCase, judged, done)) !== null;) {
    repeat(next);
    judged = judgeLatency(testCase, latencyNs, source);
  }
  if (done > testCase.repetitions) {
    notes.add(
      `re-measured: ${done} repetitions instead of ${testCase.repetitions} for the ` +
        "latency budget's confidence interval",
    );
  }

  const failures = [...tally].map(([failure, count]) =>
    done === 1 ? failure : `${failure} (in ${count} of ${done} repetitions)`
  );
  if (latencyNs.length === 0 && judged.length > 0) {
    failures.push("latency budget set but the backend reported no call timings");
  }
  const reportOnly = source === "measured" && options.measuredLatencyBudgets === "report";
  let inconclusive = false;
  for (const j of judged) {
    if (j.verdict === "fail" && !reportOnly) failures.push(describeJudgement(j));
    else if (j.verdict === "fail") {
      notes.add(`${describeJudgement(j)} (measured budgets are reported only)`);
    } else if (j.verdict === "inconclusive" && latencyNs.length > 0) {
      inconclusive = true;
      notes.add(describeJudgement(j));
    }
  }
  for (const record of first?.records ?? []) {
    const note = boundNote(record, allocationLabel(record, testCase.kind));
    if (note !== null) notes.add(note);
  }
  return {
    ...base,
    // A bound the backend could only observe is never reported as passed.
    status: failures.length > 0
      ? "failed"
      : inconclusive
      ? "inconclusive"
      : observed
      ? "observed"
      : "passed",
    failures,
    notes: [...notes],
    unchecked: [...unchecked.values()],
    allocations: first?.records ?? [],
    violation: first?.violation?.rule ?? null,
    latencyNs,
    latencyBudgets: judged,
    // After the run every page of the case is free again: what is occupied now was before.
    preOccupied: measurePreOccupied(backend, opened.machine, first?.records ?? []),
  };
}

/**
 * Tallies one repetition's failures (each counted once per repetition); says whether a bound was
 * only observed.
 */
function checkRepetition(
  testCase: SuiteCase,
  repetition: Repetition,
  backend: Backend,
  tally: Map<string, number>,
  unchecked: Map<string, UncheckedExpectation>,
): boolean {
  let observed = false;
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
  return observed;
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
        // A call that threw is recorded as such, never shown as a NULL result.
        if ("allocation" in step) {
          records.push(thrownRecord(index + 1, step, message(error)));
          expected.push(step.expect);
        }
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

/** What an allocation record says of the request, whatever the call did. */
function request(
  step: number,
  { allocation, handle }: Extract<Step, { allocation: Allocation }>,
): Pick<
  AllocationRecord,
  "step" | "handle" | "call" | "sizeLabel" | "totalBytes" | "lowAddress" | "highAddress"
> {
  const { call, sizeLabel, totalBytes, lowAddress, highAddress } = allocation;
  return { step, handle, call, sizeLabel, totalBytes, lowAddress, highAddress };
}

function thrownRecord(
  step: number,
  allocating: Extract<Step, { allocation: Allocation }>,
  error: string,
): AllocationRecord {
  return {
    ...request(step, allocating),
    byteCount: null,
    pages: 0,
    runs: null,
    extent: null,
    bound: null,
    error,
  };
}

function record(
  stream: WaveRtStream,
  step: number,
  allocating: Extract<Step, { allocation: Allocation }>,
  mdl: Mdl | null,
  pageSize: number,
  caps: BackendCapabilities,
): AllocationRecord {
  const { allocation } = allocating;
  const runs = mdl === null ? [] : pageRuns(mdl.pfns);
  // A backend that cannot read frame numbers reports zeros (core/backend.ts).
  const hasFrames = mdl === null || Array.from(mdl.pfns).some((pfn) => pfn !== 0);
  const extent = hasFrames
    ? pageExtent(runs, pageSize, allocation.lowAddress, allocation.highAddress)
    : null;
  const pages = mdl === null ? 0 : stream.getPhysicalPagesCount(mdl);
  return {
    ...request(step, allocating),
    byteCount: mdl?.byteCount ?? null,
    pages,
    runs: hasFrames ? runs : null,
    extent,
    bound: mdl === null
      ? null
      : boundCheck(allocation, allocating.expect, pages, extent, hasFrames, caps),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
