/**
 * The bench's terminal tables, through the one text-table renderer: the sweep (a row per backend
 * and size) and the comparison with a baseline. Durations in one unit with three significant
 * digits, figures right-aligned.
 *
 * @module
 */

import type { SweepBackend } from "../bench/sweep.ts";
import { formatBytes, formatNs } from "./format.ts";
import { renderTextTable, type TextColumn } from "./text_table.ts";

const sweepColumns: readonly TextColumn[] = [
  { header: "backend" },
  { header: "size", align: "right" },
  { header: "n", align: "right" },
  { header: "p50", align: "right" },
  { header: "p99", align: "right" },
  { header: "max", align: "right" },
  { header: "CI ±%", align: "right" },
  { header: "outliers", align: "right" },
  { header: "ns/page", align: "right" },
  { header: "× zero floor", align: "right" },
];

/**
 * The sweep table: one row per backend and size; `zeroNsPerPage` is the machine's zeroing floor.
 *
 * @example
 * ```ts
 * import { Simulator } from "../core/simulator.ts";
 * import { sweepBackend } from "../bench/sweep.ts";
 * using sim = new Simulator();
 * console.log(sweepTable([sweepBackend(sim, [4096], { samples: 20 })], 250));
 * ```
 */
export function sweepTable(backends: readonly SweepBackend[], zeroNsPerPage: number): string {
  const rows = backends.flatMap((b) =>
    b.cases.map((c) => {
      const s = c.summary;
      if (!s) return [b.backend, formatBytes(c.bytes), "0", "-", "-", "-", "-", "-", "-", "-"];
      return [
        b.backend,
        formatBytes(c.bytes),
        `${s.count}`,
        formatNs(s.p50),
        formatNs(s.p99),
        formatNs(s.max),
        (s.medianCiRelativeWidth * 50).toFixed(1),
        `${s.outliers}`,
        `${Math.round(s.p50 / c.pages)}`,
        (s.p50 / c.pages / zeroNsPerPage).toFixed(2),
      ];
    })
  );
  return renderTextTable(sweepColumns, rows).join("\n");
}

/**
 * One size compared with the baseline.
 *
 * @example
 * ```ts
 * const row: ComparisonRow = {
 *   backend: "linux-host", bytes: 4096, medianRatio: 1.02, p: 0.3, effect: 0.1,
 *   verdict: "no change", regression: false,
 * };
 * ```
 */
export interface ComparisonRow {
  readonly backend: string;
  readonly bytes: number;
  /** Current median over the baseline's. */
  readonly medianRatio: number;
  /** The test's p-value. */
  readonly p: number;
  /** The test's effect size. */
  readonly effect: number;
  readonly verdict: string;
  readonly regression: boolean;
}

const comparisonColumns: readonly TextColumn[] = [
  { header: "backend" },
  { header: "size", align: "right" },
  { header: "median ratio", align: "right" },
  { header: "p", align: "right" },
  { header: "effect", align: "right" },
  { header: "regression" },
  { header: "verdict" },
];

/**
 * The comparison with a baseline, a row per size.
 *
 * @example
 * ```ts
 * comparisonTable([{
 *   backend: "linux-host", bytes: 4096, medianRatio: 1.02, p: 0.3, effect: 0.1,
 *   verdict: "no change", regression: false,
 * }]);
 * ```
 */
export function comparisonTable(rows: readonly ComparisonRow[]): string {
  return renderTextTable(
    comparisonColumns,
    rows.map((r) => [
      r.backend,
      formatBytes(r.bytes),
      r.medianRatio.toFixed(3),
      // erf is accurate to about 1e-7: below that, say so rather than print 0.
      r.p < 1e-7 ? "< 1e-7" : r.p.toPrecision(2),
      r.effect.toFixed(2),
      r.regression ? "yes" : "no",
      r.verdict,
    ]),
  ).join("\n");
}
