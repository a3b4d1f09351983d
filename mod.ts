/**
 * wavert-bench: a simulator of Windows' IPortWaveRTStream page allocation, a hardware backend
 * that makes the same calls for real, and a suite DSL that runs one set of cases on both and
 * compares them.
 *
 * This entry point holds what a suite author and a backend user need. Fuzzing, benchmarking,
 * rendering and the command lines are subpath exports: `./fuzz`, `./bench`, `./report`,
 * `./open-questions`, and the command lines `./cli`, `./cli/fuzz`, `./cli/bench`, `./cli/history`
 * and `./cli/report`.
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

// The backend contract.
export type * from "./core/backend.ts";
export { CacheType, Irql, MdlFlags, MmAllocateFlags } from "./core/constants.ts";
export { DriverViolation, type ViolationRuleId, ViolationRules } from "./core/violations.ts";

// The simulator.
export { Simulator, type SimulatorOptions } from "./core/simulator.ts";
export { type LeakSitesOptions, withLeakSites } from "./core/leak_sites.ts";
export { ReplayStopped, type SiteReplay } from "./core/call_site.ts";
export type { FragmentModel } from "./core/physical_memory.ts";
export type { FrameBitmapState, PhysicalMemoryState, SimulatorSnapshot } from "./core/snapshot.ts";
export {
  type MachineLayout,
  type MachinePresetName,
  machinePresets,
  type RamRange,
} from "./core/machine.ts";
export type { FaultableOperation, FaultOptions } from "./core/faults.ts";
export type { AllocationPolicies } from "./core/policies.ts";
export type { CostModel } from "./core/cost_model.ts";
export type {
  CalibrationPoint,
  CostProfile,
  CostProfileFact,
  CostProfileV1,
  CostProfileV2,
} from "./core/cost_profile.ts";
export type { CacheConflict } from "./core/mm.ts";
export type { PortClsStream } from "./core/port_stream.ts";

// The hardware backend.
export {
  closeAllHostBackends,
  HostBackend,
  type HostBackendOptions,
  openHostBackend,
} from "./ffi/host_backend.ts";
export {
  LOCKED_BUDGET_ENV,
  type LockedBudget,
  LockedBudgetError,
  parseLockedBudget,
} from "./ffi/locked_budget.ts";
export { HelperError } from "./ffi/helper_error.ts";
export type { HostInfo } from "./ffi/host_info.ts";
export type { HostStream } from "./ffi/host_stream.ts";

// Suites.
export { defineSuite, SuiteDefinitionError, type SuiteProblem } from "./suites/define_suite.ts";
export type {
  Allocation,
  AllocationExpectations,
  AllocatorName,
  BytesExpectation,
  Conditions,
  Expectations,
  Step,
  Suite,
  SuiteCase,
} from "./suites/suite_model.ts";
export type * from "./suites/suite_input.ts";
export { caseTable, type ParameterValues, parametrize } from "./suites/case_table.ts";
export type { LatencyExpectation } from "./suites/suite_model.ts";
export type { LatencyJudgement } from "./suites/latency_budget.ts";
export {
  type BudgetJudgement,
  judgeBudget,
  type LatencyBudget,
  type QuantileInterval,
  quantileInterval,
  samplesToBound,
} from "./stats/budget_verdict.ts";
export { type CallSite, type RegisterOptions, registerSuite } from "./suites/register.ts";
export { type AudioBuffer, type AudioBufferSize, audioBufferSize } from "./suites/audio_format.ts";
export { bundledSuites } from "./suites/bundled.ts";
// Driver-under-test suites: a miniport's own buffer code against the simulator.
export {
  defineDriverSuite,
  type DriverLibrarySource,
  type DriverSuite,
  type DriverSuiteCase,
  isDriverSuite,
} from "./suites/driver_suite.ts";
export type * from "./suites/driver_input.ts";
export { type RegisterDriverOptions, registerDriverSuite } from "./suites/driver_register.ts";
export {
  runDriverSuiteCase,
  runDriverSuites,
  type RunDriverSuitesOptions,
} from "./suites/driver_provider.ts";
export type {
  DriverCaseReport,
  DriverFindingReport,
  DriverModeReport,
  DriverSuiteReport,
} from "./suites/driver_results.ts";
export { bundledDriverSuites, exampleMiniport } from "./suites/bundled_drivers.ts";
export type {
  AudioFormat as DriverAudioFormat,
  DriverCaseOptions,
  DriverFaults,
  DriverFinding,
  DriverLibrarySpec,
  DriverStep,
  IsolationOptions,
  SweepOptions,
} from "./ffi/driver/mod.ts";
export { hasFailures, runSuites, type RunSuitesOptions } from "./suites/run_suites.ts";
export type { RunCaseOptions } from "./suites/run_case.ts";
export { backendNames, hardwareProvider, simulatorProvider } from "./suites/backends.ts";
export type { BackendName, BackendProvider, RunOptions } from "./suites/backends.ts";
export type * from "./suites/results.ts";
export type { PageExtent, PageRun } from "./suites/page_runs.ts";
export type { PlacementOption } from "./core/placement.ts";
export {
  loadPlacementProfile,
  type PlacementProfile,
  type PlacementProfileV1,
  type PlacementProfileV2,
  type PlacementSizeClass,
  type RunLengthCounts,
} from "./core/placement_profile.ts";
export { type KsResult, ksTwoSample } from "./stats/ks_test.ts";
