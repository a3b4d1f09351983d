/**
 * Compares the backends that ran a case: sizes and page counts must agree, page-range invariants
 * must hold wherever a backend claims them, and, with a calibrated cost model, measured latency
 * must stay within a stated tolerance of the simulator's prediction. Frame numbers themselves
 * differ by nature and are never compared one to one; where two backends read them, the
 * distributions of their run lengths are compared with a two-sample Kolmogorov–Smirnov test and
 * the verdict is a note, never a failure.
 *
 * @module
 */

import { ksTwoSample } from "../stats/ks_test.ts";
import { percentile } from "../stats/latency.ts";
import type { BackendRun, CrossCheck, Divergence } from "./results.ts";

/** How the cross-check treats latency. */
export interface CrossCheckOptions {
  /** True when the simulator ran with a cost model calibrated on this hardware. */
  readonly calibrated?: boolean;
  /** Largest accepted |measured − predicted| / predicted for p50. Default 0.5 (±50 %). */
  readonly latencyTolerance?: number;
}

/**
 * Cross-checks the runs of one case. Ignored (with the reasons) unless two backends ran it.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "./backends.ts";
 * import { commonFormats } from "./bundled.ts";
 * import { ignoredRun } from "./results.ts";
 * const simRun = await simulatorProvider.run(commonFormats.cases[0], { seed: 1 });
 * const check = crossCheck([simRun, ignoredRun("hardware", "the helper is not built")]);
 * check.status; // "ignored": only one backend ran the case
 * if (check.status === "failed") console.log(formatDivergences(check.divergences));
 * ```
 */
export function crossCheck(
  runs: readonly BackendRun[],
  options: CrossCheckOptions = {},
): CrossCheck {
  const ran = runs.filter((r) => r.status !== "ignored");
  if (ran.length < 2) {
    const why = runs.filter((r) => r.status === "ignored").map((r) => `${r.backend}: ${r.reason}`);
    return {
      status: "ignored",
      reason: `needs two backends that ran the case${why.length ? ` (${why.join("; ")})` : ""}`,
      divergences: [],
      notes: [],
    };
  }
  const notes: string[] = [];
  const divergences: Divergence[] = [
    ...compareAllocations(ran, notes),
    ...compareViolations(ran),
    ...checkClaimedInvariants(ran),
  ];
  notes.push(...compareRunLengths(ran));
  const tolerance = options.latencyTolerance ?? 0.5;
  if (options.calibrated) divergences.push(...compareLatency(ran, tolerance));
  else notes.push("latency not compared with the simulator: its cost model is not calibrated");
  // Two broken runs that agree prove nothing: their agreement is not a pass.
  if (divergences.length === 0 && ran.every((r) => r.status === "failed")) {
    return {
      status: "ignored",
      reason: `every backend's run failed (${ran.map((r) => r.backend).join(", ")}): ` +
        "agreement between failed runs is not a pass",
      divergences,
      notes,
    };
  }
  return { status: divergences.length === 0 ? "passed" : "failed", divergences, notes };
}

/**
 * A readable diff: one block per divergence, one line per backend.
 *
 * @example
 * ```ts
 * formatDivergences([{ field: "buffer.byteCount", rule: "sizes must agree",
 *   values: { simulator: "4096", hardware: "8192" } }]);
 * // "buffer.byteCount: sizes must agree\n  simulator  4096\n  hardware   8192"
 * ```
 */
export function formatDivergences(divergences: readonly Divergence[]): string {
  return divergences.map((d) => {
    const width = Math.max(...Object.keys(d.values).map((name) => name.length));
    const lines = Object.entries(d.values).map(([name, value]) =>
      `  ${name.padEnd(width)}  ${value}`
    );
    return [`${d.field}: ${d.rule}`, ...lines].join("\n");
  }).join("\n");
}

/**
 * Sizes and page counts must agree, except from the first allocation on which a backend that only
 * observes HighAddress placed pages outside it: from there on the backends' memory differs by
 * capability (the bound binds on one, not on the other), and the difference is noted instead.
 */
function compareAllocations(ran: readonly BackendRun[], notes: string[]): Divergence[] {
  const divergences: Divergence[] = [];
  const count = Math.max(...ran.map((r) => r.allocations.length));
  const unbound = ran.map((r) =>
    r.allocations.findIndex((a) => a.bound?.check === "observed" && a.bound.pagesOutside! > 0)
  );
  for (let i = 0; i < count; i++) {
    const unboundBy = ran.filter((_, j) => unbound[j] !== -1 && unbound[j] <= i);
    if (unboundBy.length > 0) {
      const first = unboundBy[0];
      const outside = first.allocations[unbound[ran.indexOf(first)]];
      notes.push(
        `allocation ${
          i + 1
        } not compared: ${first.backend} cannot enforce HighAddress and placed ` +
          `${outside.bound!.pagesOutside} page(s) of step ${outside.step} outside it`,
      );
      continue;
    }
    const allocation = ran.find((r) => r.allocations[i])?.allocations[i];
    const name = allocation === undefined
      ? `allocation ${i + 1}`
      : `step ${allocation.step} ${JSON.stringify(allocation.handle)}`;
    const field = (f: string) => `${name}.${f}`;
    const bytes = valuesBy(ran, (r) => {
      const a = r.allocations[i];
      return a === undefined
        ? "(not reached)"
        : a.error !== undefined
        ? `threw: ${a.error}`
        : a.byteCount === null
        ? "NULL"
        : `${a.byteCount}`;
    });
    if (!allEqual(bytes)) {
      divergences.push({ field: field("byteCount"), rule: "sizes must agree", values: bytes });
    }
    const pages = valuesBy(ran, (r) => `${r.allocations[i]?.pages ?? "(not reached)"}`);
    if (!allEqual(pages)) {
      divergences.push({ field: field("pages"), rule: "page counts must agree", values: pages });
    }
  }
  return divergences;
}

/**
 * Run lengths (every allocation's complete runs; its last, cut by the buffer's end, left out) of
 * each pair of backends reading frame numbers, when both have one: KS at α = 0.01, as a note. Runs of one buffer are
 * not independent, so the p-value is indicative; `task calibrate:placement` runs the sound test.
 */
function compareRunLengths(ran: readonly BackendRun[]): string[] {
  const withFrames = ran.map((r) => {
    const lengths = r.allocations.flatMap((a) => a.runs?.slice(0, -1).map((x) => x.pages) ?? []);
    return { backend: r.backend, lengths, read: r.allocations.some((a) => a.runs !== null) };
  }).filter((r) => r.read);
  const notes: string[] = [];
  for (let i = 0; i < withFrames.length; i++) {
    for (let j = i + 1; j < withFrames.length; j++) {
      const [x, y] = [withFrames[i], withFrames[j]];
      if (x.lengths.length === 0 || y.lengths.length === 0) continue; // single runs: nothing to say
      const ks = ksTwoSample(x.lengths, y.lengths, 0.01);
      notes.push(
        `run lengths ${ks.agree ? "agree" : "disagree"} (${x.backend} vs ${y.backend}): ` +
          `KS D = ${ks.statistic.toFixed(4)}, n = ${ks.n}, m = ${ks.m}, ` +
          `p = ${ks.pValue < 1e-4 ? ks.pValue.toExponential(1) : ks.pValue.toFixed(4)}, α = 0.01`,
      );
    }
  }
  return notes;
}

function compareViolations(ran: readonly BackendRun[]): Divergence[] {
  const claiming = ran.filter((r) => r.claims.includes("misuseDetection"));
  const values = valuesBy(claiming, (r) => r.violation ?? "(none)");
  return claiming.length >= 2 && !allEqual(values)
    ? [{ field: "violation", rule: "backends detecting misuse must raise the same rule", values }]
    : [];
}

/** Each backend must honour what it claims; listing all backends shows which one broke it. */
function checkClaimedInvariants(ran: readonly BackendRun[]): Divergence[] {
  const divergences: Divergence[] = [];
  const frames = (r: BackendRun) => r.claims.includes("frameNumbers");
  const bound = ran.filter((r) => frames(r) && r.claims.includes("highAddressEnforced"));
  const beyond = valuesBy(
    bound,
    (r) =>
      `${
        r.allocations.reduce(
          (n, a) => n + (boundStated(a) ? a.extent?.pagesBeyondBound ?? 0 : 0),
          0,
        )
      }`,
  );
  if (Object.values(beyond).some((v) => v !== "0")) {
    divergences.push({
      field: "pagesBeyondBound",
      rule: "every page must lie within [LowAddress, HighAddress] on backends claiming it",
      values: beyond,
    });
  }
  const contiguous = ran.filter((r) => frames(r) && r.claims.includes("contiguous"));
  const runs = valuesBy(contiguous, (r) =>
    r.allocations
      .filter((a) => a.call === "allocateContiguousPagesForMdl" && a.runs !== null)
      .map((a) => `${a.runs!.length}`)
      .join(", "));
  if (Object.values(runs).some((v) => v.split(", ").some((n) => n !== "" && n !== "1"))) {
    divergences.push({
      field: "contiguousRuns",
      rule: "contiguous allocations must be one run on backends claiming contiguity",
      values: runs,
    });
  }
  return divergences;
}

/** A bound the case opted out of, or a HighAddress of no limit, is no invariant to hold. */
function boundStated(allocation: BackendRun["allocations"][number]): boolean {
  const check = allocation.bound?.check;
  return check !== "opted-out" && check !== "no-limit";
}

function compareLatency(ran: readonly BackendRun[], tolerance: number): Divergence[] {
  const predicted = ran.find((r) => r.timingSource === "modeled");
  const predictedP50 = predicted && percentile(predicted.latencyNs, 50);
  if (!predicted || !predictedP50) return [];
  const divergences: Divergence[] = [];
  for (const run of ran.filter((r) => r.timingSource === "measured")) {
    const measured = percentile(run.latencyNs, 50);
    if (measured === null) continue;
    if (Math.abs(measured - predictedP50) / predictedP50 > tolerance) {
      divergences.push({
        field: "latency.p50",
        rule: `measured p50 must be within ±${tolerance * 100} % of the calibrated prediction`,
        values: {
          [predicted.backend]: `${(predictedP50 / 1000).toFixed(1)} µs (modeled)`,
          [run.backend]: `${(measured / 1000).toFixed(1)} µs (measured)`,
        },
      });
    }
  }
  return divergences;
}

function valuesBy(
  runs: readonly BackendRun[],
  value: (run: BackendRun) => string,
): Record<string, string> {
  return Object.fromEntries(runs.map((r) => [r.backend, value(r)]));
}

function allEqual(values: Record<string, string>): boolean {
  return new Set(Object.values(values)).size <= 1;
}
