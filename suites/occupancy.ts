/**
 * The memory the rest of the system occupied while a case ran (the simulator's fragmentation),
 * measured in the windows the memory map draws, so that a 95 % fragmented machine does not look
 * empty. Only a backend that can say which frames are free (the simulator) has it.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import type { MachineLayout } from "../core/machine.ts";
import { mapWindows } from "./map_windows.ts";
import type { AllocationRecord, OccupancyStrip, PreOccupied } from "./results.ts";

/** Bins per strip at most (4 px each at the map's 520 px); a narrower window has one per page. */
export const OCCUPANCY_BINS = 130;
/** Frames looked at per bin; a bin with more RAM pages is sampled evenly. */
const SAMPLES_PER_BIN = 64;

/** What a backend must offer to be measured: the simulator's read-only frame accessors. */
interface FrameState {
  isFrameFree(pfn: number): boolean;
  readonly fragmentedPageCount: number;
}

function hasFrameState(backend: Backend): backend is Backend & FrameState {
  const candidate = backend as Partial<FrameState>;
  return typeof candidate.isFrameFree === "function" &&
    typeof candidate.fragmentedPageCount === "number";
}

/**
 * Pre-occupied memory in the overview and zoom windows, or null for a backend that cannot tell
 * (real hardware shares its memory with everything else) or without a machine layout. Call it
 * when the case's own pages are free again.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.95, seed: 1 });
 * const occupied = measurePreOccupied(sim, sim.machine, []);
 * occupied?.pages === sim.fragmentedPageCount; // true
 * occupied?.strips[0].bins.filter((b) => b > 0.9).length; // most bins of RAM
 * ```
 */
export function measurePreOccupied(
  backend: Backend,
  machine: MachineLayout | null,
  records: readonly AllocationRecord[],
): PreOccupied | null {
  if (!hasFrameState(backend) || machine === null) return null;
  const windows = mapWindows({ machine, pageSize: backend.pageSize, allocations: records });
  const strips = [windows.overview, ...(windows.zoom ? [windows.zoom] : [])].map((w) =>
    measureStrip(backend, machine, w.from, w.to)
  );
  return { pages: backend.fragmentedPageCount, strips };
}

function measureStrip(
  frames: FrameState,
  machine: MachineLayout,
  from: bigint,
  to: bigint,
): OccupancyStrip {
  const page = BigInt(machine.pageSize);
  const span = to - from;
  // A zoom on a few dozen pages gets one bin per page: a bin never holds less than a page.
  const count = Number(span / page < BigInt(OCCUPANCY_BINS) ? span / page : OCCUPANCY_BINS) || 1;
  let sampled = false;
  const bins: number[] = [];
  for (let i = 0; i < count; i++) {
    const binFrom = from + span * BigInt(i) / BigInt(count);
    const binTo = from + span * BigInt(i + 1) / BigInt(count);
    // RAM frames of this bin, as [first, end) frame ranges.
    const ranges: [number, number][] = [];
    for (const r of machine.ranges) {
      const lo = maxBig(r.base, binFrom);
      const hi = minBig(r.base + r.length, binTo);
      const first = Number((lo + page - 1n) / page);
      const end = Number(hi / page);
      if (end > first) ranges.push([first, end]);
    }
    const total = ranges.reduce((n, [a, b]) => n + b - a, 0);
    if (total === 0) {
      bins.push(-1);
      continue;
    }
    const samples = Math.min(total, SAMPLES_PER_BIN);
    if (samples < total) sampled = true;
    let occupied = 0;
    for (let s = 0; s < samples; s++) {
      let index = Math.floor((s + 0.5) * total / samples);
      for (const [a, b] of ranges) {
        if (index < b - a) {
          if (!frames.isFrameFree(a + index)) occupied++;
          break;
        }
        index -= b - a;
      }
    }
    bins.push(Math.round(occupied / samples * 100) / 100);
  }
  return { from, to, bins, sampled };
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
