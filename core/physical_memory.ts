/**
 * The simulated PFN database: which frames exist, which are free and which hold stale data, in
 * about 0.4 bytes of state per frame; what a frame holds, for zeroing, is `core/page_contents.ts`.
 * The cache type of a mapped frame is its MDL's (`MdlState.frameCacheType`): a live MDL's frames
 * are its own, so one value per MDL says what a byte per frame said.
 *
 * @module
 */

import { FrameBitmap, type TakeMarker } from "./frame_bitmap.ts";
import { PageContents } from "./page_contents.ts";
import { LAZY_REGION_SHIFT, LazyFrameBitmap, type RegionFill } from "./lazy_frame_bitmap.ts";
import type { MachineLayout } from "./machine.ts";
import { geometricSampler, paretoSampler, seededRandom } from "./random.ts";
import type { PhysicalMemoryState } from "./snapshot.ts";
import { WordGroups, WordGroupsPool } from "./word_groups.ts";

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
  /** Whether each frame holds another owner's data (`core/page_contents.ts`). */
  readonly #contents: PageContents;
  /** The log of the allocation under way; handed to its MDL when it fits (see takenGroups). */
  #taken = new WordGroups();
  /**
   * The groupings of live MDLs ({@linkcode takenGroups}), reused once they are released (by a
   * placement that keeps freed lists, once it forgets them).
   */
  readonly groupings: WordGroupsPool = new WordGroupsPool();
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
    this.#contents = new PageContents(Math.ceil(frameCount / 32), freshPages, this.frames.dirty);
    this.#marker = { bits: this.#contents.stale, logged: () => this.#markLogged() };
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
    this.frames.parking.attach(this.groupings);
  }

  /** Frames occupied by the rest of the system at start (draws every lazy region). */
  get occupiedAtStart(): number {
    if (!(this.frames instanceof LazyFrameBitmap)) return this.#occupiedEagerly;
    this.frames.materializeAll();
    return this.#occupiedLazily;
  }

  /** Bytes of simulator state per RAM page. */
  get stateBytesPerPage(): number {
    const bytes = this.frames.stateBytes + this.#contents.byteLength;
    return bytes / this.ramFrames;
  }

  /** Whether `frame` holds another owner's data (a frame no MDL holds: as the machine started). */
  isStale(frame: number): boolean {
    this.frames.settle();
    return this.#contents.isStale(frame, this.frames.isFree(frame));
  }

  /**
   * Starts logging the frames taken from {@linkcode frames}, for {@linkcode endTakes}: an
   * allocation's frames are then marked taken word by word as they were taken, not grouped
   * again. `frames`: how many it may take at most (a large one logs into the room a large one
   * grew). `zero` (not null) says the allocation keeps every frame it takes, `zero`ed or not:
   * each batch of scattered runs is then marked as it is logged, its words still in cache.
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
  beginTakes(frames = 0, zero: boolean | null = null): void {
    this.#taken = this.groupings.roomFor(this.#taken, frames);
    this.#markedTo = 0;
    this.#fresh = 0;
    this.#zeroing = zero === true;
    this.frames.logTakes(this.#taken, zero === null ? null : this.#marker);
  }

  /** How many of the log's groups are marked taken, how many of their frames were not stale. */
  #markedTo = 0;
  #fresh = 0;
  #zeroing = false;
  /** Marks each batch logged but its last group, which the next take may join. */
  readonly #marker: TakeMarker;

  #markLogged(): void {
    const to = this.#taken.length - 1;
    const from = this.#firstToMark(this.#zeroing);
    if (to <= from) return;
    this.#fresh += this.#contents.markTaken(this.#taken, from, to, this.#zeroing);
    this.#markedTo = to;
  }

  /**
   * The first group of the log left to mark. A parked batch taken back (the log's first groups)
   * was marked when its MDL took it, zeroed (its contents not marked apart): a take `zero`ed as
   * it was changes nothing of those groups but the last, which later takes may have joined.
   */
  #firstToMark(zero: boolean): number {
    const unparked = this.frames.parking.unparkedGroups;
    if (unparked === 0 || this.#contents.marksDiffer(zero)) return this.#markedTo;
    return Math.max(this.#markedTo, unparked - 1);
  }

  /**
   * Stops logging. The `taken` frames taken since {@linkcode beginTakes} (0: the allocation
   * failed and gave back what it took) are marked taken, `zero`ed (as `beginTakes` was told, if
   * it was) or not; returns how many of them were zeroed (stale ones, with `zero`).
   */
  endTakes(zero: boolean, taken: number): number {
    const from = this.#firstToMark(zero);
    this.frames.logTakes(null);
    if (taken === 0) return 0;
    const log = this.#taken;
    const fresh = this.#fresh + this.#contents.markTaken(log, from, log.length, zero);
    return zero ? taken - fresh : 0;
  }

  /**
   * Frees frames a driver held, `zeroed` when taken or not, in one grouping pass (see
   * {@linkcode FrameBitmap.release}); throws, changing nothing, if one of them is already free.
   * `grouped` goes back to {@linkcode groupings} unless `keep` (a placement keeps it). With
   * `park`, for a list whose contents are not marked apart (`PageContents.marksDiffer`), the
   * frames are left out of the bitmap for the next take to take back whole (`FrameBitmap.park`):
   * any other use of the bitmap writes them back first, and list and grouping (unless kept) go
   * back after that.
   * Returns whether it parked them.
   */
  release(
    frames: ArrayLike<number>,
    count: number,
    zeroed: boolean,
    grouped?: WordGroups,
    keep = false,
    park = false,
  ): boolean {
    const marked = this.#contents.marksDiffer(zeroed);
    if (park && !marked && grouped !== undefined) {
      this.frames.park(frames, count, grouped, !keep);
      return true;
    }
    this.frames.release(frames, count, grouped);
    if (marked) this.#contents.unmark(frames, count);
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
  releaseRun(start: number, count: number, zeroed: boolean): void {
    this.frames.releaseRun(start, count);
    if (this.#contents.marksDiffer(zeroed)) this.#contents.unmarkRun(start, count);
  }

  /** A copy of the free-frame bitmap and contents bits, for {@linkcode restoreState}. */
  saveState(): PhysicalMemoryState {
    this.frames.settle();
    const frames = this.frames.saveState();
    const { stale, differs } = this.#contents;
    return { frames, stale: stale.slice(), differs: differs.slice() };
  }

  /**
   * Puts back a state {@linkcode saveState} took on this machine. Call it with nothing allocated
   * (the simulator releases everything first).
   */
  restoreState(state: PhysicalMemoryState): void {
    this.frames.restoreState(
      state.frames,
      [this.#contents.stale, this.#contents.differs],
      [state.stale, state.differs],
    );
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
