/**
 * The hardware side of a case, run inside the isolated child process `ffi/isolation.ts` starts:
 * a native crash then fails one case instead of the whole run, and the kernel reclaims the pages.
 *
 * @module
 */

import type { HostBackend } from "../ffi/host_backend.ts";
import type { SuiteCase } from "./define_suite.ts";
import { runCase, type RunCaseOptions } from "./run_case.ts";
import { fromTaggedJson, toTaggedJson } from "./tagged_json.ts";

/**
 * Runs a case and its options (as tagged JSON) on the child's host backend and returns the run as
 * tagged JSON.
 * Called by `runIsolated(..., "runSuiteCase", { input })`.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper and starts a child process.
 * import { runIsolated } from "../mod.ts";
 * import { commonFormats } from "./bundled.ts";
 * import { toTaggedJson } from "./tagged_json.ts";
 * const input = toTaggedJson({ testCase: commonFormats.cases[0], options: {} });
 * const text = await runIsolated(hardwareCaseModule, "runSuiteCase", { input });
 * ```
 */
export function runSuiteCase(backend: HostBackend, input: string): string {
  const { testCase, options } = fromTaggedJson<{ testCase: SuiteCase; options: RunCaseOptions }>(
    input,
  );
  return toTaggedJson(runCase(
    {
      name: "hardware",
      backend,
      // Read by the helper: the child may not read /proc/iomem. Null without CAP_SYS_ADMIN, and
      // the map is then drawn without RAM ranges.
      machine: backend.ramLayout(),
      liveMdls: () => backend.leaks().length,
      assertNoLeaks: () => backend.assertNoLeaks(),
    },
    testCase,
    options,
  ));
}

/**
 * This module, for `runIsolated`.
 *
 * @example
 * ```ts
 * hardwareCaseModule.href.endsWith("/suites/hardware_case.ts"); // true: the module the child loads
 * ```
 */
export const hardwareCaseModule: URL = new URL(import.meta.url);
