/**
 * Latency statistics over a case's repetitions: nearest-rank percentiles and a fixed-bucket
 * histogram, in the manner of cyclictest.
 *
 * @module
 */

/**
 * The `p`-th percentile (0 < p ≤ 100) of `samples` by nearest rank: always one of the samples, so
 * a budget check compares against a duration that really occurred.
 *
 * @example
 * ```ts
 * percentile([5, 1, 3, 2, 4], 50); // 3
 * ```
 */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`p must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(p / 100 * sorted.length) - 1];
}

/** One bucket of a {@linkcode histogram}: samples in [fromNs, toNs). */
export interface HistogramBucket {
  readonly fromNs: number;
  readonly toNs: number;
  readonly count: number;
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
  if (min === max) return [{ fromNs: min, toNs: min + 1, count: samples.length }];
  const width = (max - min) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (const s of samples) counts[Math.min(buckets - 1, Math.floor((s - min) / width))]++;
  return counts.map((count, i) => ({
    fromNs: min + i * width,
    toNs: min + (i + 1) * width,
    count,
  }));
}
