/**
 * Is a new run slower than its baseline? A Mann–Whitney U test (no normality assumed, ties
 * corrected, normal approximation) plus an effect size, before anything is called different.
 *
 * @module
 */

import { errorFunction, median } from "npm:simple-statistics@7.12.1";

/** Result of {@linkcode mannWhitneyU}. */
export interface MannWhitneyResult {
  /** The U statistic of sample `a`. */
  readonly u: number;
  /** U standardized with the tie-corrected variance; negative when `a` tends to be smaller. */
  readonly z: number;
  /** Two-sided p-value. */
  readonly p: number;
  /**
   * Rank-biserial correlation in [-1, 1]: positive when `b` tends to be larger than `a`
   * (slower, for latencies).
   */
  readonly effect: number;
}

/**
 * Two-sided Mann–Whitney U test of samples `a` and `b`.
 *
 * @example
 * ```ts
 * const r = mannWhitneyU([10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25]);
 * r.p < 0.01; // true
 * r.effect; // 1: every b is larger
 * ```
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  if (a.length === 0 || b.length === 0) throw new RangeError("both samples must be non-empty");
  const n1 = a.length;
  const n2 = b.length;
  const all = [...a.map((v) => ({ v, fromA: true })), ...b.map((v) => ({ v, fromA: false }))]
    .sort((x, y) => x.v - y.v);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].fromA) rankSumA += rank;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const uA = rankSumA - n1 * (n1 + 1) / 2;
  const n = n1 + n2;
  const meanU = n1 * n2 / 2;
  const variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)));
  const z = variance > 0 ? (uA - meanU) / Math.sqrt(variance) : 0;
  // Two-sided tail from erf: a normal table would floor p at 0.002 and hide how strong it is.
  const p = Math.min(1, 1 - errorFunction(Math.abs(z) / Math.SQRT2));
  return { u: uA, z, p, effect: 1 - 2 * uA / (n1 * n2) };
}

/** Verdict of comparing a run against its baseline. */
export type ComparisonVerdict = "slower" | "faster" | "no significant change";

/** One case compared against its baseline. */
export interface Comparison {
  /** Slower or faster when significant and not negligible, else "no significant change". */
  readonly verdict: ComparisonVerdict;
  /** Current median / baseline median. */
  readonly medianRatio: number;
  /** The Mann–Whitney U test of baseline (`a`) against current (`b`). */
  readonly test: MannWhitneyResult;
  /** Whether this is a regression beyond the caller's threshold (slower and ratio above it). */
  readonly regression: boolean;
}

/** Options of {@linkcode compareSamples}. */
export interface ComparisonOptions {
  /** Significance level. Default 0.01. */
  readonly alpha?: number;
  /** A slowdown counts as a regression only if the median grows by more than this. Default 0.05. */
  readonly threshold?: number;
  /**
   * Medians closer than this (as a fraction) are "no significant change" even when the test is
   * significant: with thousands of samples a 0.3 % shift is detectable but means nothing.
   * Default 0.01.
   */
  readonly minimumEffect?: number;
}

/**
 * Compares current samples to baseline samples: significant by Mann–Whitney U at `alpha` and a
 * median shift of at least `minimumEffect`, then slower or faster by the median; a regression
 * when slower by more than `threshold`.
 *
 * @example
 * ```ts
 * compareSamples([100, 101, 99, 100, 102, 98], [120, 121, 119, 122, 118, 120]).verdict; // "slower"
 * ```
 */
export function compareSamples(
  baseline: readonly number[],
  current: readonly number[],
  options: ComparisonOptions = {},
): Comparison {
  const { alpha = 0.01, threshold = 0.05, minimumEffect = 0.01 } = options;
  const test = mannWhitneyU(baseline, current);
  const medianRatio = median([...current]) / median([...baseline]);
  const verdict: ComparisonVerdict = test.p >= alpha || Math.abs(medianRatio - 1) < minimumEffect
    ? "no significant change"
    : medianRatio > 1
    ? "slower"
    : "faster";
  return {
    verdict,
    medianRatio,
    test,
    regression: verdict === "slower" && medianRatio > 1 + threshold,
  };
}
