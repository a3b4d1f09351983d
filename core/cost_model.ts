/**
 * The simulator's latency model: what each call would cost on a machine, from a per-call cost, a
 * per-page cost and the bytes that had to be zeroed at a given bandwidth. Defaults are plausible,
 * uncalibrated figures; calibration against hardware replaces them with a measured profile.
 *
 * @module
 */

/**
 * Parameters of the modeled latency, in nanoseconds and bytes per second.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ costModel: { allocatePageNs: 90, zeroBytesPerSecond: 12e9 } });
 * ```
 */
export interface CostModel {
  /** Fixed cost of an allocation call (argument checks, MDL allocation, locks). */
  readonly allocateCallNs: number;
  /** Cost per page taken from the free lists (PFN updates). */
  readonly allocatePageNs: number;
  /** Bandwidth at which stale pages are zeroed. */
  readonly zeroBytesPerSecond: number;
  /** Fixed cost of a map call (system PTE reservation). */
  readonly mapCallNs: number;
  /** Cost per page mapped (one PTE write each, plus a cache-type change where needed). */
  readonly mapPageNs: number;
  /** Fixed cost of an unmap call (TLB flush). */
  readonly unmapCallNs: number;
  /** Fixed cost of a free call. */
  readonly freeCallNs: number;
  /** Cost per page returned to the free lists. */
  readonly freePageNs: number;
}

/**
 * Default cost model: order-of-magnitude figures for a current x64 machine (about 2 µs per call,
 * 100 ns per page, 10 GB/s zeroing). Replace with a calibrated profile before comparing latency.
 *
 * @example
 * ```ts
 * defaultCostModel.allocatePageNs; // 100
 * ```
 */
export const defaultCostModel: CostModel = {
  allocateCallNs: 2000,
  allocatePageNs: 100,
  zeroBytesPerSecond: 10e9,
  mapCallNs: 1500,
  mapPageNs: 15,
  unmapCallNs: 1000,
  freeCallNs: 1000,
  freePageNs: 40,
};

/**
 * Checks that every field is a finite number ≥ 0 (bandwidth > 0) and fills in defaults.
 *
 * @example
 * ```ts
 * resolveCostModel({ allocatePageNs: 50 }).allocateCallNs; // 2000
 * ```
 */
export function resolveCostModel(partial: Partial<CostModel> = {}): CostModel {
  const model = { ...defaultCostModel, ...partial };
  for (const [key, value] of Object.entries(model)) {
    if (!(key in defaultCostModel)) {
      throw new TypeError(`costModel.${key} is not a cost model parameter`);
    }
    const positive = key === "zeroBytesPerSecond";
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && !value)) {
      throw new RangeError(
        `costModel.${key} must be a finite number ${positive ? "> 0" : "≥ 0"}, got ${value}`,
      );
    }
  }
  return model;
}

/** Modeled duration of an allocation that took `pages` pages and zeroed `zeroedBytes`. */
export function allocationNs(
  model: CostModel,
  pages: number,
  zeroedBytes: number,
): number {
  return model.allocateCallNs + pages * model.allocatePageNs +
    zeroedBytes / model.zeroBytesPerSecond * 1e9;
}
