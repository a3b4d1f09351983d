/**
 * Measuring where a backend places pages: the same workload on any backend (the host through the
 * hardware backend, or a simulator), its run lengths per buffer, share above 4 GiB and spread, the
 * placement profile built from a host measurement, and the per-buffer sample the calibration's
 * Kolmogorov–Smirnov tests compare.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import { PLACEMENT_PROFILE_FORMAT, type PlacementProfile } from "../core/placement_profile.ts";
import { seededRandom } from "../core/random.ts";

/** Default buffer sizes: 64 KiB to 16 MiB. */
export const PLACEMENT_SIZES: readonly number[] = [64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20];

/**
 * One buffer of the workload.
 *
 * @example
 * ```ts
 * const b: PlacementBuffer = { pages: 16, afterFree: false, reused: 0, runs: [1, 2, 1] };
 * ```
 */
export interface PlacementBuffer {
  /** Pages of the buffer. */
  readonly pages: number;
  /** Whether the backend had freed pages of this workload before (every round but the first). */
  readonly afterFree: boolean;
  /** Its pages that the round before had held. */
  readonly reused: number;
  /** Its complete runs of physically contiguous pages, in MDL order; the last, cut, left out. */
  readonly runs: number[];
}

/**
 * What one run of the workload saw.
 *
 * @example
 * ```ts
 * const m: PlacementMeasurement = {
 *   buffers: [{ pages: 6, afterFree: false, reused: 0, runs: [1, 1, 3] }], runLengths: [1, 1, 3],
 *   above4GiBShare: 1, spread: 0.5, reuseShare: 0, allocations: 1, pages: 6,
 * };
 * ```
 */
export interface PlacementMeasurement {
  /** Every buffer, in allocation order. */
  readonly buffers: PlacementBuffer[];
  /** All buffers' complete runs pooled. */
  readonly runLengths: number[];
  readonly above4GiBShare: number;
  readonly spread: number;
  /** Share of the pages of rounds after the first that the round before had held. */
  readonly reuseShare: number;
  readonly allocations: number;
  readonly pages: number;
}

/**
 * Runs `rounds` rounds on `backend`: each allocates one buffer of every size (HighAddress: no
 * limit), holds them all, then frees them. `highestFrame` scales the spread (default: the highest
 * frame seen). Measure a fresh process or simulator: the first round is then the only one made
 * before any free.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ seed: 1 });
 * measurePlacement(sim, { sizes: [65536], rounds: 2 }).buffers.length; // 2
 * ```
 */
export function measurePlacement(
  backend: Backend,
  { sizes = PLACEMENT_SIZES, rounds = 200, highestFrame }: {
    sizes?: readonly number[];
    rounds?: number;
    highestFrame?: number;
  } = {},
): PlacementMeasurement {
  if (!Number.isSafeInteger(rounds) || rounds < 1) {
    throw new RangeError(`rounds must be an integer ≥ 1, got ${rounds}`);
  }
  const stream = backend.stream();
  const fourGiB = 2 ** 32 / backend.pageSize;
  const buffers: PlacementBuffer[] = [];
  const all: number[] = [];
  let above = 0;
  let reused = 0;
  let reuseBase = 0;
  let lastFreed = new Set<number>();
  for (let r = 0; r < rounds; r++) {
    const held = [];
    for (const size of sizes) {
      const mdl = stream.allocatePagesForMdl(-1n, size);
      if (mdl === null) continue;
      held.push(mdl);
      const pfns = mdl.pfns;
      const runs: number[] = [];
      let run = 1;
      for (let i = 1; i < pfns.length; i++) {
        if (pfns[i] === pfns[i - 1] + 1) run++;
        else (runs.push(run), run = 1);
      }
      let again = 0;
      for (const f of pfns) {
        all.push(f);
        if (f >= fourGiB) above++;
        if (r > 0 && lastFreed.has(f)) again++;
      }
      buffers.push({ pages: pfns.length, afterFree: r > 0, reused: again, runs });
      if (r > 0) (reused += again, reuseBase += pfns.length);
    }
    lastFreed = new Set(held.flatMap((m) => [...m.pfns]));
    for (const mdl of held) stream.freePagesFromMdl(mdl);
  }
  all.sort((a, b) => a - b);
  const top = highestFrame ?? all[all.length - 1] ?? 1;
  const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  return {
    buffers,
    runLengths: buffers.flatMap((b) => b.runs),
    above4GiBShare: all.length ? above / all.length : 0,
    spread: all.length ? Math.min(1, (q(0.95) - q(0.05)) / top) : 0,
    reuseShare: reuseBase ? reused / reuseBase : 0,
    allocations: buffers.length,
    pages: all.length,
  };
}

/**
 * The test sample of a measurement: one complete run per buffer, picked uniformly with a seeded
 * stream (buffers without a complete run are left out). Runs of one buffer depend on each other
 * (one free list, one refill); buffers are the unit that repeats, so one run each keeps the
 * observations close to independent, as the Kolmogorov–Smirnov test assumes.
 *
 * @example
 * ```ts
 * onePerBuffer({ buffers: [{ pages: 3, afterFree: false, reused: 0, runs: [2] }] }, 1); // [2]
 * ```
 */
export function onePerBuffer(m: Pick<PlacementMeasurement, "buffers">, seed: number): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  for (const b of m.buffers) {
    if (b.runs.length > 0) out.push(b.runs[Math.floor(random() * b.runs.length)]);
  }
  return out;
}

/**
 * A placement profile (version 2) from a measurement of `backend`: pooled runs, and per buffer
 * size the runs of the first round ("first") and of the later ones ("reuse").
 *
 * @example
 * ```ts
 * const m = {
 *   buffers: [{ pages: 5, afterFree: false, reused: 0, runs: [1, 1, 2] }], runLengths: [1, 1, 2],
 *   above4GiBShare: 1, spread: 0.5, reuseShare: 0, allocations: 1, pages: 5,
 * };
 * profileFromMeasurement(m, { name: "linux-host", pageSize: 4096 }, { sizes: [20480], rounds: 1 })
 *   .classes; // [{ pages: 5, first: [[1, 2], [2, 1]], reuse: [], reuseShare: 0 }]
 * ```
 */
export function profileFromMeasurement(
  m: PlacementMeasurement,
  backend: Pick<Backend, "name" | "pageSize">,
  workload: { sizes: readonly number[]; rounds: number },
): PlacementProfile & { format: typeof PLACEMENT_PROFILE_FORMAT } {
  const byPages = new Map<
    number,
    { first: number[]; reuse: number[]; reused: number; later: number }
  >();
  for (const b of m.buffers) {
    let c = byPages.get(b.pages);
    if (c === undefined) byPages.set(b.pages, c = { first: [], reuse: [], reused: 0, later: 0 });
    (b.afterFree ? c.reuse : c.first).push(...b.runs);
    if (b.afterFree) (c.reused += b.reused, c.later += b.pages);
  }
  const classes = [...byPages].sort((a, b) => a[0] - b[0])
    .map(([pages, c]) => ({
      pages,
      first: histogram(c.first),
      reuse: histogram(c.reuse),
      reuseShare: c.later ? c.reused / c.later : 0,
    }))
    .filter((c) => c.first.length + c.reuse.length > 0);
  return {
    format: PLACEMENT_PROFILE_FORMAT,
    measuredAt: new Date().toISOString(),
    measuredOn: backend.name,
    pageSize: backend.pageSize as 4096,
    workload: { sizes: [...workload.sizes], rounds: workload.rounds },
    allocations: m.allocations,
    pages: m.pages,
    runLengths: histogram(m.runLengths),
    above4GiBShare: m.above4GiBShare,
    spread: m.spread,
    reuseShare: m.reuseShare,
    classes,
  };
}

function histogram(lengths: readonly number[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const l of lengths) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/**
 * Several measurements as one sample: buffers concatenated, shares weighted by pages.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * const parts = [1, 2].map((seed) => {
 *   using sim = new Simulator({ seed });
 *   return measurePlacement(sim, { sizes: [65536], rounds: 2 });
 * });
 * mergeMeasurements(parts).buffers.length; // 4
 * ```
 */
export function mergeMeasurements(parts: readonly PlacementMeasurement[]): PlacementMeasurement {
  const pages = parts.reduce((s, m) => s + m.pages, 0);
  const later = (m: PlacementMeasurement) =>
    m.buffers.reduce((s, b) => s + (b.afterFree ? b.pages : 0), 0);
  const laterPages = parts.reduce((s, m) => s + later(m), 0);
  const weighted = (
    f: (m: PlacementMeasurement) => number,
    w: (m: PlacementMeasurement) => number,
    total: number,
  ) => total ? parts.reduce((s, m) => s + f(m) * w(m), 0) / total : 0;
  return {
    buffers: parts.flatMap((m) => m.buffers),
    runLengths: parts.flatMap((m) => m.runLengths),
    above4GiBShare: weighted((m) => m.above4GiBShare, (m) => m.pages, pages),
    spread: weighted((m) => m.spread, (m) => m.pages, pages),
    reuseShare: weighted((m) => m.reuseShare, later, laterPages),
    allocations: parts.reduce((s, m) => s + m.allocations, 0),
    pages,
  };
}
