/**
 * Honest verdicts on latency budgets: a distribution-free confidence interval of a percentile from
 * the order statistics of the samples (the binomial method: the number of samples at or below the
 * true q-quantile is Binomial(n, q)), and a verdict from that interval, not from a point estimate:
 * pass when its upper bound is within the limit, fail when its lower bound is beyond it,
 * inconclusive when it straddles the limit or when there are too few samples to bound the
 * percentile at all.
 *
 * @module
 */

import { percentile } from "./latency.ts";

/**
 * A confidence interval of a quantile; a bound is null where `n` samples cannot give one (for
 * p99 at 95 %, fewer than 368 samples leave the upper bound open).
 *
 * @example
 * ```ts
 * const ci: QuantileInterval = { lower: 10, upper: null, lowerRank: 1, upperRank: null };
 * ```
 */
export interface QuantileInterval {
  /** The sample at `lowerRank`, or null when no order statistic is a lower bound. */
  readonly lower: number | null;
  /** The sample at `upperRank`, or null when no order statistic is an upper bound. */
  readonly upper: number | null;
  /** 1-based rank of the lower bound among the sorted samples. */
  readonly lowerRank: number | null;
  /** 1-based rank of the upper bound among the sorted samples. */
  readonly upperRank: number | null;
}

/** Binomial(n, q) cumulative probabilities P(X ≤ k) for k = 0..n, computed in log space. */
function binomialCdf(n: number, q: number): Float64Array {
  const cdf = new Float64Array(n + 1);
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let logChoose = 0;
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    sum += Math.exp(logChoose + k * lq + (n - k) * l1q);
    cdf[k] = Math.min(1, sum);
  }
  return cdf;
}

/**
 * The two-sided distribution-free confidence interval of the `p`-th percentile (0 < p < 100):
 * order statistics x(l) ≤ x(u) with P(x(l) ≤ ξ ≤ x(u)) ≥ `confidence` for any continuous
 * distribution, each tail holding at most (1 − confidence) / 2.
 *
 * @example
 * ```ts
 * const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
 * const ci = quantileInterval(samples, 99); // ranks 983 and 997 of 1000
 * ci.lower! <= 990 && 990 <= ci.upper!; // true
 * quantileInterval(samples.slice(0, 50), 99).upper; // null: 50 samples cannot bound p99 above
 * ```
 */
export function quantileInterval(
  samples: readonly number[],
  p: number,
  confidence = 0.95,
): QuantileInterval {
  checkArguments(p, confidence);
  const n = samples.length;
  if (n === 0) return { lower: null, upper: null, lowerRank: null, upperRank: null };
  const tail = (1 - confidence) / 2;
  const cdf = binomialCdf(n, p / 100);
  // Lower: the largest l ≥ 1 with P(X ≤ l − 1) ≤ tail.
  let lowerRank: number | null = null;
  for (let l = 1; l <= n && cdf[l - 1] <= tail; l++) lowerRank = l;
  // Upper: the smallest u ≤ n with P(X ≤ u − 1) ≥ 1 − tail.
  let upperRank: number | null = null;
  for (let u = 1; u <= n; u++) {
    if (cdf[u - 1] >= 1 - tail) {
      upperRank = u;
      break;
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    lower: lowerRank === null ? null : sorted[lowerRank - 1],
    upper: upperRank === null ? null : sorted[upperRank - 1],
    lowerRank,
    upperRank,
  };
}

/**
 * The fewest samples for which {@linkcode quantileInterval} has both bounds: the smallest n with
 * q^n ≤ tail and (1 − q)^n ≤ tail.
 *
 * @example
 * ```ts
 * samplesToBound(99); // 368
 * samplesToBound(50); // 6
 * ```
 */
export function samplesToBound(p: number, confidence = 0.95): number {
  checkArguments(p, confidence);
  const tail = Math.log((1 - confidence) / 2);
  const q = p / 100;
  return Math.ceil(Math.max(tail / Math.log(q), tail / Math.log1p(-q)) - 1e-9);
}

/** What a budget on one percentile is judged against. */
export interface LatencyBudget {
  /** The percentile, e.g. 99. */
  readonly percentile: number;
  /** The budget in nanoseconds. */
  readonly budgetNs: number;
  /** Accepted excess over the budget as a fraction (0.2: up to 20 % over); default 0. */
  readonly tolerance?: number;
  /** Confidence of the interval; default 0.95. */
  readonly confidence?: number;
}

/**
 * A budget's verdict with its evidence:
 *
 * - `"pass"`: the interval's upper bound is within the limit (budget × (1 + tolerance));
 * - `"fail"`: its lower bound is beyond the limit;
 * - `"inconclusive"`: it straddles the limit, or `samples` < `needed` and the percentile cannot be
 *   estimated (`reason` says which).
 *
 * @example
 * ```ts
 * const judged: BudgetJudgement = judgeBudget([1, 2, 3], { percentile: 50, budgetNs: 10 });
 * judged.verdict; // "inconclusive": 3 samples cannot estimate p50 (6 needed)
 * ```
 */
export interface BudgetJudgement {
  /** Whether the percentile is within its limit, beyond it, or not decided. */
  readonly verdict: "pass" | "fail" | "inconclusive";
  /** The percentile judged, e.g. 99. */
  readonly percentile: number;
  /** The budget, in nanoseconds. */
  readonly budgetNs: number;
  /** budget × (1 + tolerance). */
  readonly limitNs: number;
  /** Share over the budget still accepted. */
  readonly tolerance: number;
  /** Confidence of the interval, e.g. 0.95. */
  readonly confidence: number;
  /** The point estimate (linear interpolation, `stats/latency.ts`); null without samples. */
  readonly estimateNs: number | null;
  /** Lower bound of the percentile's interval; null when it cannot be bounded. */
  readonly lowerNs: number | null;
  /** Upper bound of the percentile's interval; null when it cannot be bounded. */
  readonly upperNs: number | null;
  /** Samples judged. */
  readonly samples: number;
  /** Samples needed to bound the percentile on both sides ({@linkcode samplesToBound}). */
  readonly needed: number;
  /** Why it is inconclusive; absent otherwise. */
  readonly reason?: string;
}

/**
 * Judges measured samples against a budget by the confidence interval of the percentile. Fewer
 * samples than {@linkcode samplesToBound} needs are never judged.
 *
 * @example
 * ```ts
 * const fast = Array.from({ length: 400 }, (_, i) => 1000 + i);
 * judgeBudget(fast, { percentile: 99, budgetNs: 500_000 }).verdict; // "pass"
 * judgeBudget(fast, { percentile: 99, budgetNs: 1 }).verdict; // "fail"
 * ```
 */
export function judgeBudget(samples: readonly number[], budget: LatencyBudget): BudgetJudgement {
  const tolerance = budget.tolerance ?? 0;
  const confidence = budget.confidence ?? 0.95;
  const limitNs = budget.budgetNs * (1 + tolerance);
  const needed = samplesToBound(budget.percentile, confidence);
  const ci = quantileInterval(samples, budget.percentile, confidence);
  const base = {
    percentile: budget.percentile,
    budgetNs: budget.budgetNs,
    limitNs,
    tolerance,
    confidence,
    estimateNs: percentile(samples, budget.percentile),
    lowerNs: ci.lower,
    upperNs: ci.upper,
    samples: samples.length,
    needed,
  };
  if (samples.length < needed) {
    return {
      ...base,
      verdict: "inconclusive",
      reason: `too few samples to estimate p${budget.percentile}: ${samples.length} of the ` +
        `${needed} a ${confidence * 100} % interval needs`,
    };
  }
  if (ci.upper! <= limitNs) return { ...base, verdict: "pass" };
  if (ci.lower! > limitNs) return { ...base, verdict: "fail" };
  return {
    ...base,
    verdict: "inconclusive",
    reason: `the ${confidence * 100} % interval of p${budget.percentile} straddles the limit`,
  };
}

function checkArguments(p: number, confidence: number): void {
  if (!(p > 0 && p < 100)) throw new RangeError(`p must be in (0, 100), got ${p}`);
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
}
