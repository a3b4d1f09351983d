/**
 * wavert-bench: a simulator of Windows' IPortWaveRTStream page allocation, a hardware backend
 * that makes the same calls for real, and the tools to compare them.
 *
 * @example
 * ```ts
 * import { CacheType, Simulator } from "./mod.ts";
 * using sim = new Simulator({ fragmentation: 0.3, seed: 1 });
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * if (mdl) {
 *   const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
 *   if (va !== null) stream.unmapAllocatedPages(va, mdl);
 *   stream.freePagesFromMdl(mdl);
 * }
 * ```
 *
 * @module
 */

export type {
  Backend,
  BackendCapabilities,
  CallTiming,
  Capability,
  Leak,
  Mdl,
  StreamOperation,
  WaveRtStream,
} from "./core/backend.ts";
export {
  CacheType,
  cacheTypeName,
  Irql,
  maxBytesPerCall,
  MdlFlags,
  MmAllocateFlags,
} from "./core/constants.ts";
export { type CostModel, defaultCostModel } from "./core/cost_model.ts";
export type { FaultableOperation, FaultOptions } from "./core/faults.ts";
export {
  hostMachine,
  type MachineLayout,
  type MachinePresetName,
  machinePresets,
  parseProcIomem,
  ramBytes,
  type RamRange,
  validateMachine,
  withPageSize,
} from "./core/machine.ts";
export type { AllocatePagesRequest } from "./core/allocation_request.ts";
export type { CacheConflict, MemoryManager } from "./core/mm.ts";
export { HostBackend, type HostBackendOptions, openHostBackend } from "./ffi/host_backend.ts";
export { hostCapabilities } from "./ffi/host_capabilities.ts";
export type { HostInfo } from "./ffi/host_info.ts";
export { HostMdl } from "./ffi/host_mdl.ts";
export { HostStream } from "./ffi/host_stream.ts";
export { HelperError, HelperStatus } from "./ffi/helper_error.ts";
export { HELPER_PATH_ENV, helperAvailability, HelperLoadError } from "./ffi/library.ts";
export { IsolatedCaseCrashed, type IsolatedCaseOptions, runIsolated } from "./ffi/isolation.ts";
export { type AllocationPolicies, defaultPolicies } from "./core/policies.ts";
export type { PortClsStream } from "./core/port_stream.ts";
export { Simulator, type SimulatorOptions } from "./core/simulator.ts";
export {
  DriverViolation,
  type ViolationRule,
  type ViolationRuleId,
  ViolationRules,
} from "./core/violations.ts";
export { defineSuite, isSuite, SuiteDefinitionError } from "./suites/define_suite.ts";
export type { SuiteProblem } from "./suites/define_suite.ts";
export type {
  Allocation,
  AllocationExpectations,
  BytesExpectation,
  Conditions,
  Expectations,
  Step,
  Suite,
  SuiteCase,
} from "./suites/suite_model.ts";
export type { CaseInput, StepExpectationsInput, SuiteInput } from "./suites/schema.ts";
export { CaseFailure, DEFAULT_SEED, registerSuite } from "./suites/register.ts";
export type { RegisterOptions } from "./suites/register.ts";
export {
  audioBufferProblems,
  audioBufferSize,
  describeAudioBuffer,
} from "./suites/audio_format.ts";
export type { AudioBuffer, AudioBufferSize } from "./suites/audio_format.ts";
export { hasFailures, runSuites, testName } from "./suites/run_suites.ts";
export {
  backendNames,
  hardwareProvider,
  providersFor,
  simulatorProvider,
} from "./suites/backends.ts";
export type { BackendName, BackendProvider, RunOptions } from "./suites/backends.ts";
export { crossCheck, formatDivergences } from "./suites/cross_check.ts";
export { renderHtmlReport } from "./report/html_report.ts";
export { reportToJson } from "./report/json_report.ts";
export { bundledSuites } from "./suites/bundled.ts";
export type {
  BackendRun,
  CaseReport,
  CrossCheck,
  Divergence,
  RunReport,
} from "./suites/results.ts";
export { fuzz, type FuzzFailure, type FuzzOptions, type FuzzReport } from "./fuzz/fuzz.ts";
export {
  differential,
  type DifferentialOptions,
  type DifferentialReport,
} from "./fuzz/differential.ts";
export { runSequence, type StepOutcome } from "./fuzz/run_sequence.ts";
export { caseSource, suiteCase } from "./fuzz/suite_case.ts";
export { concretize, sequenceArbitrary, type SequenceStep } from "./fuzz/sequence.ts";
export { type LatencySummary, logHistogram, summarize } from "./stats/latency.ts";
export { compareSamples, mannWhitneyU } from "./bench/compare.ts";
export { type LatencySamples, sampleLatency, type SampleRequest } from "./bench/sampler.ts";
export { type CostProfile, loadCostProfile } from "./core/cost_profile.ts";
export { fitCostProfile } from "./bench/calibrate.ts";
export {
  derivePolicyProfile,
  loadPolicyProfile,
  type OpenQuestion,
  type OpenQuestionObservations,
  parsePolicyProfile,
  type PolicyProfile,
  policyProfileToJson,
} from "./suites/policy_profile.ts";
export {
  openQuestions,
  recordOpenQuestions,
  type ZeroBytesProbe,
  zeroBytesThroughHelper,
} from "./suites/open_questions.ts";
export { builtHelperPathFor } from "./ffi/paths.ts";
