/**
 * The locked-memory budget applied to whole suites: before anything is allocated, every hardware
 * case whose allocations could together exceed the host backend's budget is named with the
 * figures, so a run is refused up front instead of failing (or locking too much) halfway.
 *
 * @module
 */

import type { BackendLimits } from "../core/backend.ts";
import { formatBytes } from "../ffi/locked_budget.ts";
import { simulatorOnlyConditions } from "./backends.ts";
import type { SuiteCase } from "./suite_model.ts";
import { testName } from "./run_suites.ts";
import type { Suite } from "./suite_model.ts";

/**
 * Most bytes a case holds locked at once on a host, taking every allocation step as live
 * together: whole pages, and whole contiguous units (huge pages on Linux) for contiguous requests.
 *
 * @example
 * ```ts
 * import { largeBuffers } from "./bundled.ts";
 * lockedBytesNeeded(largeBuffers.cases[0], 4096, 2 << 20); // e.g. 1048576
 * ```
 */
export function lockedBytesNeeded(
  testCase: SuiteCase,
  pageSize: number,
  contiguousUnitBytes: number,
): number {
  let needed = 0;
  for (const step of testCase.steps) {
    if (!("allocation" in step)) continue;
    const unit = step.allocation.call === "allocateContiguousPagesForMdl"
      ? contiguousUnitBytes
      : pageSize;
    needed += Math.ceil(step.allocation.totalBytes / unit) * unit;
  }
  return needed;
}

/**
 * One line per hardware case over the budget, with the figures; empty when all fit or when the
 * limits set no budget. Cases only the simulator can run and cases `filter` drops are left out.
 *
 * @example
 * ```ts
 * import { largeBuffers } from "./bundled.ts";
 * const limits = { lockedBytes: null, contiguousUnitBytes: 2 << 20, lockedBudgetBytes: 1 << 20 };
 * overBudget([largeBuffers], limits, 4096); // ["Large buffers › … needs up to 64 MiB …", …]
 * ```
 */
export function overBudget(
  suites: readonly Suite[],
  limits: BackendLimits,
  pageSize: number,
  filter?: string,
): string[] {
  const problems: string[] = [];
  for (const suite of suites) {
    for (const testCase of suite.cases) {
      if (!matchesFilter(testName(testCase), filter)) continue;
      const problem = caseOverBudget(testCase, limits, pageSize);
      if (problem !== null) problems.push(problem);
    }
  }
  return problems;
}

/**
 * The line {@linkcode overBudget} gives one hardware case over the budget, with the figures; null
 * when it fits, when the limits set no budget, or when only the simulator can run the case.
 *
 * @example
 * ```ts
 * import { largeBuffers } from "./bundled.ts";
 * const limits = { lockedBytes: null, contiguousUnitBytes: 2 << 20, lockedBudgetBytes: 1 << 20 };
 * caseOverBudget(largeBuffers.cases[0], limits, 4096); // "Large buffers › … needs up to …"
 * ```
 */
export function caseOverBudget(
  testCase: SuiteCase,
  limits: BackendLimits,
  pageSize: number,
): string | null {
  const budget = limits.lockedBudgetBytes;
  if (budget === null || budget === undefined) return null;
  if (simulatorOnlyConditions(testCase.conditions).length > 0) return null;
  const needed = lockedBytesNeeded(testCase, pageSize, limits.contiguousUnitBytes);
  if (needed <= budget) return null;
  return `${testName(testCase)}: needs up to ${formatBytes(needed)} (${needed} bytes) locked, ` +
    `over the locked-memory budget of ${formatBytes(budget)} (${budget} bytes, ${
      limits.lockedBudgetRule ?? "the configured budget"
    })`;
}

/** `deno test --filter` semantics: a substring, or a regular expression between slashes. */
function matchesFilter(name: string, filter: string | undefined): boolean {
  if (filter === undefined || filter === "") return true;
  const regex = /^\/(.*)\/$/.exec(filter);
  return regex ? new RegExp(regex[1]).test(name) : name.includes(filter);
}
