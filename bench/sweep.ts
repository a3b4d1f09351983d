/**
 * The latency sweep: allocation sizes from one page to 64 MiB on each backend, summarized, with
 * a stable, versioned JSON shape that later runs compare against.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import { SCHEMAS } from "../results/envelope.ts";
import { type LatencySamples, sampleLatency, type SampleOptions } from "./sampler.ts";
import {
  type HistogramBucket,
  type LatencySummary,
  logHistogram,
  summarize,
} from "../stats/latency.ts";

/**
 * The JSON schema tag of a sweep report; bumped on any incompatible change (results/envelope.ts
 * holds every kind's tag).
 *
 * @example
 * ```ts
 * SWEEP_SCHEMA; // "wavert-bench.latency-sweep/2"
 * ```
 */
export const SWEEP_SCHEMA: "wavert-bench.latency-sweep/2" = SCHEMAS["latency-sweep"];

/** One size on one backend. */
export interface SweepCase {
  /** Bytes requested per allocation. */
  readonly bytes: number;
  /** Pages that size takes on the backend. */
  readonly pages: number;
  /** The raw samples of allocating that size. */
  readonly samples: LatencySamples;
  /** Statistics of the samples; null when every call returned NULL. */
  readonly summary: LatencySummary | null;
  /** Log-spaced histogram of the samples, 10 buckets per decade. */
  readonly histogram: HistogramBucket[];
}

/** All sizes on one backend. */
export interface SweepBackend {
  /** `Backend.name` of the backend swept. */
  readonly backend: string;
  /** Whether its durations are modeled or measured. */
  readonly source: "modeled" | "measured";
  /** Smallest step its clock was seen to take, in ns (0 for modeled time). */
  readonly resolutionNs: number;
  /** One entry per size, smallest first. */
  readonly cases: SweepCase[];
}

/**
 * Sizes from one page to 64 MiB, doubling.
 *
 * @example
 * ```ts
 * defaultSweepSizes(4096).length; // 15: 4 KiB … 64 MiB
 * ```
 */
export function defaultSweepSizes(pageSize: number, largest = 64 << 20): number[] {
  const sizes: number[] = [];
  for (let bytes = pageSize; bytes <= largest; bytes *= 2) sizes.push(bytes);
  return sizes;
}

/**
 * Samples every size on `backend` with allocatePagesForMdl below 4 GiB.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * sweepBackend(sim, [4096, 65536], { samples: 20 }).cases[1].summary?.p50;
 * ```
 */
export function sweepBackend(
  backend: Backend,
  sizes: readonly number[],
  options: SampleOptions = {},
  onProgress: (done: number, total: number) => void = () => {},
): SweepBackend {
  const cases = sizes.map((bytes, i) => {
    const samples = sampleLatency(backend, {
      call: "allocatePagesForMdl",
      totalBytes: bytes,
      highAddress: 0xffffffffn,
    }, options);
    onProgress(i + 1, sizes.length);
    return {
      bytes,
      pages: Math.ceil(bytes / backend.pageSize),
      samples,
      summary: samples.durationsNs.length ? summarize(samples.durationsNs) : null,
      histogram: logHistogram(samples.durationsNs),
    };
  });
  return {
    backend: backend.name,
    source: backend.capabilities.timing.source,
    resolutionNs: backend.capabilities.timing.resolutionNs,
    cases,
  };
}
