/**
 * HDR histograms of latencies (HdrHistogram, 3 significant digits: every value within 0.1 % of
 * what was recorded), so that results can be merged exactly across repetitions, runs and machines
 * without keeping every sample. A histogram travels in JSON as HdrHistogram's standard compressed
 * base64 encoding ("HISTFAAA…"), which any HdrHistogram implementation decodes.
 *
 * Percentiles: {@linkcode hdrPercentile} applies the project's one definition (stats/latency.ts:
 * linear interpolation between the two nearest samples, type 7) to the recorded values, each
 * represented by the middle of its HDR bucket; it equals `percentile()` of the raw samples to
 * within the bucket width (0.1 %, and exactly for integer values below 2,048 ns). Only
 * {@linkcode percentileDistribution}, HdrHistogram's standard printout, keeps HdrHistogram's own
 * definition (the highest value of the bucket that reaches the rank), so that it reads like every
 * other HDR tool's.
 *
 * @module
 */

import * as hdr from "npm:hdr-histogram-js@3.0.1";

type Histogram = hdr.Histogram;

/** The index-level view of HdrHistogram's JavaScript implementation the percentile walk needs. */
interface IndexedHistogram {
  readonly countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  medianEquivalentValue(value: number): number;
}

function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: "packed",
    autoResize: true,
    useWebAssembly: false,
  });
}

/**
 * Records nanosecond samples (rounded to whole nanoseconds) into a new histogram and encodes it.
 *
 * @example
 * ```ts
 * const encoded = encodeSamples([1000, 1100, 1200]);
 * encoded.startsWith("HISTFAAA"); // true
 * ```
 */
export function encodeSamples(samplesNs: readonly number[]): string {
  const histogram = newHistogram();
  for (const sample of samplesNs) {
    if (!Number.isFinite(sample) || sample < 0) {
      throw new RangeError(`samples must be finite, non-negative nanoseconds, got ${sample}`);
    }
    histogram.recordValue(Math.round(sample));
  }
  return hdr.encodeIntoCompressedBase64(histogram);
}

/**
 * Decodes an encoded histogram; a TypeError names the problem when `encoded` is not one.
 *
 * @example
 * ```ts
 * decodeHistogram(encodeSamples([5, 7])).totalCount; // 2
 * ```
 */
export function decodeHistogram(encoded: string): Histogram {
  if (typeof encoded !== "string" || !encoded.startsWith("HISTF")) {
    throw new TypeError(`not an encoded HDR histogram: ${String(encoded).slice(0, 20)}…`);
  }
  try {
    return hdr.decodeFromCompressedBase64(encoded, "packed", false);
  } catch (error) {
    throw new TypeError(`not an encoded HDR histogram: ${(error as Error).message}`);
  }
}

/**
 * Merges encoded histograms exactly (counts add bucket by bucket) into one encoded histogram.
 *
 * @example
 * ```ts
 * const merged = mergeHistograms([encodeSamples([1, 2]), encodeSamples([3])]);
 * decodeHistogram(merged).totalCount; // 3
 * ```
 */
export function mergeHistograms(encoded: readonly string[]): string {
  const merged = newHistogram();
  for (const one of encoded) merged.add(decodeHistogram(one));
  return hdr.encodeIntoCompressedBase64(merged);
}

/**
 * Total number of samples in an encoded histogram.
 *
 * @example
 * ```ts
 * histogramCount(encodeSamples([1, 2, 3])); // 3
 * ```
 */
export function histogramCount(encoded: string): number {
  return decodeHistogram(encoded).totalCount;
}

/**
 * The `p`-th percentile (0 < p ≤ 100) of an encoded histogram, by the project's one definition
 * (linear interpolation between the two nearest values, each value its bucket's middle); null when
 * the histogram is empty.
 *
 * @example
 * ```ts
 * hdrPercentile(encodeSamples([5, 1, 3, 2, 4]), 50); // 3, as percentile([5, 1, 3, 2, 4], 50)
 * hdrPercentile(encodeSamples([10, 20]), 50); // 15
 * ```
 */
export function hdrPercentile(encoded: string, p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`p must be in (0, 100], got ${p}`);
  const histogram = decodeHistogram(encoded) as unknown as IndexedHistogram & Histogram;
  const total = histogram.totalCount;
  if (total === 0) return null;
  const rank = (total - 1) * p / 100;
  const [lowRank, highRank] = [Math.floor(rank), Math.ceil(rank)];
  let low: number | null = null;
  let high: number | null = null;
  let seen = 0;
  for (let i = 0; i < histogram.countsArrayLength && high === null; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count === 0) continue;
    const value = histogram.medianEquivalentValue(histogram.valueFromIndex(i));
    seen += count;
    if (low === null && seen > lowRank) low = value;
    if (seen > highRank) high = value;
  }
  if (low === null || high === null) return null;
  return low + (high - low) * (rank - lowRank);
}

/**
 * HdrHistogram's standard percentile distribution of an encoded histogram, values in
 * microseconds (`Value  Percentile  TotalCount  1/(1-Percentile)`, then mean, max and buckets).
 *
 * @example
 * ```ts
 * console.log(percentileDistribution(encodeSamples([1000, 2000, 3000])));
 * ```
 */
export function percentileDistribution(encoded: string, ticksPerHalfDistance = 5): string {
  return decodeHistogram(encoded).outputPercentileDistribution(ticksPerHalfDistance, 1000);
}
