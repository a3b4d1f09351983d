/**
 * The driver-under-test harness: build a miniport's stream buffer code against
 * `ffi/driver/include/`, run it against the simulator through a real `IPortWaveRTStream`, check
 * PortCls's and Driver Verifier's contracts, and sweep its failure paths.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it runs the compilers and starts child processes.
 * import { buildDriverLibrary, exampleDrivers, sweepDriverCase } from "./mod.ts";
 * const library = await buildDriverLibrary(exampleDrivers.buggy);
 * const report = await sweepDriverCase({ library, requestedBytes: 19_200, notificationCount: 2 });
 * for (const failure of report.failures) console.log(failure.pasteable);
 * ```
 *
 * @module
 */

export {
  buildDriverLibrary,
  driverBuildDir,
  type DriverBuildOptions,
  driverCompilerMissing,
  driverCompilers,
  driverIncludeDir,
  type DriverLibrarySpec,
  exampleDrivers,
  runNativeHarnessTests,
} from "./build_driver.ts";
export {
  type AudioFormat,
  type CallSite,
  type DriverCaseOptions,
  type DriverCaseResult,
  type DriverFaults,
  type DriverStep,
  runDriverCaseInProcess,
  type StepOutcome,
} from "./run_case.ts";
export {
  IsolatedDriverRunner,
  type IsolationOptions,
  runDriverBatch,
  runDriverCase,
} from "./isolated.ts";
export {
  sweepDriverCase,
  type SweepFailure,
  type SweepOptions,
  type SweepReport,
  type SweepVariant,
  type SweepVariantOutcome,
} from "./sweep.ts";
export { type DriverFinding, DriverRules, formatFinding } from "./findings.ts";
export { DEFAULT_ALLOWED_CACHE_TYPES } from "./contracts.ts";
