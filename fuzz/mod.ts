/**
 * Fuzzing and differential runs: generated sequences of stream calls checked against an
 * independent model, shrunk failures written back as suite cases, and the same sequences run on
 * the simulator and on hardware side by side.
 *
 * @example
 * ```ts
 * import { fuzz } from "./mod.ts";
 * const report = fuzz({ runs: 20, seed: 7 });
 * report.failure; // undefined when every invariant held
 * ```
 *
 * @module
 */

export {
  fuzz,
  type FuzzConditions,
  type FuzzFailure,
  type FuzzOptions,
  type FuzzReport,
} from "./fuzz.ts";
export {
  type Difference,
  differential,
  type DifferentialOptions,
  type DifferentialReport,
} from "./differential.ts";
export { type CaseConditions, caseSource, suiteCase } from "./suite_case.ts";
