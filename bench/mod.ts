/**
 * Latency measurement: per-call samples timed by each backend's own clock, nonparametric
 * comparison of two runs, and cost profiles fitted from hardware for the simulator.
 *
 * @example
 * ```ts
 * import { sampleLatency } from "./mod.ts";
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const request = { call: "allocatePagesForMdl", totalBytes: 65536, highAddress: 0xFFFFFFFFn } as const;
 * const samples = sampleLatency(sim, request, { samples: 50 });
 * samples.durationsNs.length; // 50
 * ```
 *
 * @module
 */

export {
  type LatencySamples,
  sampleLatency,
  type SampleOptions,
  type SampleRequest,
} from "./sampler.ts";
export {
  compareSamples,
  type Comparison,
  type ComparisonOptions,
  type ComparisonVerdict,
  type MannWhitneyResult,
  mannWhitneyU,
} from "./compare.ts";
export { fitCostProfile } from "./calibrate.ts";
export {
  type CalibrationPoint,
  type CostProfile,
  type CostProfileFact,
  type CostProfileV1,
  type CostProfileV2,
  loadCostProfile,
  parseCostProfile,
} from "../core/cost_profile.ts";
export {
  type HistogramBucket,
  type LatencySummary,
  logHistogram,
  percentile,
  summarize,
  type SummaryOptions,
} from "../stats/latency.ts";

// Types the functions and profiles above refer to.
export type { CostModel } from "../core/cost_model.ts";
export { CacheType } from "../core/constants.ts";
export type * from "../core/backend.ts";
