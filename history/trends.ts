/**
 * Per-case trends of a results history and the regression rule: for each suite › case › backend,
 * the per-run medians (p50) of the last `last` runs are compared with those of the `previous`
 * runs before them by a two-sided Mann–Whitney U test (bench/compare.ts). A case regressed when
 * p < `alpha`, the rank-biserial effect size is at least `minEffect` (later runs slower), and the
 * median of the recent p50s exceeds the earlier one by more than `threshold`; or when its latest
 * verdict is "failed" after a "passed". Fewer than 3 earlier runs: "too few runs", never flagged.
 *
 * @module
 */

import { median } from "npm:simple-statistics@7.12.1";
import { mannWhitneyU } from "../bench/compare.ts";
import type { HistoryRun } from "./model.ts";

/**
 * Parameters of the regression rule.
 *
 * @example
 * ```ts
 * const options: TrendOptions = { last: 5, previous: 10, alpha: 0.05, minEffect: 0.5, threshold: 0.05 };
 * ```
 */
export interface TrendOptions {
  readonly last: number;
  readonly previous: number;
  readonly alpha: number;
  readonly minEffect: number;
  readonly threshold: number;
}

/**
 * The defaults: last 5 runs against the 10 before, p < 0.05, effect ≥ 0.5, > 5 % slower.
 *
 * @example
 * ```ts
 * DEFAULT_TREND_OPTIONS.last; // 5
 * ```
 */
export const DEFAULT_TREND_OPTIONS: TrendOptions = {
  last: 5,
  previous: 10,
  alpha: 0.05,
  minEffect: 0.5,
  threshold: 0.05,
};

/**
 * One case's trend.
 *
 * @example
 * ```ts
 * function flagged(trends: CaseTrend[]) {
 *   return trends.filter((t) => t.regression !== null);
 * }
 * ```
 */
export interface CaseTrend {
  readonly suite: string;
  readonly case: string;
  readonly backend: string;
  /** Per run, oldest first: when, the verdict and the p50 in ns (null without samples). */
  readonly points: readonly { createdAt: string; verdict: string; p50Ns: number | null }[];
  readonly test: { p: number; effect: number; medianRatio: number } | null;
  /** Why the case is flagged, or null. */
  readonly regression: string | null;
  /** "too few runs" and the like, when the latency test could not be made. */
  readonly note: string | null;
}

/**
 * The trend of every case in `runs` (oldest first).
 *
 * @example
 * ```ts
 * caseTrends([]); // []
 * ```
 */
export function caseTrends(
  runs: readonly HistoryRun[],
  options: TrendOptions = DEFAULT_TREND_OPTIONS,
): CaseTrend[] {
  const series = new Map<string, { key: [string, string, string]; points: CaseTrend["points"] }>();
  for (const run of runs) {
    for (const r of run.results) {
      const id = JSON.stringify([r.suite, r.case, r.backend]);
      const entry = series.get(id) ?? { key: [r.suite, r.case, r.backend], points: [] };
      (entry.points as CaseTrend["points"][number][]).push({
        createdAt: run.createdAt,
        verdict: r.verdict,
        p50Ns: r.p50Ns,
      });
      series.set(id, entry);
    }
  }
  return [...series.values()].map(({ key: [suite, name, backend], points }) => {
    const latest = points.at(-1);
    const before = points.at(-2);
    let regression = latest?.verdict === "failed" && before?.verdict === "passed"
      ? "verdict: failed after passed"
      : null;
    const values = points.map((p) => p.p50Ns).filter((v): v is number => v !== null);
    const recent = values.slice(-options.last);
    const earlier = values.slice(0, -options.last).slice(-options.previous);
    if (earlier.length < 3 || recent.length < options.last) {
      return { suite, case: name, backend, points, test: null, regression, note: "too few runs" };
    }
    const mw = mannWhitneyU(earlier, recent);
    const medianRatio = median(recent) / median(earlier);
    const test = { p: mw.p, effect: mw.effect, medianRatio };
    if (
      mw.p < options.alpha && mw.effect >= options.minEffect &&
      medianRatio > 1 + options.threshold
    ) {
      const latency = `p50 ${((medianRatio - 1) * 100).toFixed(1)} % slower ` +
        `(Mann–Whitney p=${mw.p.toPrecision(2)}, effect ${mw.effect.toFixed(2)})`;
      regression = regression ? `${regression}; ${latency}` : latency;
    }
    return { suite, case: name, backend, points, test, regression, note: null };
  });
}
