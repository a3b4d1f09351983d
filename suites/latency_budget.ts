/**
 * A case's latency budgets on one backend. Modeled latencies (the simulator's cost model) are
 * deterministic and judged by their percentile against budget × (1 + tolerance). Measured ones
 * are judged by the percentile's distribution-free confidence interval (`stats/budget_verdict.ts`):
 * pass, fail, or inconclusive, and while inconclusive the runner re-measures up to a bound.
 *
 * @module
 */

import { type BudgetJudgement, judgeBudget, samplesToBound } from "../stats/budget_verdict.ts";
import { percentile } from "../stats/latency.ts";
import type { SuiteCase } from "./suite_model.ts";

/**
 * One budget's verdict on one backend, as results, the table, JSON and the report show it.
 *
 * @example
 * ```ts
 * const judged: LatencyJudgement = {
 *   source: "modeled",
 *   verdict: "pass",
 *   percentile: 99,
 *   budgetNs: 500_000,
 *   limitNs: 500_000,
 *   tolerance: 0,
 *   confidence: 0.95,
 *   estimateNs: 2500,
 *   lowerNs: null,
 *   upperNs: null,
 *   samples: 50,
 *   needed: 0,
 * };
 * ```
 */
export type LatencyJudgement = BudgetJudgement & {
  /** Modeled durations are judged by the percentile itself, measured ones by its interval. */
  readonly source: "modeled" | "measured";
};

/** Most repetitions any case re-measures to: the schema's own maximum. */
const REPETITIONS_CAP = 100_000;

/**
 * The budgets a case states, as percentile and µs.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * budgetsOf(commonFormats.cases[0]); // [[99, 500]]
 * ```
 */
export function budgetsOf(testCase: SuiteCase): [percentile: number, us: number][] {
  const budget = testCase.expect.latency;
  if (budget === undefined) return [];
  return ([[50, budget.p50Us], [99, budget.p99Us]] as const)
    .filter((b): b is readonly [50 | 99, number] => b[1] !== undefined)
    .map(([p, us]) => [p, us]);
}

/**
 * How many repetitions a measured case may reach while its budgets are inconclusive: the case's
 * `maxRepetitions`, by default 4 × the repetitions or 4 × the samples its percentiles need,
 * whichever is more.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * maxRepetitions(commonFormats.cases[0]); // 4 × 368 for p99
 * ```
 */
export function maxRepetitions(testCase: SuiteCase): number {
  const latency = testCase.expect.latency;
  if (latency === undefined) return testCase.repetitions;
  if (latency.maxRepetitions !== undefined) return latency.maxRepetitions;
  const needed = Math.max(
    0,
    ...budgetsOf(testCase).map(([p]) => samplesToBound(p, latency.confidence)),
  );
  return Math.min(REPETITIONS_CAP, 4 * Math.max(testCase.repetitions, needed));
}

/**
 * Judges every budget of `testCase` over `samples`.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * judgeLatency(commonFormats.cases[0], [2500, 2500], "modeled")[0].verdict; // "pass"
 * ```
 */
export function judgeLatency(
  testCase: SuiteCase,
  samples: readonly number[],
  source: "modeled" | "measured",
): LatencyJudgement[] {
  const latency = testCase.expect.latency;
  if (latency === undefined) return [];
  return budgetsOf(testCase).map(([p, us]): LatencyJudgement => {
    const budget = { percentile: p, budgetNs: us * 1000, ...latency };
    if (source === "measured") return { source, ...judgeBudget(samples, budget) };
    // Modeled durations are the cost model's, reproducible by seed: the percentile is the fact.
    const estimateNs = percentile(samples, p);
    const limitNs = budget.budgetNs * (1 + latency.tolerance);
    return {
      source,
      verdict: estimateNs === null ? "inconclusive" : estimateNs <= limitNs ? "pass" : "fail",
      percentile: p,
      budgetNs: budget.budgetNs,
      limitNs,
      tolerance: latency.tolerance,
      confidence: latency.confidence,
      estimateNs,
      lowerNs: null,
      upperNs: null,
      samples: samples.length,
      needed: 1,
      ...(estimateNs === null ? { reason: "the backend reported no call timings" } : {}),
    };
  });
}

/**
 * How many repetitions to reach next, or null when the budgets are decided (or cannot be re-measured):
 * only measured, inconclusive budgets are re-measured, at least to the samples they need, else
 * twice as many as so far, never beyond {@linkcode maxRepetitions}.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * const judged = judgeLatency(commonFormats.cases[0], Array(50).fill(1000), "measured");
 * nextRepetitions(commonFormats.cases[0], judged, 50); // 368: p99 needs 368 samples
 * ```
 */
export function nextRepetitions(
  testCase: SuiteCase,
  judged: readonly LatencyJudgement[],
  done: number,
): number | null {
  const open = judged.filter((j) => j.source === "measured" && j.verdict === "inconclusive");
  if (open.length === 0) return null;
  const bound = maxRepetitions(testCase);
  if (done >= bound) return null;
  const needed = Math.max(...open.map((j) => j.needed));
  return Math.min(bound, done < needed ? needed : 2 * done);
}

/**
 * The line a failed or inconclusive budget shows in failures or notes.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * const [judged] = judgeLatency(commonFormats.cases[0], [600_000], "modeled");
 * describeJudgement(judged); // "p99 latency 600.0 µs (modeled) exceeds the budget of 500 µs …"
 * ```
 */
export function describeJudgement(j: LatencyJudgement): string {
  const us = (ns: number | null) => ns === null ? "open" : `${(ns / 1000).toFixed(1)} µs`;
  const budget = `the budget of ${j.budgetNs / 1000} µs` +
    (j.tolerance > 0 ? ` (+${+(j.tolerance * 100).toFixed(2)} %: ${j.limitNs / 1000} µs)` : "");
  const estimate = `p${j.percentile} latency ${us(j.estimateNs)} (${j.source})`;
  const over = `over ${j.samples} repetition(s)`;
  if (j.source === "modeled") {
    return j.verdict === "fail"
      ? `${estimate} exceeds ${budget} ${over}`
      : `${estimate}: ${j.reason ?? "within"} ${budget}`;
  }
  const ci = `${j.confidence * 100} % interval [${us(j.lowerNs)}, ${us(j.upperNs)}]`;
  switch (j.verdict) {
    case "fail":
      return `${estimate} exceeds ${budget}: ${ci} lies above it ${over}`;
    case "pass":
      return `${estimate} within ${budget}: ${ci} ${over}`;
    default:
      return `${estimate} inconclusive against ${budget}: ${j.reason}; ${ci} ${over}`;
  }
}
