/**
 * A {@linkcode FrameBitmap} whose pre-occupied frames are drawn region by region when a region is
 * first touched (issue 12 follow-up: 64 GiB machines in ≤ 20 ms). Each region of
 * 2^{@linkcode LAZY_REGION_SHIFT} frames draws its occupation from its own seeded stream, so the
 * frames are the same whatever order regions are touched in; building is O(regions) and a call
 * pays only for the regions it reads. Every public read or write materializes what it covers
 * first (`takeListed` reads only frames released before, whose regions a release draws);
 * `freeCount` and `saveState` materialize everything.
 *
 * @module
 */

import { FrameBitmap, type FrameSink } from "./frame_bitmap.ts";
import type { PendingRegions } from "./scattered_take.ts";
import type { Companions, FrameBitmapState } from "./snapshot.ts";

/**
 * log2 of the frames per lazily drawn region: 2048 frames (8 MiB of 4 KiB pages).
 *
 * @example
 * ```ts
 * LAZY_REGION_SHIFT; // 11
 * ```
 */
export const LAZY_REGION_SHIFT = 11;

/**
 * Draws the frames others occupy in one region: calls `occupy(start, count)` for each run, in
 * frames of that region only, on a region whose RAM is all free.
 *
 * @example
 * ```ts
 * const fill: RegionFill = (region, occupy) => occupy(region << LAZY_REGION_SHIFT, 1);
 * ```
 */
export type RegionFill = (
  region: number,
  occupy: (start: number, count: number) => void,
) => void;

/**
 * A frame bitmap filled lazily, region by region, by a {@linkcode RegionFill}.
 *
 * @example
 * ```ts
 * const fill: RegionFill = (region, occupy) => occupy(region << LAZY_REGION_SHIFT, 2);
 * const bitmap = new LazyFrameBitmap(8192, fill);
 * bitmap.setRange(0, 8192, true);
 * bitmap.defer();
 * bitmap.isFree(2048); // false: region 1 was drawn by this call
 * bitmap.freeCount; // 8184: every region drawn
 * ```
 */
export class LazyFrameBitmap extends FrameBitmap {
  readonly #fill: RegionFill;
  readonly #pending: Uint8Array;
  #pendingCount = 0;
  /** The pending marks and the drawing, for the scattered take. */
  readonly #regions: PendingRegions;

  constructor(frameCount: number, fill: RegionFill) {
    super(frameCount);
    this.#fill = fill;
    this.#pending = new Uint8Array(Math.ceil(frameCount / (1 << LAZY_REGION_SHIFT)));
    this.#regions = {
      pending: this.#pending,
      shift: LAZY_REGION_SHIFT,
      draw: (r) => this.#draw(r),
    };
  }

  /** Marks every region as not yet drawn (call once, after the RAM ranges are set free). */
  defer(): void {
    this.#pending.fill(1);
    this.#pendingCount = this.#pending.length;
  }

  /** Number of regions not drawn yet. */
  get pendingRegions(): number {
    return this.#pendingCount;
  }

  /** Draws every region not drawn yet. */
  materializeAll(): void {
    if (this.#pendingCount === 0) return;
    for (let r = 0; r < this.#pending.length; r++) {
      if (this.#pending[r] !== 0) this.#draw(r);
    }
  }

  #draw(region: number): void {
    this.#pending[region] = 0;
    this.#pendingCount--;
    this.#fill(region, (start, count) => super.setRange(start, count, false));
  }

  #ensure(lo: number, hi: number): void {
    if (this.#pendingCount === 0 || hi <= lo) return;
    const last = (hi - 1) >>> LAZY_REGION_SHIFT;
    for (let r = lo >>> LAZY_REGION_SHIFT; r <= last; r++) {
      if (this.#pending[r] !== 0) this.#draw(r);
    }
  }

  override get freeCount(): number {
    this.materializeAll();
    return super.freeCount;
  }

  override get stateBytes(): number {
    return super.stateBytes + this.#pending.byteLength;
  }

  override isFree(frame: number): boolean {
    if (this.#pendingCount !== 0 && this.#pending[frame >>> LAZY_REGION_SHIFT] !== 0) {
      this.#draw(frame >>> LAZY_REGION_SHIFT);
    }
    return super.isFree(frame);
  }

  override setRange(start: number, count: number, free: boolean): void {
    this.#ensure(start, start + count);
    super.setRange(start, count, free);
  }

  override freeRunLength(frame: number, max: number): number {
    this.#ensure(frame, Math.min(this.frameCount, frame + max));
    return super.freeRunLength(frame, max);
  }

  protected override regionsToDraw(): PendingRegions | null {
    return this.#pendingCount === 0 ? null : this.#regions;
  }

  override takeFrame(frame: number): boolean {
    if (this.#pendingCount !== 0 && this.#pending[frame >>> LAZY_REGION_SHIFT] !== 0) {
      this.#draw(frame >>> LAZY_REGION_SHIFT);
    }
    return super.takeFrame(frame);
  }

  /**
   * Draws the regions of the words a release is about to free (checked per word, not frame);
   * `takeListed`, which reads only frames released before, relies on it.
   */
  protected override beforeRelease(words: Uint32Array, count: number): void {
    if (this.#pendingCount === 0) return;
    const pending = this.#pending;
    for (let k = 0; k < count; k++) {
      const r = words[k] >>> (LAZY_REGION_SHIFT - 5);
      if (r < pending.length && pending[r] !== 0) this.#draw(r);
    }
  }

  override takeRun(start: number, count: number, out: FrameSink, offset: number): void {
    this.#ensure(start, start + count);
    super.takeRun(start, count, out, offset);
  }

  override releaseRun(start: number, count: number): void {
    this.#ensure(start, start + count);
    super.releaseRun(start, count);
  }

  /** As {@linkcode FrameBitmap.takeAscending}, drawing one region at a time as it goes. */
  override takeAscending(
    lo: number,
    hi: number,
    max: number,
    out: FrameSink,
    offset: number,
  ): number {
    if (this.parking.list !== null) {
      // Tried on the whole range: an undrawn region below the batch has free frames, so refuses.
      const n = this.takeParked(lo, hi, max, out, offset);
      if (n >= 0) return n;
      this.settle();
    }
    if (this.#pendingCount === 0) return super.takeAscending(lo, hi, max, out, offset);
    let taken = 0;
    let a = lo;
    while (a < hi && taken < max) {
      const b = Math.min(hi, ((a >>> LAZY_REGION_SHIFT) + 1) * (1 << LAZY_REGION_SHIFT));
      this.#ensure(a, b);
      taken += super.takeAscending(a, b, max - taken, out, offset + taken);
      a = b;
    }
    return taken;
  }

  /**
   * As {@linkcode FrameBitmap.findRun}, searching growing windows of whole regions: each window
   * starts `count - 1` frames before the end of the last, so no run across the edge is missed.
   */
  override findRun(count: number, lo: number, hi: number, alignment = 1): number {
    if (this.#pendingCount === 0 || count <= 0 || hi - lo < count) {
      return super.findRun(count, lo, hi, alignment);
    }
    const size = 1 << LAZY_REGION_SHIFT;
    if (count === 1 && alignment === 1) {
      // The same windows for the next free frame (each one region), without their arithmetic.
      const pending = this.#pending;
      for (let from = lo;;) {
        const r = from >>> LAZY_REGION_SHIFT;
        if (pending[r] !== 0) this.#draw(r);
        const end = Math.min(hi, (r + 1) * size);
        const found = super.findRun(1, from, end);
        if (found >= 0 || end >= hi) return found;
        from = end;
      }
    }
    let from = lo;
    let end = lo;
    for (;;) {
      const need = Math.max(end + 1, from + count);
      end = Math.min(hi, Math.ceil(need / size) * size);
      this.#ensure(from, end);
      const found = super.findRun(count, from, end, alignment);
      if (found >= 0 || end >= hi) return found;
      from = Math.max(lo, end - count + 1);
    }
  }

  override saveState(): FrameBitmapState {
    this.materializeAll();
    return super.saveState();
  }

  /** Puts back a complete state: every region counts as drawn afterwards. */
  override restoreState(
    state: FrameBitmapState,
    companions?: Companions,
    saved?: Companions,
  ): void {
    super.restoreState(state, companions, saved);
    this.#pending.fill(0);
    this.#pendingCount = 0;
  }
}
