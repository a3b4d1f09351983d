/**
 * Latency statistics over raw samples: exact percentiles (every sample is kept), mean and
 * standard deviation, a bootstrap 95 % confidence interval of the median, outliers counted
 * (never trimmed), and a log-spaced histogram.
 *
 * @module
 */

import {
  mean,
  quantileSorted,
  sampleStandardDeviation,
  sampleWithReplacement,
} from "simple-statistics";
import { seededRandom } from "../core/random.ts";

/** Summary of one case on one backend, in nanoseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
  readonly sd: number;
  /** Bootstrap 95 % confidence interval of the median. */
  readonly medianCi: readonly [number, number];
  /** Width of that interval relative to the median. */
  readonly medianCiRelativeWidth: number;
  /** Samples beyond Q3 + 3·IQR (far outliers), reported, not removed. */
  readonly outliers: number;
}

/** Options of {@linkcode summarize}. */
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
  const q = (p: number) => quantileSorted(sorted, p);
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
    medians.push(quantileSorted(resample, 0.5));
  }
  medians.sort((a, b) => a - b);
  return [quantileSorted(medians, 0.025), quantileSorted(medians, 0.975)];
}

/** One bucket of a histogram: samples in [lowNs, highNs). */
export interface HistogramBucket {
  readonly lowNs: number;
  readonly highNs: number;
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
