/**
 * Fits the simulator's cost model to hardware measurements and saves it as a named profile, so
 * that the simulator's predicted latency can be compared with what a machine really does.
 *
 * The fit is Theil–Sen (median of pairwise slopes, then the median intercept) over the per-size
 * medians: one noisy size cannot pull it. The per-page slope is split into zeroing, at the
 * measured bandwidth, and the rest. The profile type and its loader are `core/cost_profile.ts`.
 *
 * @module
 */

import { resolveCostModel } from "../core/cost_model.ts";
import {
  type CalibrationPoint,
  COST_PROFILE_SCHEMA,
  type CostProfileV2,
} from "../core/cost_profile.ts";
import { collectHostFactsSync, commandLine } from "../results/host_facts.ts";
import { median } from "npm:simple-statistics@7.12.1";

/**
 * Theil–Sen line through `points`: slope = median of pairwise slopes, intercept = median of
 * y − slope·x.
 *
 * @example
 * ```ts
 * theilSen([[1, 3], [2, 5], [3, 7], [4, 100]]); // { slope: 2, intercept: 1 } despite the outlier
 * ```
 */
export function theilSen(points: readonly (readonly [number, number])[]): {
  slope: number;
  intercept: number;
} {
  if (points.length < 2) throw new RangeError("a fit needs at least two points");
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j][0] - points[i][0];
      if (dx !== 0) slopes.push((points[j][1] - points[i][1]) / dx);
    }
  }
  if (slopes.length === 0) throw new RangeError("a fit needs two distinct x values");
  const slope = median(slopes);
  const intercept = median(points.map(([x, y]) => y - slope * x));
  return { slope, intercept };
}

/**
 * Fits a profile to measured points. `zeroBytesPerSecond` is the machine's measured zeroing
 * bandwidth; with `freshPages: "stale"` every page pays for zeroing, so the per-page cost is the
 * slope less the time to zero one page (never below zero). The profile carries this host's facts
 * and this process's command line (`wavert-bench.cost-profile/2`).
 *
 * @example
 * ```ts
 * const profile = fitCostProfile("my-host", "linux-host", [
 *   { bytes: 4096, pages: 1, medianNs: 3800 },
 *   { bytes: 1 << 20, pages: 256, medianNs: 90_000 },
 * ], { pageSize: 4096, zeroBytesPerSecond: 20e9 });
 * profile.costModel.allocatePageNs; // ≈ 133: a 338 ns/page slope less 205 ns to zero a page
 * ```
 */
export function fitCostProfile(
  name: string,
  fittedOn: string,
  points: readonly CalibrationPoint[],
  machine: { pageSize: number; zeroBytesPerSecond: number },
): CostProfileV2 {
  const { slope, intercept } = theilSen(points.map((p) => [p.pages, p.medianNs]));
  const zeroNsPerPage = machine.pageSize / machine.zeroBytesPerSecond * 1e9;
  const costModel = {
    allocateCallNs: Math.max(0, intercept),
    allocatePageNs: Math.max(0, slope - zeroNsPerPage),
    zeroBytesPerSecond: machine.zeroBytesPerSecond,
  };
  resolveCostModel(costModel);
  return {
    schema: COST_PROFILE_SCHEMA,
    name,
    createdAt: new Date().toISOString(),
    host: { ...collectHostFactsSync() },
    command: commandLine(),
    fittedOn,
    costModel,
    freshPages: "stale",
    points,
  };
}
