/**
 * A saved, named cost profile: the simulator's cost model fitted to one machine's measurements
 * (`bench/calibrate.ts` fits it), and the loader that checks a profile file before the simulator
 * or the suite CLI uses it.
 *
 * @module
 */

import { type CostModel, resolveCostModel } from "./cost_model.ts";

/**
 * One measured size: pages and the median duration of allocating them.
 *
 * @example
 * ```ts
 * const point: CalibrationPoint = { bytes: 4096, pages: 1, medianNs: 3800 };
 * ```
 */
export interface CalibrationPoint {
  /** Bytes requested per allocation at this size. */
  readonly bytes: number;
  /** Pages one allocation of that size holds. */
  readonly pages: number;
  /** Median measured duration of one allocation, in nanoseconds. */
  readonly medianNs: number;
}

/**
 * A saved, named cost profile.
 *
 * @example
 * ```ts
 * const profile: CostProfile = {
 *   schema: "wavert-bench.cost-profile/1",
 *   name: "my-host",
 *   createdAt: "2025-01-01T00:00:00.000Z",
 *   fittedOn: "linux-host",
 *   costModel: { allocateCallNs: 3000, allocatePageNs: 200 },
 *   freshPages: "stale",
 *   points: [],
 * };
 * ```
 */
export interface CostProfile {
  /** Format tag of the profile file; the loader rejects any other. */
  readonly schema: "wavert-bench.cost-profile/1";
  /** Name the profile was saved under, shown in reports. */
  readonly name: string;
  /** When the profile was fitted, as an ISO 8601 timestamp. */
  readonly createdAt: string;
  /** Backend the measurements came from, e.g. `linux-host`. */
  readonly fittedOn: string;
  /** The cost model parameters to pass to `new Simulator({ costModel })`. */
  readonly costModel: Partial<CostModel>;
  /** Whether the measured system zeroes every page it hands out (Linux does). */
  readonly freshPages: "zeroed" | "stale";
  /** The measurements the cost model was fitted to, one per size. */
  readonly points: readonly CalibrationPoint[];
}

/**
 * Reads a profile file, checking its schema tag and cost model.
 *
 * @example
 * ```ts
 * import { Simulator } from "./simulator.ts";
 * const profile = loadCostProfile("dist/profile.json");
 * using sim = new Simulator({ costModel: profile.costModel, freshPages: profile.freshPages });
 * ```
 */
export function loadCostProfile(path: string): CostProfile {
  const profile = JSON.parse(Deno.readTextFileSync(path));
  if (profile?.schema !== "wavert-bench.cost-profile/1") {
    throw new TypeError(
      `${path} is not a cost profile (schema must be "wavert-bench.cost-profile/1", got ${
        JSON.stringify(profile?.schema)
      })`,
    );
  }
  resolveCostModel(profile.costModel);
  if (profile.freshPages !== "zeroed" && profile.freshPages !== "stale") {
    throw new TypeError(`${path}: freshPages must be "zeroed" or "stale"`);
  }
  return profile;
}
