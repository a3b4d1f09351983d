/**
 * wavert-bench: a simulator of Windows' IPortWaveRTStream page allocation, a hardware backend
 * that makes the same calls for real, and a suite DSL that runs one set of cases on both and
 * compares them.
 *
 * This entry point holds what a suite author and a backend user need. Fuzzing, benchmarking,
 * rendering and the command lines are subpath exports: `./fuzz`, `./bench`, `./report`,
 * `./open-questions`, `./cli`, `./fuzz/cli` and `./bench/cli`.
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
export type {
  Backend,
  BackendCapabilities,
  BackendLimits,
  CallTiming,
  Capability,
  Leak,
  Mdl,
  MdlSource,
  StreamOperation,
  WaveRtStream,
} from "./core/backend.ts";
export { CacheType, Irql, MdlFlags, MmAllocateFlags } from "./core/constants.ts";
export { DriverViolation, type ViolationRuleId, ViolationRules } from "./core/violations.ts";

// The simulator.
export { Simulator, type SimulatorOptions } from "./core/simulator.ts";
export { type MachineLayout, machinePresets } from "./core/machine.ts";

// The hardware backend.
export { HostBackend, type HostBackendOptions, openHostBackend } from "./ffi/host_backend.ts";
export { HelperError } from "./ffi/helper_error.ts";

// Suites.
export { defineSuite, SuiteDefinitionError } from "./suites/define_suite.ts";
export type { Suite, SuiteCase } from "./suites/suite_model.ts";
export type { CaseInput, SuiteInput } from "./suites/schema.ts";
export { type RegisterOptions, registerSuite } from "./suites/register.ts";
export { audioBufferSize } from "./suites/audio_format.ts";
export { bundledSuites } from "./suites/bundled.ts";
export { hasFailures, runSuites } from "./suites/run_suites.ts";
export { hardwareProvider, simulatorProvider } from "./suites/backends.ts";
export type { BackendProvider, RunOptions } from "./suites/backends.ts";
export type { RunReport } from "./suites/results.ts";
