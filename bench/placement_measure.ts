/**
 * Measuring where a backend places pages: the same workload on any backend (the host through the
 * hardware backend, or a simulator), its run lengths, share above 4 GiB and spread, and the
 * placement profile built from a host measurement.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import { PLACEMENT_PROFILE_FORMAT, type PlacementProfile } from "../core/placement_profile.ts";

/** Default buffer sizes: 64 KiB to 16 MiB. */
export const PLACEMENT_SIZES: readonly number[] = [64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20];

/**
 * What one run of the workload saw.
 *
 * @example
 * ```ts
 * const m: PlacementMeasurement = {
 *   runLengths: [1, 1, 3], above4GiBShare: 1, spread: 0.5, reuseShare: 0, allocations: 1, pages: 6,
 * };
 * ```
 */
export interface PlacementMeasurement {
  /** Lengths of physically contiguous runs, every MDL's last run left out (cut by its end). */
  readonly runLengths: number[];
  readonly above4GiBShare: number;
  readonly spread: number;
  readonly reuseShare: number;
  readonly allocations: number;
  readonly pages: number;
}

/**
 * Runs `rounds` rounds on `backend`: each allocates one buffer of every size (HighAddress: no
 * limit), holds them all, then frees them. `highestFrame` scales the spread (default: the highest
 * frame seen).
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ seed: 1 });
 * measurePlacement(sim, { sizes: [65536], rounds: 2 }).runLengths.length > 0; // true
 * ```
 */
export function measurePlacement(
  backend: Backend,
  { sizes = PLACEMENT_SIZES, rounds = 20, highestFrame }: {
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
  const runLengths: number[] = [];
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
      const pfns = [...mdl.pfns];
      let run = 1;
      for (let i = 1; i < pfns.length; i++) {
        if (pfns[i] === pfns[i - 1] + 1) run++;
        else (runLengths.push(run), run = 1);
      }
      for (const f of pfns) {
        all.push(f);
        if (f >= fourGiB) above++;
        if (r > 0) reused += lastFreed.has(f) ? 1 : 0;
      }
      if (r > 0) reuseBase += pfns.length;
    }
    lastFreed = new Set(held.flatMap((m) => [...m.pfns]));
    for (const mdl of held) stream.freePagesFromMdl(mdl);
  }
  all.sort((a, b) => a - b);
  const top = highestFrame ?? all[all.length - 1] ?? 1;
  const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  return {
    runLengths,
    above4GiBShare: all.length ? above / all.length : 0,
    spread: all.length ? Math.min(1, (q(0.95) - q(0.05)) / top) : 0,
    reuseShare: reuseBase ? reused / reuseBase : 0,
    allocations: rounds * sizes.length,
    pages: all.length,
  };
}

/**
 * A placement profile from a measurement of `backend`.
 *
 * @example
 * ```ts
 * const m = { runLengths: [1, 1, 2], above4GiBShare: 1, spread: 0.5, reuseShare: 0, allocations: 1, pages: 5 };
 * profileFromMeasurement(m, { name: "linux-host", pageSize: 4096 }, { sizes: [20480], rounds: 1 })
 *   .runLengths; // [[1, 2], [2, 1]]
 * ```
 */
export function profileFromMeasurement(
  m: PlacementMeasurement,
  backend: Pick<Backend, "name" | "pageSize">,
  workload: { sizes: readonly number[]; rounds: number },
): PlacementProfile {
  const counts = new Map<number, number>();
  for (const l of m.runLengths) counts.set(l, (counts.get(l) ?? 0) + 1);
  return {
    format: PLACEMENT_PROFILE_FORMAT,
    measuredAt: new Date().toISOString(),
    measuredOn: backend.name,
    pageSize: backend.pageSize as 4096,
    workload: { sizes: [...workload.sizes], rounds: workload.rounds },
    allocations: m.allocations,
    pages: m.pages,
    runLengths: [...counts].sort((a, b) => a[0] - b[0]),
    above4GiBShare: m.above4GiBShare,
    spread: m.spread,
    reuseShare: m.reuseShare,
  };
}
