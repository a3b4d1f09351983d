/**
 * Placement: which free frames a non-contiguous allocation gets. The documentation promises only
 * "pages inside [Low, High]", so where they lie is a named policy ([HW?] in
 * `docs/wavert-semantics.md`), chosen with `new Simulator({ placement })`:
 *
 * - `"lowest-first"`: free frames in ascending order from LowAddress, as ReactOS's
 *   `MiAllocatePagesForMdl` scans them when a range is given. On an unfragmented machine every
 *   buffer lies at the bottom of RAM, so a check that pages stay below 4 GiB can never fail.
 * - `"running-system"` (default): frames as a running system's free lists hand them out: the
 *   pages freed most recently are reused first (last freed, first reused), the rest come in short
 *   physically contiguous runs (geometric, mean 2 pages) from random places spread across all RAM
 *   in range, so on a machine with RAM above 4 GiB most pages lie there. Seeded: the same seed,
 *   options and calls give the same frames.
 * - `{ profile }` (`"calibrated"`): the same scattered mechanics with run lengths drawn from a
 *   measured {@linkcode PlacementProfile} and its share of pages above 4 GiB. A version 2 profile
 *   holds histograms per buffer size (the nearest measured size is used) for allocations before
 *   any free ("first") and after ("reuse"); after frees each run starts at the frame freed last
 *   (last freed, first reused, as Linux's per-CPU free lists hand pages back) and extends over
 *   free frames to the drawn length. A version 1 profile has one histogram and no reuse.
 *
 * Contiguous requests (one run, chunks, PREFER_CONTIGUOUS) search lowest-first under every
 * placement.
 *
 * @module
 */

import type { FrameBitmap, FrameSink } from "./frame_bitmap.ts";
import type { MachineLayout } from "./machine.ts";
import { PLACEMENT_PROFILE_FORMAT_V1, type PlacementProfile } from "./placement_profile.ts";
import { geometricSampler, histogramSampler, RewindableRandom } from "./random.ts";
import { LONGEST_KEPT_WHOLE, RecentFrees } from "./recent_frees.ts";
import { BATCH_RUNS, RunBatch } from "./scattered_take.ts";
import type { WordGroups, WordGroupsPool } from "./word_groups.ts";

/** Names of the placement policies. */
export type PlacementName = "lowest-first" | "running-system" | "calibrated";

/**
 * The `placement` option: a policy name, or `{ profile }` for the calibrated placement.
 *
 * @example
 * ```ts
 * const option: PlacementOption = "lowest-first";
 * ```
 */
export type PlacementOption = "lowest-first" | "running-system" | {
  readonly profile: PlacementProfile;
};

/** The default placement, with the evidence in this module's documentation. */
export const DEFAULT_PLACEMENT: "running-system" | "lowest-first" = "running-system";

/**
 * How one simulator picks free frames for a non-contiguous allocation.
 *
 * @example
 * ```ts
 * import { FrameBitmap } from "./frame_bitmap.ts";
 * import { machinePresets } from "./machine.ts";
 * const placement: Placement = createPlacement("lowest-first", machinePresets["x64-4gib"], 1);
 * const bitmap = new FrameBitmap(64);
 * bitmap.setRange(8, 56, true);
 * const out: number[] = [];
 * placement.take(bitmap, 0, 64, 2, out, 0); // 2: frames 8 and 9
 * ```
 */
export interface Placement {
  readonly name: PlacementName;
  /** Takes up to `max` free frames of [lo, hi) into `out[offset…]`; returns how many. */
  readonly take: TakeFrames;
  /** Told of frames a driver freed, in MDL order, with their MDL's grouping by word if any. */
  freed(frames: ArrayLike<number>, count: number, groups?: WordGroups): void;
  /**
   * Whether {@linkcode freed} keeps the list and grouping it is given (by reference), giving
   * them back to the frame slab and the grouping pool itself once it forgets them; when false
   * the caller may reuse both at once.
   */
  readonly keepsFreedLists: boolean;
  /**
   * The longest freed list the memory manager may leave parked out of the bitmap
   * (`FrameBitmap.park`), for the next {@linkcode take} to take back whole where those are the
   * frames it would take first (a placement that keeps freed lists holds it until then); 0:
   * never park.
   */
  readonly parkLimit: number;
  /** Forgets every free it was told of and restarts its random stream, as when just created. */
  reset(): void;
}

/**
 * What {@linkcode Placement.take} does: takes up to `max` free frames of [lo, hi) from `bitmap`
 * into `out[offset…]` and returns how many.
 *
 * @example
 * ```ts
 * const take: TakeFrames = (bitmap, lo, hi, max, out, offset) =>
 *   bitmap.takeAscending(lo, hi, max, out, offset);
 * ```
 */
export type TakeFrames = (
  bitmap: FrameBitmap,
  lo: number,
  hi: number,
  max: number,
  out: FrameSink,
  offset: number,
) => number;

/**
 * The placement for an option, on `machine`, seeded by `seed`; `groupings` takes back the freed
 * MDLs' groupings it keeps (see {@linkcode Placement.keepsFreedLists}) once it forgets them.
 *
 * @example
 * ```ts
 * import { machinePresets } from "./machine.ts";
 * createPlacement("running-system", machinePresets["x64-16gib"], 42).name; // "running-system"
 * ```
 */
export function createPlacement(
  option: PlacementOption,
  machine: MachineLayout,
  seed: number,
  groupings?: WordGroupsPool,
): Placement {
  if (option === "lowest-first") return lowestFirst;
  if (option === "running-system") {
    return new ScatteredPlacement("running-system", machine, seed, groupings, {
      // The sampler gives geometric()'s draws with its logarithm computed once.
      drawRun: geometricSampler(RUNNING_SYSTEM_MEAN_RUN),
      above4GiBShare: null,
      reuse: true,
    });
  }
  if (option !== null && typeof option === "object" && typeof option.profile === "object") {
    const profile = option.profile;
    if (profile.pageSize !== machine.pageSize) {
      throw new RangeError(
        `placement.profile was measured with ${profile.pageSize}-byte pages, ` +
          `the machine has ${machine.pageSize}`,
      );
    }
    if (profile.format === PLACEMENT_PROFILE_FORMAT_V1) {
      return new ScatteredPlacement("calibrated", machine, seed, groupings, {
        drawRun: histogramSampler(profile.runLengths),
        above4GiBShare: profile.above4GiBShare,
        reuse: false,
      });
    }
    const classes = profile.classes.map((c) => ({
      pages: c.pages,
      first: histogramSampler(c.first.length ? c.first : c.reuse),
      reuse: histogramSampler(c.reuse.length ? c.reuse : c.first),
      reuseShare: c.reuseShare,
    }));
    return new ScatteredPlacement("calibrated", machine, seed, groupings, {
      drawRun: classes[0].first,
      above4GiBShare: profile.above4GiBShare,
      reuse: true,
      classes,
    });
  }
  throw new RangeError(
    `placement must be "lowest-first", "running-system" or { profile }, got ${
      typeof option === "string" ? JSON.stringify(option) : String(option)
    }`,
  );
}

/** Mean run of the `running-system` placement, in pages: an assumption until Windows measures it. */
const RUNNING_SYSTEM_MEAN_RUN = 2;

const lowestFirst: Placement = {
  name: "lowest-first",
  take: (bitmap, lo, hi, max, out, offset) => bitmap.takeAscending(lo, hi, max, out, offset),
  freed() {},
  keepsFreedLists: false,
  // Its next take of at least as many frames takes a freed list back when it is the lowest free.
  parkLimit: Number.MAX_SAFE_INTEGER,
  reset() {},
};

interface ScatterParameters {
  readonly drawRun: (random: () => number) => number;
  /** Share of starts placed at or above 4 GiB when the range has RAM on both sides. */
  readonly above4GiBShare: number | null;
  readonly reuse: boolean;
  /** Per buffer size (calibrated, version 2): every run starts at a recently freed frame. */
  readonly classes?: readonly SizeClass[];
}

interface SizeClass {
  readonly pages: number;
  readonly first: (random: () => number) => number;
  readonly reuse: (random: () => number) => number;
  /** Share of runs after frees that start at a recently freed frame. */
  readonly reuseShare: number;
}

class ScatteredPlacement implements Placement {
  readonly name: PlacementName;
  readonly #rng: RewindableRandom;
  /** Where the stream starts: {@linkcode reset} puts it back there. */
  readonly #origin: number;
  /** `#rng.next`: every draw of this placement. */
  readonly #random: () => number;
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #fourGiB: number;
  readonly #params: ScatterParameters;
  readonly keepsFreedLists: boolean;
  readonly parkLimit: number;
  readonly #recent: RecentFrees;
  /** Whether any frame was freed since creation or reset. */
  #everFreed = false;
  /** The runs {@linkcode take} draws ahead. */
  readonly #batch = new RunBatch();

  constructor(
    name: PlacementName,
    machine: MachineLayout,
    seed: number,
    groupings: WordGroupsPool | undefined,
    params: ScatterParameters,
  ) {
    this.name = name;
    // Its own stream, so that fragmentation and faults draw the same numbers as before.
    this.#rng = new RewindableRandom((seed ^ 0x5eed_91ac) >>> 0);
    this.#origin = this.#rng.position;
    this.#random = this.#rng.next;
    const page = BigInt(machine.pageSize);
    for (const r of machine.ranges) {
      this.#starts.push(Number(r.base / page));
      this.#ends.push(Number((r.base + r.length) / page));
    }
    this.#fourGiB = Number((1n << 32n) / page);
    this.#params = params;
    this.keepsFreedLists = params.reuse;
    // Calibrated runs reuse frames one by one; a list kept whole is never forgotten at its free.
    this.parkLimit = params.reuse && params.classes === undefined ? LONGEST_KEPT_WHOLE : 0;
    this.#recent = new RecentFrees(groupings);
  }

  reset(): void {
    // The stream restarted in place (its position is its state): the same draw function stays.
    this.#rng.rewind(this.#origin);
    this.#recent.clear();
    this.#everFreed = false;
  }

  readonly take: TakeFrames = (bitmap, lo, hi, max, out, offset) => {
    if (this.#params.classes !== undefined) {
      return this.#takeCalibrated(bitmap, lo, hi, max, out, offset);
    }
    let taken = this.#params.reuse ? this.#recent.take(bitmap, lo, hi, max, out, offset) : 0;
    if (taken >= max) return taken;
    const rng = this.#rng;
    const random = this.#random;
    const drawRun = this.#params.drawRun;
    // Made only when recent frees did not cover the request (it draws nothing itself).
    const pick = this.#starter(lo, hi);
    const { starts, lengths } = this.#batch;
    while (taken < max) {
      // Runs drawn ahead in the stream's order (start, length, start…), about as many as the
      // frames left need (a run takes 2 on average, fewer where the free run is shorter), and
      // taken in one pass (`core/scattered_take.ts`); draws a run turns out not to need are
      // undrawn.
      const count = Math.min(BATCH_RUNS, ((max - taken) >>> 1) + 1);
      const before = rng.position;
      for (let i = 0; i < count; i++) {
        const start = pick();
        if (start < 0) return taken; // no RAM in range: nothing was drawn
        starts[i] = start;
        lengths[i] = drawRun(random);
      }
      this.#batch.count = count;
      taken += bitmap.takeScatteredRuns(this.#batch, lo, hi, max - taken, out, offset + taken);
      const { used, exhausted } = this.#batch;
      if (!exhausted && used === count) continue;
      // Undraws the runs not taken: the stream is put back to the batch's start and the runs
      // taken drawn again (once an allocation, at its last batch: cheaper than noting the
      // stream's position after every draw).
      rng.rewind(before);
      for (let i = 0; i < used; i++) {
        pick();
        drawRun(random);
      }
      if (exhausted) {
        pick(); // the start of the run that found no free frame stays drawn
        break;
      }
    }
    return taken;
  };

  /**
   * Runs with lengths from the nearest size class: "first" until the driver freed pages, then
   * "reuse", each run starting at the frame freed last if one is free in range.
   */
  #takeCalibrated: TakeFrames = (bitmap, lo, hi, max, out, offset) => {
    const classes = this.#params.classes!;
    const pages = offset + max;
    let c = classes[0];
    for (const k of classes) {
      if (Math.abs(Math.log(k.pages / pages)) < Math.abs(Math.log(c.pages / pages))) c = k;
    }
    const draw = this.#everFreed ? c.reuse : c.first;
    const random = this.#random;
    const pick = this.#starter(lo, hi);
    const kept: number[] = [];
    let taken = 0;
    while (taken < max) {
      // A run must not start right after the last one ended: the two would merge into one run
      // longer than drawn (descending reuse orders make that common).
      const after = taken > 0 ? out[offset + taken - 1] + 1 : -1;
      let frame = this.#everFreed && random() < c.reuseShare
        ? this.#recent.pop(bitmap, lo, hi, kept, after)
        : -1;
      if (frame < 0) {
        const start = pick();
        if (start < 0) break;
        frame = bitmap.findRun(1, start, hi);
        if (frame < 0 && start > lo) frame = bitmap.findRun(1, lo, start);
        if (frame < 0) break;
        if (frame === after) {
          const other = bitmap.findRun(1, frame + 1, hi);
          if (other >= 0) frame = other;
        }
      }
      const want = Math.min(draw(random), max - taken);
      let n = 1;
      while (n < want && frame + n < hi && bitmap.isFree(frame + n)) n++;
      // Reused frames come back descending, so the frame above is often taken already: the run
      // then grows downwards to the drawn length, never to start right after the last run.
      while (n < want && frame - 1 >= lo && frame - 1 !== after && bitmap.isFree(frame - 1)) {
        frame--;
        n++;
      }
      bitmap.takeRun(frame, n, out, offset + taken);
      taken += n;
    }
    if (kept.length > 0) this.#recent.add(kept.reverse(), kept.length);
    return taken;
  };

  freed(frames: ArrayLike<number>, count: number, groups?: WordGroups): void {
    if (!this.#params.reuse || count === 0) return;
    this.#everFreed = true;
    this.#recent.add(frames, count, groups);
  }

  /**
   * Draws random RAM frames of [lo, hi), split below/above 4 GiB by the profile's share (-1 if
   * the range has no RAM), with the RAM counts computed once per call, not once per run.
   */
  #starter(lo: number, hi: number): () => number {
    const kept = this.#kept;
    if (kept !== null && kept.lo === lo && kept.hi === hi) return kept.pick;
    const pick = this.#makeStarter(lo, hi);
    this.#kept = { lo, hi, pick };
    return pick;
  }

  /**
   * The last starter made, kept until the range changes (the stream restarts in place): one
   * function for every take of a range, so that the take's calls see one target, not a new one.
   */
  #kept: { lo: number; hi: number; pick: () => number } | null = null;

  #makeStarter(lo: number, hi: number): () => number {
    const share = this.#params.above4GiBShare;
    const split = this.#fourGiB;
    if (share !== null && lo < split && hi > split) {
      const below = this.#uniform(lo, split);
      const above = this.#uniform(split, hi);
      if (below !== null && above !== null) {
        const random = this.#random;
        return () => random() < share ? above() : below();
      }
    }
    return this.#uniform(lo, hi) ?? (() => -1);
  }

  /**
   * The k-th RAM frame of [lo, hi) for a uniform k below its RAM count, one per call, the RAM
   * ranges clipped to [lo, hi) once; null if it has no RAM.
   */
  #uniform(lo: number, hi: number): (() => number) | null {
    // Each clipped range's first frame and the RAM below it, searched from the top range (most
    // RAM lies there: one comparison for most draws).
    const firsts: number[] = [];
    const below: number[] = [];
    let total = 0;
    for (let i = 0; i < this.#starts.length; i++) {
      const a = Math.max(lo, this.#starts[i]);
      const n = Math.min(hi, this.#ends[i]) - a;
      if (n <= 0) continue;
      firsts.push(a);
      below.push(total);
      total += n;
    }
    if (total === 0) return null;
    const random = this.#random;
    const top = firsts.length - 1;
    return () => {
      const k = Math.floor(random() * total);
      let i = top;
      while (k < below[i]) i--;
      return firsts[i] + (k - below[i]);
    };
  }
}
