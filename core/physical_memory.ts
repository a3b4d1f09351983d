/**
 * The simulated PFN database: which frames exist, which are free, which hold stale data and which
 * cache type each mapped frame currently has. About 1.3 bytes of state per frame.
 *
 * @module
 */

import { forEachWordOfRun, popcount } from "./bit_ops.ts";
import { FrameBitmap } from "./frame_bitmap.ts";
import { LAZY_REGION_SHIFT, LazyFrameBitmap, type RegionFill } from "./lazy_frame_bitmap.ts";
import type { MachineLayout } from "./machine.ts";
import { geometricSampler, paretoSampler, seededRandom } from "./random.ts";
import type { PhysicalMemoryState } from "./snapshot.ts";
import { sharedWordGroups, WordGroups, WordGroupsPool } from "./word_groups.ts";

/** How the rest of the system occupies memory before the driver runs. */
export interface FragmentationOptions {
  /** Fraction of RAM pages (0–1) already in use by others, scattered across all ranges. */
  readonly fraction: number;
  /** Mean length, in pages, of one run of pages in use by others (geometric). */
  readonly meanRunPages: number;
  readonly seed: number;
  /**
   * How run lengths are drawn: `"heavy-tailed"` (default; used and free runs both Pareto with
   * tail index {@linkcode HEAVY_TAIL_ALPHA}, so free memory survives in runs of every size as on
   * a running system; see the README, "Fragmentation model") or `"geometric"` (both geometric, so
   * free runs longer than a few dozen pages practically never occur).
   */
  readonly model?: FragmentModel;
}

/**
 * The fragmentation models of {@linkcode FragmentationOptions.model}.
 *
 * @example
 * ```ts
 * const model: FragmentModel = "heavy-tailed";
 * ```
 */
export type FragmentModel = "geometric" | "heavy-tailed";

/**
 * Tail index of the `"heavy-tailed"` model: P(run ≥ x) ∝ x^−1.25. Linux's /proc/buddyinfo on a
 * running machine holds about as many free pages in each order from 3 to 10 (tail index ≈ 1);
 * 1.25 keeps the mean finite so that the fraction of RAM in use stays as asked.
 *
 * @example
 * ```ts
 * HEAVY_TAIL_ALPHA; // 1.25
 * ```
 */
export const HEAVY_TAIL_ALPHA = 1.25;
/** Longest run either model draws, in pages. */
const MAX_RUN_PAGES = 1 << 20;

/**
 * Physical frames of one machine.
 *
 * @example
 * ```ts
 * import { machinePresets } from "../mod.ts";
 * const options = { fraction: 0.3, meanRunPages: 4, seed: 1 };
 * const memory = new PhysicalMemory(machinePresets["x64-4gib"], options);
 * memory.frames.freeCount;
 * ```
 */
export class PhysicalMemory {
  readonly machine: MachineLayout;
  readonly pageSize: number;
  readonly frames: FrameBitmap;
  /** Frames that may hold data from a previous owner (1 = must be zeroed before reuse). */
  readonly #stale: Uint32Array;
  /** The words taken since {@linkcode beginTakes}. */
  /** The log of the allocation under way; handed to its MDL when it fits (see takenGroups). */
  #taken = new WordGroups();
  /**
   * The groupings of live MDLs ({@linkcode takenGroups}), reused once they are released (by a
   * placement that keeps freed lists, once it forgets them).
   */
  readonly groupings: WordGroupsPool = new WordGroupsPool();
  /** Cache type of the live mapping of each frame, plus one; 0 = unmapped. */
  readonly #cacheType: Uint8Array;
  /** Frames in RAM ranges (holes excluded). */
  readonly ramFrames: number;

  /** Frames the lazily drawn regions occupied so far (heavy-tailed model only). */
  #occupiedLazily = 0;
  #occupiedEagerly = 0;

  /**
   * @param freshPages whether free RAM starts out zeroed (Windows keeps a zeroed-page list) or
   *   stale (Linux zeroes every page when it is handed out).
   */
  constructor(
    machine: MachineLayout,
    fragmentation: FragmentationOptions,
    freshPages: "zeroed" | "stale" = "zeroed",
  ) {
    this.machine = machine;
    this.pageSize = machine.pageSize;
    const page = BigInt(machine.pageSize);
    const last = machine.ranges[machine.ranges.length - 1];
    const frameCount = Number((last.base + last.length) / page);
    const { fraction, model = "heavy-tailed" } = fragmentation;
    const lazy = fraction > 0 && fraction < 1 && model === "heavy-tailed";
    this.frames = lazy
      ? new LazyFrameBitmap(
        frameCount,
        heavyTailedFill(machine, fragmentation, (n) => this.#occupiedLazily += n),
      )
      : new FrameBitmap(frameCount);
    this.#stale = new Uint32Array(Math.ceil(frameCount / 32));
    this.#cacheType = new Uint8Array(frameCount);
    let ram = 0;
    this.frames.setMany(true, (free) => {
      for (const r of machine.ranges) {
        const count = Number(r.length / page);
        free(Number(r.base / page), count);
        ram += count;
      }
    });
    this.ramFrames = ram;
    if (this.frames instanceof LazyFrameBitmap) this.frames.defer();
    else this.#occupiedEagerly = this.#occupy(fragmentation);
    if (freshPages === "stale") this.#stale.fill(0xffffffff);
    this.frames.parking.attach(this.#stale, this.groupings);
  }

  /** Frames occupied by the rest of the system at start (draws every lazy region). */
  get occupiedAtStart(): number {
    if (!(this.frames instanceof LazyFrameBitmap)) return this.#occupiedEagerly;
    this.frames.materializeAll();
    return this.#occupiedLazily;
  }

  /** Bytes of simulator state per RAM page. */
  get stateBytesPerPage(): number {
    return (this.frames.stateBytes + this.#stale.byteLength + this.#cacheType.byteLength) /
      this.ramFrames;
  }

  /** Whether `frame` may hold another owner's data. */
  isStale(frame: number): boolean {
    this.frames.settle();
    return (this.#stale[frame >>> 5] & (1 << (frame & 31))) !== 0;
  }

  /**
   * Zeroes the stale frames among `frames[0..count)`; returns how many had to be zeroed. Frames
   * are grouped by word, so each word of stale bits is read and written once.
   */
  zero(frames: ArrayLike<number>, count: number): number {
    this.frames.settle();
    const groups = sharedWordGroups.group(frames, count);
    let held = 0;
    for (let k = 0; k < groups; k++) held += popcount(sharedWordGroups.masks[k]);
    return held - this.#zeroGroups(sharedWordGroups, 0);
  }

  /**
   * Zeroes the stale frames of the groups; returns how many were not stale (none, mostly, when
   * freed frames are reused: counting those needs no popcount per word).
   */
  #zeroGroups({ words, masks, length }: WordGroups, from: number): number {
    const stale = this.#stale;
    const dirty = this.frames.dirty;
    const marking = dirty.active;
    let fresh = 0;
    for (let k = from; k < length; k++) {
      const w = words[k];
      const mask = masks[k];
      const was = stale[w];
      if ((was & mask) !== 0) {
        stale[w] = was & ~mask;
        if (marking) dirty.mark(w);
      }
      // Tested as a bit pattern: `hit !== mask` also held for every mask with bit 31 set.
      const notStale = mask & ~was;
      if (notStale !== 0) fresh += popcount(notStale);
    }
    return fresh;
  }

  /**
   * Starts logging the frames taken from {@linkcode frames}, for {@linkcode endTakes}: an
   * allocation's frames are then zeroed word by word as they were taken, not grouped again.
   * `frames`: how many it may take at most (a large one logs into the room a large one grew).
   *
   * @example
   * ```ts
   * import { machinePresets } from "../mod.ts";
   * const options = { fraction: 0, meanRunPages: 4, seed: 1 };
   * const memory = new PhysicalMemory(machinePresets["x64-4gib"], options, "stale");
   * memory.beginTakes();
   * memory.frames.takeRun(memory.frames.findRun(4, 0, 1 << 20), 4, [], 0);
   * memory.endTakes(true, 4); // 4: all four were stale
   * ```
   */
  beginTakes(frames = 0): void {
    this.#taken = this.groupings.roomFor(this.#taken, frames);
    this.frames.logTakes(this.#taken);
  }

  /**
   * Stops logging; with `zero`, zeroes the stale frames among the `taken` frames taken since
   * {@linkcode beginTakes} (as {@linkcode zero} would for their list) and returns how many.
   */
  endTakes(zero: boolean, taken: number): number {
    // The first groups may be a parked batch's (see park): their stale bits are clear, and the
    // frames count as zeroed, as they would have been marked stale when freed and zeroed now.
    const { unparkedGroups: unparked, unparkedLastMask: lastMask } = this.frames.parking;
    this.frames.logTakes(null);
    const log = this.#taken;
    if (unparked === 0) return zero ? taken - this.#zeroGroups(log, 0) : 0;
    // Frames taken next in the last unparked group's word joined that group.
    const last = unparked - 1;
    const joined = log.masks[last];
    if (zero) {
      log.masks[last] = joined & ~lastMask;
      const fresh = this.#zeroGroups(log, last);
      log.masks[last] = joined;
      return taken - fresh;
    }
    // Not zeroed: they hold what their last owner left, as after a release.
    const { words, masks } = log;
    const dirty = this.frames.dirty;
    for (let k = 0; k < unparked; k++) {
      this.#stale[words[k]] |= k === last ? lastMask : masks[k];
      dirty.mark(words[k]);
    }
    return 0;
  }

  /** {@linkcode zero} for the `count` frames from `start`, a word at a time. */
  zeroRun(start: number, count: number): number {
    this.frames.settle();
    const stale = this.#stale;
    const dirty = this.frames.dirty;
    let zeroed = 0;
    forEachWordOfRun(start, count, (w, mask) => {
      const hit = stale[w] & mask;
      if (hit !== 0) {
        stale[w] &= ~hit;
        dirty.mark(w);
        zeroed += popcount(hit);
      }
    });
    return zeroed;
  }

  /**
   * Frees frames a driver held and marks them stale, in one grouping pass (see
   * {@linkcode FrameBitmap.release}); throws, changing nothing, if one of them is already free.
   * `grouped` goes back to {@linkcode groupings} unless `keep` (a placement keeps it). With
   * `park`, for a list all zeroed when taken (no stale bit set), the frames are left out of the
   * bitmap for the next take to take back whole (`FrameBitmap.park`): any other use of the
   * bitmap writes them back first, and list and grouping (unless kept) go back after that.
   * Returns whether it parked them.
   */
  release(
    frames: ArrayLike<number>,
    count: number,
    grouped?: WordGroups,
    keep = false,
    park = false,
  ): boolean {
    if (park && grouped !== undefined) {
      this.frames.park(frames, count, grouped, !keep);
      return true;
    }
    this.frames.release(frames, count, this.#stale, grouped);
    // Made by takenGroups for the MDL now freed, which reads it no more.
    if (grouped !== undefined && !keep) this.groupings.giveBack(grouped);
    return false;
  }

  /**
   * The words taken since {@linkcode beginTakes}, grouped as `release` groups them: the log
   * itself or a copy (`WordGroupsPool.keep`); a spare is the next log either way, so a log grown
   * by a large allocation is dropped rather than copied from by every small one after it. The
   * grouping is the caller's until it passes it to {@linkcode release}, which reuses it (or, with
   * `keep`, the placement that keeps it does once it forgets it).
   */
  takenGroups(): WordGroups {
    const kept = this.groupings.keep(this.#taken);
    this.#taken = this.groupings.spare();
    return kept;
  }

  /** {@linkcode release} for the `count` frames from `start`, a word at a time. */
  releaseRun(start: number, count: number): void {
    this.frames.releaseRun(start, count, this.#stale);
  }

  /** Cache type of the frame's live mapping, or null when it is not mapped. */
  cacheTypeOf(frame: number): number | null {
    const v = this.#cacheType[frame];
    return v === 0 ? null : v - 1;
  }

  /** Records (or, with null, clears) the cache type of the frames' live mapping. */
  setCacheType(frames: ArrayLike<number>, count: number, cacheType: number | null): void {
    const v = cacheType === null ? 0 : cacheType + 1;
    for (let i = 0; i < count; i++) this.#cacheType[frames[i]] = v;
  }

  /** A copy of the free-frame bitmap and stale bits, for {@linkcode restoreState}. */
  saveState(): PhysicalMemoryState {
    this.frames.settle();
    return { frames: this.frames.saveState(), stale: this.#stale.slice() };
  }

  /**
   * Puts back a state {@linkcode saveState} took on this machine. Call it with nothing mapped
   * (the simulator releases everything first): cache types are then all "unmapped" already.
   */
  restoreState(state: PhysicalMemoryState): void {
    this.frames.restoreState(state.frames, this.#stale, state.stale);
  }

  /**
   * Pre-occupies about `fraction` of RAM as alternating runs: used runs of mean `meanRunPages`
   * and free gaps with the mean that makes used / (used + free) = fraction, geometric (the
   * heavy-tailed model is drawn lazily per region by {@linkcode heavyTailedFill}; this eager pass
   * is kept for `fraction` ≥ 1). One pass over the ranges, no retries; the bits are cleared word
   * at a time and the summaries built once at the end ({@linkcode FrameBitmap.setMany}).
   */
  #occupy({ fraction, meanRunPages, seed, model = "heavy-tailed" }: FragmentationOptions): number {
    if (fraction <= 0) return 0;
    const before = this.frames.freeCount;
    const page = BigInt(this.pageSize);
    if (fraction >= 1) {
      for (const r of this.machine.ranges) {
        this.frames.setRange(Number(r.base / page), Number(r.length / page), false);
      }
      return before;
    }
    const random = seededRandom(seed);
    const meanGap = meanRunPages * (1 - fraction) / fraction;
    const heavy = model === "heavy-tailed";
    const used = heavy
      ? paretoSampler(meanRunPages, HEAVY_TAIL_ALPHA, MAX_RUN_PAGES)
      : geometricSampler(meanRunPages);
    const gap = heavy
      ? paretoSampler(meanGap, HEAVY_TAIL_ALPHA, MAX_RUN_PAGES)
      : geometricSampler(meanGap);
    const ranges = this.machine.ranges;
    this.frames.setMany(false, (occupy) => {
      for (const r of ranges) {
        let frame = Number(r.base / page);
        const end = frame + Number(r.length / page);
        frame += heavy ? gap(random) : Math.floor(random() * meanGap);
        while (frame < end) {
          const n = Math.min(Math.max(1, used(random)), end - frame);
          occupy(frame, n);
          frame += n + gap(random);
        }
      }
    });
    return before - this.frames.freeCount;
  }
}

/**
 * The heavy-tailed model, one region of 2^{@linkcode LAZY_REGION_SHIFT} frames at a time: inside
 * each part of a RAM range in the region, a free gap, then used runs and free gaps alternating,
 * both Pareto; runs end at the region's edge. Each region draws from its own stream
 * ({@linkcode regionSeed}), so its frames do not depend on which regions were drawn before.
 */
function heavyTailedFill(
  machine: MachineLayout,
  { fraction, meanRunPages, seed }: FragmentationOptions,
  occupied: (n: number) => void,
): RegionFill {
  const page = BigInt(machine.pageSize);
  const ranges = machine.ranges.map((r) => {
    const base = Number(r.base / page);
    return [base, base + Number(r.length / page)] as const;
  });
  const meanGap = meanRunPages * (1 - fraction) / fraction;
  const used = paretoSampler(meanRunPages, HEAVY_TAIL_ALPHA, MAX_RUN_PAGES);
  const gap = paretoSampler(meanGap, HEAVY_TAIL_ALPHA, MAX_RUN_PAGES);
  const size = 1 << LAZY_REGION_SHIFT;
  return (region, occupy) => {
    const lo = region * size;
    const hi = lo + size;
    let random: (() => number) | null = null;
    for (const [base, end] of ranges) {
      const a = Math.max(lo, base);
      const b = Math.min(hi, end);
      if (a >= b) continue;
      random ??= seededRandom(regionSeed(seed, region));
      let frame = a + gap(random);
      while (frame < b) {
        const n = Math.min(Math.max(1, used(random)), b - frame);
        occupy(frame, n);
        occupied(n);
        frame += n + gap(random);
      }
    }
  };
}

/** A 32-bit seed for one region's stream, mixed from the machine's seed and the region index. */
function regionSeed(seed: number, region: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(Math.floor(seed / 4294967296) ^ 0x632be5ab, 0x27d4eb2f) ^
    Math.imul(region + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
