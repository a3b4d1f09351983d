/**
 * The hardware side of a case, run inside the isolated child process `ffi/isolation.ts` starts:
 * a native crash then fails one case instead of the whole run, and the kernel reclaims the pages.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import type { HostBackend } from "../ffi/host_backend.ts";
import type { SuiteCase } from "./suite_model.ts";
import { ignoredRun } from "./results.ts";
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
  const limit = hostLimit(testCase, backend);
  if (limit !== null) return toTaggedJson(ignoredRun("hardware", limit));
  return toTaggedJson(runCase(
    {
      name: "hardware",
      backend,
      // Read by the helper: the child may not read /proc/iomem. Null without CAP_SYS_ADMIN, and
      // the map is then drawn without RAM ranges.
      machine: backend.ramLayout(),
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

/**
 * Why this host cannot run `testCase` as written, or null when it can: contiguous requests where
 * the backend cannot make or verify contiguous memory, and more locked memory than RLIMIT_MEMLOCK
 * allows a process without CAP_IPC_LOCK (the allocation would come back partial for a reason that
 * is the test machine's, not the allocator's).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper.
 * import { openHostBackend } from "../mod.ts";
 * import { largeBuffers } from "./bundled.ts";
 * using backend = openHostBackend();
 * hostLimit(largeBuffers.cases[2], backend); // e.g. "needs up to 64 MiB locked at once, …"
 * ```
 */
export function hostLimit(testCase: SuiteCase, backend: Backend): string | null {
  const allocations = testCase.steps.flatMap((step) =>
    "allocation" in step ? [step.allocation] : []
  );
  const contiguous = backend.capabilities.contiguous;
  if (
    !contiguous.available && allocations.some((a) => a.call === "allocateContiguousPagesForMdl")
  ) {
    return `contiguous allocations are unavailable here: ${contiguous.reason}`;
  }
  const { lockedBytes, lockedBytesReason, contiguousUnitBytes } = backend.limits;
  if (lockedBytes === null) return null;
  // Contiguous requests hold whole huge pages on Linux; others whole pages.
  const needed = allocations.reduce((sum, a) => {
    const unit = a.call === "allocateContiguousPagesForMdl"
      ? contiguousUnitBytes
      : backend.pageSize;
    return sum + Math.ceil(a.totalBytes / unit) * unit;
  }, 0);
  return needed > lockedBytes
    ? `needs up to ${mib(needed)} locked at once, but ${lockedBytesReason}: a partial result ` +
      "would be the test machine's limit, not the allocator's"
    : null;
}

function mib(bytes: number): string {
  return `${+(bytes / (1 << 20)).toFixed(2)} MiB`;
}
