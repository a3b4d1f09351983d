/**
 * Latency statistics over raw samples, the one definition the suite runner, its CLI table and HTML
 * report, and the latency bench all use: exact percentiles (every sample is kept) by linear
 * interpolation between the two nearest samples (type 7 of R and numpy's default), mean and
 * standard deviation, a bootstrap 95 % confidence interval of the median, outliers counted (never
 * trimmed), and histograms, equal-width or log-spaced, of one bucket type.
 *
 * @module
 */

import {
  mean,
  quantileSorted,
  sampleStandardDeviation,
  sampleWithReplacement,
} from "npm:simple-statistics@7.12.1";
import { seededRandom } from "../core/random.ts";

/**
 * The `fraction`-quantile (0 ≤ fraction ≤ 1) of samples sorted ascending, interpolating linearly
 * between the two nearest samples: the single percentile definition of this project.
 */
function quantile(sorted: readonly number[], fraction: number): number {
  return quantileSorted(sorted as number[], fraction);
}

/**
 * The `p`-th percentile (0 < p ≤ 100) of `samples`, exact over every sample, by linear
 * interpolation between the two nearest samples (type 7 of R, numpy's default); null without
 * samples. {@linkcode summarize}'s p50 and p99 are the same numbers.
 *
 * @example
 * ```ts
 * percentile([5, 1, 3, 2, 4], 50); // 3
 * percentile([10, 20], 50); // 15
 * ```
 */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`p must be in (0, 100], got ${p}`);
  return quantile([...samples].sort((a, b) => a - b), p / 100);
}

/**
 * Summary of one case on one backend, in nanoseconds.
 *
 * @example
 * ```ts
 * const summary: LatencySummary = summarize([1000, 1100, 1200]);
 * summary.p50; // 1100
 * ```
 */
export interface LatencySummary {
  /** Number of samples. */
  readonly count: number;
  /** Smallest sample. */
  readonly min: number;
  /** Median. */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** 99.9th percentile. */
  readonly p999: number;
  /** Largest sample. */
  readonly max: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Sample standard deviation; 0 for a single sample. */
  readonly sd: number;
  /** Bootstrap 95 % confidence interval of the median. */
  readonly medianCi: readonly [number, number];
  /** Width of that interval relative to the median. */
  readonly medianCiRelativeWidth: number;
  /** Samples beyond Q3 + 3·IQR (far outliers), reported, not removed. */
  readonly outliers: number;
}

/**
 * Options of {@linkcode summarize}.
 *
 * @example
 * ```ts
 * const options: SummaryOptions = { resamples: 200, seed: 7 };
 * summarize([1, 2, 3], options).medianCi;
 * ```
 */
export interface SummaryOptions {
  /** Bootstrap resamples. Default 1000. */
  readonly resamples?: number;
  /** Seed of the bootstrap, so reports are reproducible. Default 1. */
  readonly seed?: number;
}

/**
 * Summarizes samples (nanoseconds). Throws a RangeError for an empty or non-finite sample.
 *
 * @example
 * ```ts
 * const s = summarize([1200, 1100, 1300, 1250, 9000]);
 * s.p50; // 1250
 * s.outliers; // 1 (the 9000 ns sample)
 * ```
 */
export function summarize(
  samples: readonly number[],
  options: SummaryOptions = {},
): LatencySummary {
  if (samples.length === 0) throw new RangeError("samples must not be empty");
  if (samples.some((s) => !Number.isFinite(s))) {
    throw new RangeError("samples must be finite numbers of nanoseconds");
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (fraction: number) => quantile(sorted, fraction);
  const q1 = q(0.25);
  const q3 = q(0.75);
  const fence = q3 + 3 * (q3 - q1);
  const medianCi = bootstrapMedianCi(sorted, options.resamples ?? 1000, options.seed ?? 1);
  const p50 = q(0.5);
  return {
    count: sorted.length,
    min: sorted[0],
    p50,
    p90: q(0.9),
    p99: q(0.99),
    p999: q(0.999),
    max: sorted[sorted.length - 1],
    mean: mean(sorted),
    sd: sorted.length > 1 ? sampleStandardDeviation(sorted) : 0,
    medianCi,
    medianCiRelativeWidth: p50 === 0 ? 0 : (medianCi[1] - medianCi[0]) / p50,
    outliers: sorted.filter((s) => s > fence).length,
  };
}

/** 95 % percentile-bootstrap interval of the median. */
function bootstrapMedianCi(
  sorted: readonly number[],
  resamples: number,
  seed: number,
): [number, number] {
  if (sorted.length === 1) return [sorted[0], sorted[0]];
  const random = seededRandom(seed);
  const medians: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const resample = sampleWithReplacement([...sorted], sorted.length, random);
    resample.sort((a, b) => a - b);
    medians.push(quantile(resample, 0.5));
  }
  medians.sort((a, b) => a - b);
  return [quantile(medians, 0.025), quantile(medians, 0.975)];
}

/**
 * One bucket of a histogram ({@linkcode histogram} or {@linkcode logHistogram}): samples in
 * [lowNs, highNs).
 *
 * @example
 * ```ts
 * const bucket: HistogramBucket = { lowNs: 1000, highNs: 2000, count: 3 };
 * ```
 */
export interface HistogramBucket {
  /** Lower edge of the bucket in nanoseconds, inclusive. */
  readonly lowNs: number;
  /** Upper edge of the bucket in nanoseconds, exclusive. */
  readonly highNs: number;
  /** Samples in the bucket. */
  readonly count: number;
}

/**
 * A histogram with log-spaced buckets (`perDecade` per factor of ten), from the lowest to the
 * highest sample; empty buckets between them are kept so that gaps show.
 *
 * @example
 * ```ts
 * logHistogram([100, 150, 1000, 12000], 2).map((b) => b.count); // [2, 0, 1, 0, 1]
 * ```
 */
export function logHistogram(samples: readonly number[], perDecade = 10): HistogramBucket[] {
  const positive = samples.filter((s) => s > 0);
  if (positive.length === 0) return [];
  const step = 1 / perDecade;
  const index = (s: number) => Math.floor(Math.log10(s) / step + 1e-9);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of positive) {
    lo = Math.min(lo, index(s));
    hi = Math.max(hi, index(s));
  }
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (const s of positive) counts[index(s) - lo]++;
  return counts.map((count, i) => ({
    lowNs: 10 ** ((lo + i) * step),
    highNs: 10 ** ((lo + i + 1) * step),
    count,
  }));
}

/**
 * Splits samples into `buckets` equal-width buckets from the smallest to the largest sample. All
 * equal samples give one bucket of width 1 ns, so a modeled (constant) latency still draws a bar.
 *
 * @example
 * ```ts
 * histogram([1, 2, 2, 9], 4).map((b) => b.count); // [3, 0, 0, 1]
 * ```
 */
export function histogram(samples: readonly number[], buckets = 20): HistogramBucket[] {
  if (samples.length === 0) return [];
  // A loop rather than Math.min(...samples): 100,000 repetitions would overflow the call stack.
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) [min, max] = [Math.min(min, s), Math.max(max, s)];
  if (min === max) return [{ lowNs: min, highNs: min + 1, count: samples.length }];
  const width = (max - min) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (const s of samples) counts[Math.min(buckets - 1, Math.floor((s - min) / width))]++;
  return counts.map((count, i) => ({
    lowNs: min + i * width,
    highNs: min + (i + 1) * width,
    count,
  }));
}

/**
 * 95 % percentile-bootstrap confidence interval of the `p`-th percentile (seeded, so reports are
 * reproducible); null without samples.
 *
 * @example
 * ```ts
 * const [lo, hi] = percentileCi([10, 11, 12, 13, 14, 15, 16], 50)!;
 * lo <= 13 && 13 <= hi; // true
 * ```
 */
export function percentileCi(
  samples: readonly number[],
  p: number,
  resamples = 500,
  seed = 1,
): [number, number] | null {
  if (samples.length === 0) return null;
  const random = seededRandom(seed);
  const estimates: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const resample = sampleWithReplacement([...samples], samples.length, random);
    resample.sort((a, b) => a - b);
    estimates.push(quantile(resample, p / 100));
  }
  estimates.sort((a, b) => a - b);
  return [quantile(estimates, 0.025), quantile(estimates, 0.975)];
}
