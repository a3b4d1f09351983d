/**
 * The physical floor of a zeroed allocation: how fast this machine can zero memory. Measured with
 * `TypedArray.prototype.fill(0)`, which V8 implements with the C library's memset, on a buffer
 * large enough to miss the caches, as freshly allocated pages do.
 *
 * @module
 */

/** Zeroing bandwidth, and what zeroing one page costs at that bandwidth. */
export interface ZeroingFloor {
  readonly bytesPerSecond: number;
  readonly nsPerPage: number;
  readonly bufferBytes: number;
}

/**
 * Measures zeroing bandwidth: the median of `rounds` fills of a `bufferBytes` buffer.
 *
 * @example
 * ```ts
 * const floor = measureZeroing(4096, 8 << 20, 5);
 * floor.nsPerPage; // e.g. 300 at 13 GB/s
 * ```
 */
export function measureZeroing(pageSize = 4096, bufferBytes = 64 << 20, rounds = 15): ZeroingFloor {
  const buffer = new Uint8Array(bufferBytes);
  buffer.fill(1); // touch every page first: page faults are not zeroing bandwidth
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    buffer[i] = 1;
    const start = performance.now();
    buffer.fill(0);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const seconds = times[Math.floor(times.length / 2)] / 1000;
  const bytesPerSecond = bufferBytes / seconds;
  return { bytesPerSecond, nsPerPage: pageSize / bytesPerSecond * 1e9, bufferBytes };
}
