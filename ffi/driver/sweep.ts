/**
 * Sweep mode: runs a driver case once plainly, then once per distinct call site with that call
 * failing (systematic, like Driver Verifier), once per memory cap that forces each possible
 * partial size class, and under random faults with a seed. Each rule that fails is shrunk to the
 * smallest input that still fails it and printed as a ready-to-paste case.
 *
 * @module
 */

import type { DriverCaseOptions, DriverCaseResult } from "./run_case.ts";
import { runDriverCaseInProcess } from "./run_case.ts";
import { IsolatedDriverRunner, type IsolationOptions } from "./isolated.ts";
import { type CaseRunner, pasteableCase, shrinkFailure, type SweepVariant } from "./shrink.ts";
import { sourceLines } from "./source_lines.ts";

export type { CaseRunner, SweepVariant } from "./shrink.ts";
import type { DriverFinding } from "./findings.ts";

/**
 * Which variants a sweep runs, and how.
 *
 * @example
 * ```ts
 * const sweep: SweepOptions = { random: { runs: 50, seed: 7, probability: 0.1 } };
 * ```
 */
export interface SweepOptions {
  /** One run per distinct call site with its first call failing. Default true. */
  readonly systematic?: boolean;
  /** One run per memory cap from 0 to the baseline's peak − 1 page. Default true. */
  readonly memoryCaps?: boolean;
  /** Random faults on page, map and pool calls; `false` for none. Default 20 runs, p = 0.1. */
  readonly random?:
    | { readonly runs: number; readonly seed?: number; readonly probability?: number }
    | false;
  /** Shrink each failing rule to its smallest case. Default true. */
  readonly shrink?: boolean;
  /** Run in this process (faster, but a driver crash ends it). Default: a child process. */
  readonly inProcess?: boolean;
  /** How isolated runs are made (their timeout). */
  readonly isolation?: IsolationOptions;
}

/**
 * A rule a sweep found failing: the first variant that failed it, and its shrunk form.
 *
 * @example
 * ```ts
 * const rules = (r: SweepReport) => r.failures.map((f: SweepFailure) => f.rule);
 * ```
 */
export interface SweepFailure {
  readonly rule: string;
  readonly finding: DriverFinding;
  readonly variant: SweepVariant;
  /** The smallest case found that still fails `rule` (the variant's own when not shrunk). */
  readonly shrunk: DriverCaseOptions;
  /** `shrunk` as TypeScript ready to paste into a test. */
  readonly pasteable: string;
}

/**
 * One variant of a sweep and the rules it found.
 *
 * @example
 * ```ts
 * const failing = (outcomes: SweepVariantOutcome[]) => outcomes.filter((o) => !o.passed);
 * ```
 */
export interface SweepVariantOutcome {
  readonly variant: SweepVariant;
  readonly passed: boolean;
  readonly rules: readonly string[];
}

/**
 * What a sweep ran and found.
 *
 * @example
 * ```ts
 * const summary = (r: SweepReport) => `${r.runs} runs, ${r.failures.length} failing rules`;
 * ```
 */
export interface SweepReport {
  /** No variant found anything. */
  readonly passed: boolean;
  /** Variants run, the baseline included (shrinking's runs not counted). */
  readonly runs: number;
  /** Each variant, in the order run, with what it found. */
  readonly variants: readonly SweepVariantOutcome[];
  /** One per rule found, shrunk unless `shrink: false`. */
  readonly failures: readonly SweepFailure[];
  /** The baseline run's fault sites (with `file:line` where known) and peak, which the
   * variants were derived from. */
  readonly baseline: DriverCaseResult;
  /** Why the sites have no `file:line` (no addr2line, say). */
  readonly sourceLinesSkipped?: string;
  readonly elapsedMs: number;
}

/**
 * The variants a sweep derives from a baseline run: one per fault site, one per memory cap
 * below its peak, and the random runs.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a baseline result.
 * const variants = sweepVariants(options, baseline, {});
 * ```
 */
export function sweepVariants(
  options: DriverCaseOptions,
  baseline: DriverCaseResult,
  sweep: SweepOptions,
): SweepVariant[] {
  const variants: SweepVariant[] = [];
  const faults = options.faults ?? {};
  if (sweep.systematic !== false) {
    for (const site of baseline.sites) {
      variants.push({
        mode: "systematic",
        label: `${site.operation} fails at ${site.symbol}`,
        options: {
          ...options,
          faults: { ...faults, failSites: [{ site: site.symbol, occurrence: 1 }] },
        },
      });
    }
  }
  if (sweep.memoryCaps !== false) {
    for (let pages = 0; pages < baseline.peakPages; pages++) {
      variants.push({
        mode: "memory-cap",
        label: `memory cap ${pages} pages`,
        options: { ...options, faults: { ...faults, memoryCapBytes: pages * 4096 } },
      });
    }
  }
  const random = sweep.random ?? { runs: 20 };
  if (random !== false) {
    const probability = random.probability ?? 0.1;
    const seed = random.seed ?? 1;
    for (let i = 0; i < random.runs; i++) {
      variants.push({
        mode: "random",
        label: `random faults p=${probability} seed ${seed + i}`,
        options: {
          ...options,
          simulator: { ...options.simulator, seed: seed + i },
          faults: { ...faults, probability, poolProbability: probability },
        },
      });
    }
  }
  return variants;
}

/**
 * Runs the sweep of a case.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts a child process.
 * const report = await sweepDriverCase({ library, requestedBytes: 19_200, notificationCount: 2 });
 * for (const failure of report.failures) console.log(failure.pasteable);
 * ```
 */
export async function sweepDriverCase(
  options: DriverCaseOptions,
  sweep: SweepOptions = {},
): Promise<SweepReport> {
  // One child serves the whole sweep, its shrinking included (replaced only after a crash).
  await using isolated = sweep.inProcess ? null : new IsolatedDriverRunner(sweep.isolation);
  return await sweepWith(
    isolated === null
      ? (jobs) => Promise.resolve(jobs.map((job) => runDriverCaseInProcess(job)))
      : (jobs) => isolated.run(jobs),
    options,
    sweep,
  );
}

/**
 * The sweep of a case, its runs made by `run` (the benchmark compares runners with it).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts child processes.
 * const report = await sweepWith((jobs) => runDriverBatch(jobs), { library, requestedBytes: 4096 });
 * ```
 */
export async function sweepWith(
  run: CaseRunner,
  options: DriverCaseOptions,
  sweep: Omit<SweepOptions, "inProcess" | "isolation"> = {},
): Promise<SweepReport> {
  const started = performance.now();
  const [plain] = await run([options]);
  const variants = [
    { mode: "baseline", label: "no faults", options } as const,
    ...sweepVariants(options, plain, sweep),
  ];
  // addr2line runs while the variants do.
  const [found, rest] = await Promise.all([
    sourceLines(options.library, plain.sites.map((s) => s.site)),
    run(variants.slice(1).map((v) => v.options)),
  ]);
  const baseline = "lines" in found ? withSourceLines(plain, found.lines) : plain;
  const results = [baseline, ...rest];
  const firstByRule = new Map<string, { variant: SweepVariant; finding: DriverFinding }>();
  variants.forEach((variant, i) => {
    for (const finding of results[i].findings) {
      if (!firstByRule.has(finding.rule)) firstByRule.set(finding.rule, { variant, finding });
    }
  });
  // Each failing rule shrinks on its own; their batches share the child in turn.
  const failures: SweepFailure[] = await Promise.all(
    [...firstByRule].map(async ([rule, { variant, finding }]) => {
      const shrunk = sweep.shrink === false || rule === "driver-crash"
        ? variant.options
        : await shrinkFailure(variant, baseline, rule, run);
      const pasteable = pasteableCase(shrunk, rule, baseline.sites);
      return { rule, finding, variant, shrunk, pasteable };
    }),
  );
  return {
    passed: failures.length === 0,
    runs: results.length,
    variants: variants.map((variant, i) => ({
      variant,
      passed: results[i].passed,
      rules: [...new Set(results[i].findings.map((f) => f.rule))],
    })),
    failures,
    baseline,
    ...("skipped" in found ? { sourceLinesSkipped: found.skipped } : {}),
    elapsedMs: performance.now() - started,
  };
}

function withSourceLines(result: DriverCaseResult, lines: Map<number, string>): DriverCaseResult {
  const sites = result.sites.map((s) =>
    lines.has(s.site) ? { ...s, source: lines.get(s.site) } : s
  );
  return { ...result, sites };
}
