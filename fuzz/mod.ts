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

export { fuzz, type FuzzOptions, type FuzzProgress } from "./fuzz.ts";
export type { FuzzConditions, FuzzCounts, FuzzFailure, FuzzReport } from "./fuzz_report.ts";
export { fuzzParallel, type ParallelFuzzOptions } from "./parallel.ts";
export {
  type Difference,
  differential,
  type DifferentialOptions,
  type DifferentialReport,
} from "./differential.ts";
export { type CaseConditions, caseSource, suiteCase } from "./suite_case.ts";

// Types the reports and options above refer to.
export type { ForeignMdlKind, FuzzOnly, SequenceStep } from "./sequence.ts";
export type { AudioBuffer } from "../suites/audio_format.ts";
export type { MachinePresetName } from "../core/machine.ts";
export { type ViolationRuleId, ViolationRules } from "../core/violations.ts";
export { CacheType } from "../core/constants.ts";
export type * from "../suites/suite_input.ts";
export type { FaultableOperation, FaultOptions } from "../core/faults.ts";
export type * from "../core/backend.ts";
