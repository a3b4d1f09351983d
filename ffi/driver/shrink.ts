/**
 * Shrinking a failing sweep variant to the smallest case that still fails the same rule: the
 * fewest pages requested, then the fewest steps, then the simplest notification count; and
 * printing a case as TypeScript ready to paste into a test.
 *
 * @module
 */

import type { CallSite, DriverCaseOptions, DriverCaseResult, DriverStep } from "./run_case.ts";

/**
 * One run of a sweep.
 *
 * @example
 * ```ts
 * const v: SweepVariant = { mode: "memory-cap", label: "memory cap 3 pages", options: { library: "x.so", requestedBytes: 8192 } };
 * ```
 */
export interface SweepVariant {
  readonly mode: "baseline" | "systematic" | "memory-cap" | "random";
  readonly label: string;
  readonly options: DriverCaseOptions;
}

/**
 * Runs a batch of cases and resolves with their results in order (in this process or a child).
 *
 * @example
 * ```ts
 * import { runDriverCaseInProcess } from "./run_case.ts";
 * const inProcess: CaseRunner = (jobs) => Promise.resolve(jobs.map(runDriverCaseInProcess));
 * ```
 */
export type CaseRunner = (jobs: readonly DriverCaseOptions[]) => Promise<DriverCaseResult[]>;

const PAGE = 4096;
const SIZES_PER_BATCH = 4;

/**
 * The smallest case found that still fails `rule`, starting from `variant`.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it runs driver cases.
 * const smallest = await shrinkFailure(variant, baseline, "actual-size-exceeds-mdl", run);
 * ```
 */
export async function shrinkFailure(
  variant: SweepVariant,
  baseline: DriverCaseResult,
  rule: string,
  run: CaseRunner,
): Promise<DriverCaseOptions> {
  const fails = (r: DriverCaseResult) => r.findings.some((f) => f.rule === rule);
  let best = variant.options;

  // 1. Fewer pages: every page count below the original, smallest first, a few sizes per batch
  //    so that a small reproduction is found without running every larger one.
  const pages = Math.ceil(best.requestedBytes / PAGE);
  for (let from = 1; from < pages; from += SIZES_PER_BATCH) {
    const candidates: DriverCaseOptions[] = [];
    for (let k = from; k < Math.min(pages, from + SIZES_PER_BATCH); k++) {
      candidates.push(...resized(variant, baseline, k * PAGE));
    }
    const first = (await run(candidates)).findIndex(fails);
    if (first >= 0) {
      best = candidates[first];
      break;
    }
  }

  // 2. Fewer steps: drop one at a time while it still fails (each round tries all in one batch).
  for (;;) {
    const steps: readonly DriverStep[] = best.steps ?? [{ call: "allocate" }, { call: "free" }];
    if (steps.length <= 1) break;
    const fewer = steps.map((_, i) => ({ ...best, steps: steps.filter((_, j) => j !== i) }));
    const results = await run(fewer);
    const first = results.findIndex(fails);
    if (first < 0) break;
    best = fewer[first];
  }

  // 3. A simpler notification count.
  if ((best.notificationCount ?? 0) > 1) {
    const simpler = { ...best, notificationCount: 1 };
    const [result] = await run([simpler]);
    if (fails(result)) best = simpler;
  }
  return best;
}

/** Up to this many pages, a memory-cap failure is retried under every cap of the smaller peak. */
const EXHAUSTIVE_PAGES = 16;

/**
 * The variant at a smaller request. A memory cap is retried at every cap below the smaller
 * case's peak (small requests) or scaled to keep the same shortfall (larger ones).
 */
function resized(variant: SweepVariant, baseline: DriverCaseResult, bytes: number) {
  const options = { ...variant.options, requestedBytes: bytes };
  const cap = variant.options.faults?.memoryCapBytes;
  if (variant.mode !== "memory-cap" || cap === undefined) return [options];
  const removed = Math.ceil(variant.options.requestedBytes / PAGE) - bytes / PAGE;
  const peak = baseline.peakPages - removed;
  const scaled = peak - (baseline.peakPages - cap / PAGE);
  const caps = bytes / PAGE <= EXHAUSTIVE_PAGES
    ? Array.from({ length: Math.max(peak, 0) }, (_, p) => p)
    : [scaled - 1, scaled, scaled + 1].filter((p) => p >= 0);
  return caps.map((p) => ({ ...options, faults: { ...options.faults, memoryCapBytes: p * PAGE } }));
}

/**
 * A case as TypeScript for a test: `await runDriverCase({ ... })` with the rule it fails. Each
 * failed call site is named `function+0xNN`, so the case still fails the same call after a
 * rebuild; a comment says which routine that is and, where known, its file and line.
 *
 * @example
 * ```ts
 * pasteableCase({ library: "lib.so", requestedBytes: 8192 }, "actual-size-exceeds-mdl", []);
 * // "// fails actual-size-exceeds-mdl\nconst result = await runDriverCase({\n  library: ..."
 * ```
 */
export function pasteableCase(
  options: DriverCaseOptions,
  rule: string,
  sites: readonly CallSite[] = [],
): string {
  const literal = JSON.stringify(options, null, 2).replace(/^(\s*)"([A-Za-z_]\w*)":/gm, "$1$2:");
  const named = (options.faults?.failSites ?? []).map((f) => {
    const site = sites.find((s) => s.symbol === f.site || s.site === f.site);
    if (site === undefined) return "";
    return `// ${site.symbol} calls ${site.operation}${site.source ? ` (${site.source})` : ""}\n`;
  }).join("");
  return `// fails ${rule}\n${named}const result = await runDriverCase(${literal});\n` +
    `assert.ok(result.findings.some((f) => f.rule === ${JSON.stringify(rule)}));`;
}
