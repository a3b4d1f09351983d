/**
 * Per-call latency samples from any backend. Durations come from the backend itself
 * (`stream.lastCall`): modeled by the simulator, measured in native code by the hardware helper,
 * so the FFI round trip and this harness are never part of a sample. Every MDL is freed at once.
 *
 * @module
 */

import type { Backend, WaveRtStream } from "../core/backend.ts";

/** The call to sample: one allocation, freed right after. */
export interface SampleRequest {
  /** Which allocator to time. */
  readonly call: "allocatePagesForMdl" | "allocateContiguousPagesForMdl";
  /** Bytes requested per call. */
  readonly totalBytes: number;
  /** Highest acceptable physical address (inclusive). */
  readonly highAddress: bigint;
  /** Lowest acceptable physical address, for the contiguous allocator; default 0. */
  readonly lowAddress?: bigint;
}

/** Options of {@linkcode sampleLatency}. */
export interface SampleOptions {
  /** Calls made and discarded first, so caches and free lists settle. Default 10. */
  readonly warmup?: number;
  /** Samples to take. Default 200. */
  readonly samples?: number;
  /** Stop early after this many milliseconds of wall time (at least 5 samples are kept). */
  readonly timeBudgetMs?: number;
}

/** Samples of one request on one backend. */
export interface LatencySamples {
  /** `Backend.name` of the backend sampled, e.g. "simulator" or "linux-host". */
  readonly backend: string;
  /** Whether the durations are modeled (simulator) or measured in native code (hardware). */
  readonly source: "modeled" | "measured";
  /** The request that was timed. */
  readonly request: SampleRequest;
  /** Durations of the calls that returned an MDL, in nanoseconds. */
  readonly durationsNs: number[];
  /** Calls that returned NULL (not sampled). */
  readonly nullResults: number;
  /** Calls that returned fewer bytes than asked. */
  readonly partialResults: number;
}

/**
 * Takes latency samples of `request` on `backend`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const s = sampleLatency(sim, { call: "allocatePagesForMdl", totalBytes: 1920, highAddress: 0xFFFFFFFFn });
 * s.durationsNs.length; // 200
 * ```
 */
export function sampleLatency(
  backend: Backend,
  request: SampleRequest,
  options: SampleOptions = {},
): LatencySamples {
  const { warmup = 10, samples = 200, timeBudgetMs = Infinity } = options;
  const stream = backend.stream();
  for (let i = 0; i < warmup; i++) callOnce(stream, request);
  const durationsNs: number[] = [];
  let nullResults = 0;
  let partialResults = 0;
  const deadline = performance.now() + timeBudgetMs;
  for (let i = 0; i < samples; i++) {
    const outcome = callOnce(stream, request);
    if (outcome === null) nullResults++;
    else {
      durationsNs.push(outcome.durationNs);
      if (outcome.partial) partialResults++;
    }
    if (i >= 4 && performance.now() > deadline) break;
  }
  return {
    backend: backend.name,
    source: stream.lastCall?.source ?? backend.capabilities.timing.source,
    request,
    durationsNs,
    nullResults,
    partialResults,
  };
}

/** One allocation and its free; returns the allocation's duration, or null for NULL. */
function callOnce(
  stream: WaveRtStream,
  request: SampleRequest,
): { durationNs: number; partial: boolean } | null {
  const mdl = request.call === "allocatePagesForMdl"
    ? stream.allocatePagesForMdl(request.highAddress, request.totalBytes)
    : stream.allocateContiguousPagesForMdl(
      request.lowAddress ?? 0n,
      request.highAddress,
      request.totalBytes,
    );
  const durationNs = stream.lastCall?.durationNs ?? NaN;
  if (mdl === null) return null;
  stream.freePagesFromMdl(mdl);
  return { durationNs, partial: mdl.byteCount < request.totalBytes };
}

/**
 * Wall-clock cost this harness adds per sample on top of the calls themselves, in nanoseconds:
 * the same number of allocate + free pairs timed bare and through {@linkcode sampleLatency}.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ captureAllocationSites: false });
 * harnessOverheadNs(sim, { call: "allocatePagesForMdl", totalBytes: 4096, highAddress: 0xFFFFFFFFn });
 * ```
 */
export function harnessOverheadNs(
  backend: Backend,
  request: SampleRequest,
  calls = 20_000,
): number {
  const stream = backend.stream();
  const { highAddress, totalBytes } = request;
  const bare = () => {
    const start = performance.now();
    for (let i = 0; i < calls; i++) {
      const mdl = request.call === "allocatePagesForMdl"
        ? stream.allocatePagesForMdl(highAddress, totalBytes)
        : stream.allocateContiguousPagesForMdl(request.lowAddress ?? 0n, highAddress, totalBytes);
      if (mdl !== null) stream.freePagesFromMdl(mdl);
    }
    return performance.now() - start;
  };
  const sampled = () => {
    const start = performance.now();
    sampleLatency(backend, request, { warmup: 0, samples: calls });
    return performance.now() - start;
  };
  bare();
  sampled();
  // Alternate and take the best of five of each, to keep scheduling noise out.
  const bareBest = Math.min(...Array.from({ length: 5 }, bare));
  const sampledBest = Math.min(...Array.from({ length: 5 }, sampled));
  return Math.max(0, (sampledBest - bareBest) * 1e6 / calls);
}
