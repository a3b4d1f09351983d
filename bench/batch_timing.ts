/**
 * Timing of short calls for the side-by-side benches: calls are run in batches (one call is
 * below the timer's resolution), after a warm-up long enough for V8 to optimize them, and the
 * median batch is reported, with the project's one percentile definition.
 *
 * @module
 */

import { percentile } from "../stats/latency.ts";

/**
 * The median of `values` (`stats/latency.ts`'s percentile 50); NaN when there are none.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  return percentile(values, 50) ?? NaN;
}

/**
 * Nanoseconds per call of `body`: the median of `samples` batches of `batch` calls, after at
 * least 300 ms of warm-up (a 1 MiB allocate + free pair is fully optimized only after some
 * 10,000 calls).
 *
 * @example
 * ```ts
 * const ns = nsPerCall(3, 100, () => Math.sqrt(2));
 * ns >= 0; // true
 * ```
 */
export function nsPerCall(samples: number, batch: number, body: () => void): number {
  return median(pairedBatches(samples, batch, body, () => 0).times);
}

/**
 * `samples` batches of `batch` calls of `body` (after the warm-up of {@linkcode nsPerCall}),
 * each right after one call of `reference` (which times its own work, e.g. a C loop, and returns
 * nanoseconds per call): the pairs lie milliseconds apart, so a ratio per pair shares the load
 * of that moment. Returns nanoseconds per call of `body` and the reference's figures, pair by pair.
 *
 * @example
 * ```ts
 * const { times, references } = pairedBatches(3, 100, () => Math.sqrt(2), () => 1);
 * [times.length, references[0]]; // [3, 1]
 * ```
 */
export function pairedBatches(
  samples: number,
  batch: number,
  body: () => void,
  reference: () => number,
): { times: number[]; references: number[] } {
  const warm = performance.now();
  do for (let i = 0; i < batch; i++) body(); while (performance.now() - warm < 300);
  const times: number[] = [];
  const references: number[] = [];
  for (let s = 0; s < samples; s++) {
    references.push(reference());
    times.push(nsPerBatch(batch, body));
  }
  return { times, references };
}

/**
 * Nanoseconds per call of one batch of `batch` calls of `body`, without warm-up.
 *
 * @example
 * ```ts
 * nsPerBatch(100, () => Math.sqrt(2)) >= 0; // true
 * ```
 */
export function nsPerBatch(batch: number, body: () => void): number {
  const start = performance.now();
  for (let i = 0; i < batch; i++) body();
  return (performance.now() - start) * 1e6 / batch;
}
