/**
 * Where a scattered allocation's pages lie: a histogram of its run lengths (how many physically
 * contiguous runs of 1, 2, 3–4, 5–8 … pages) as inline SVG, and the list of runs with their
 * first frame's address, folded away under a `<details>`.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import { formatHex } from "./format.ts";
import type { BackendRun } from "../suites/results.ts";

const WIDTH = 520;
const HEIGHT = 120;
const PLOT = { left: 6, right: WIDTH - 6, top: 30, bottom: HEIGHT - 20 };

/**
 * Power-of-two buckets of run lengths: `[1, 1]`, `[2, 2]`, `[3, 4]`, `[5, 8]` … up to `longest`.
 *
 * @example
 * ```ts
 * runLengthBuckets([1, 1, 3, 8]);
 * // [{ low: 1, high: 1, count: 2 }, { low: 2, high: 2, count: 0 },
 * //  { low: 3, high: 4, count: 1 }, { low: 5, high: 8, count: 1 }]
 * ```
 */
export function runLengthBuckets(
  lengths: readonly number[],
): { low: number; high: number; count: number }[] {
  if (lengths.length === 0) return [];
  const longest = Math.max(...lengths);
  const buckets = [{ low: 1, high: 1, count: 0 }];
  while (buckets[buckets.length - 1].high < longest) {
    const high = buckets[buckets.length - 1].high;
    buckets.push({ low: high + 1, high: high * 2, count: 0 });
  }
  for (const n of lengths) buckets.find((b) => n >= b.low && n <= b.high)!.count++;
  return buckets;
}

/**
 * The run-length histogram of a backend run's allocations, or "" when no allocation is
 * scattered (one run each) and a note when the backend cannot read frame numbers.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "../suites/backends.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const run = await simulatorProvider.run(commonFormats.cases[0], { seed: 1 });
 * runLengthSvg(run); // "" for a one-run allocation, else "<svg class=\"run-length-histogram\" …"
 * ```
 */
export function runLengthSvg(run: Pick<BackendRun, "backend" | "allocations">): string {
  const made = run.allocations.filter((a) => a.byteCount !== null && a.pages > 0);
  if (made.length === 0) return "";
  if (made.some((a) => a.runs === null)) {
    return `<p class="map-note run-length-note">run lengths unknown: no frame numbers</p>`;
  }
  const lengths = made.flatMap((a) => a.runs!.map((r) => r.pages));
  if (lengths.length === made.length) return ""; // each allocation is one run
  const buckets = runLengthBuckets(lengths);
  const most = Math.max(...buckets.map((b) => b.count));
  const width = (PLOT.right - PLOT.left) / buckets.length;
  const bars = buckets.map((b, i) => {
    const x = PLOT.left + i * width;
    const label = b.low === b.high ? `${b.low}` : `${b.low}–${b.high}`;
    const h = b.count === 0 ? 0 : Math.max(1, b.count / most * (PLOT.bottom - PLOT.top));
    return (b.count === 0 ? "" : `<rect class="run-bar" x="${(x + 1).toFixed(1)}" ` +
      `y="${(PLOT.bottom - h).toFixed(1)}" width="${Math.max(1, width - 2).toFixed(1)}" ` +
      `height="${h.toFixed(1)}"><title>${b.count} run(s) of ${label} page(s)</title></rect>` +
      `<text class="run-count" x="${(x + width / 2).toFixed(1)}" ` +
      `y="${(PLOT.bottom - h - 2).toFixed(1)}" text-anchor="middle">${b.count}</text>`) +
      (buckets.length <= 16 || i % 2 === 0
        ? `<text class="axis" x="${(x + width / 2).toFixed(1)}" y="${HEIGHT - 6}" ` +
          `text-anchor="middle">${label}</text>`
        : "");
  });
  return `<svg class="run-length-histogram" role="img" xmlns="http://www.w3.org/2000/svg" ` +
    `width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}"><title>Run lengths: ` +
    `${escapeHtml(run.backend)}</title><text class="hist-label" x="${PLOT.left}" y="11">` +
    `${lengths.length} contiguous run(s) by length in pages</text>${bars.join("")}` +
    `<line class="axis-line" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" ` +
    `y2="${PLOT.bottom}"/></svg>`;
}

const LISTED = 64;

/**
 * The runs of each scattered allocation (more than one run): first frame address and pages, at
 * most 64 rows each, under a `<details>` per allocation.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "../suites/backends.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const run = await simulatorProvider.run(commonFormats.cases[0], { seed: 1 });
 * pageListHtml(run, 4096); // "" unless an allocation is scattered
 * ```
 */
export function pageListHtml(
  run: Pick<BackendRun, "allocations">,
  pageSize: number,
): string {
  const page = BigInt(pageSize);
  return run.allocations.flatMap((a) => {
    if (a.runs === null || a.runs.length < 2) return [];
    const rows = a.runs.slice(0, LISTED).map((r, i) =>
      `<tr><td>${i + 1}</td><td>${
        formatHex(BigInt(r.firstPfn) * page)
      }</td><td>${r.pages}</td></tr>`
    );
    const more = a.runs.length > LISTED
      ? `<tr><td colspan="3">… and ${a.runs.length - LISTED} more run(s)</td></tr>`
      : "";
    return [
      `<details class="page-list"><summary>step ${a.step} ${escapeHtml(a.handle)}: ` +
      `${a.pages} page(s) in ${a.runs.length} runs</summary><table><thead><tr><th>#</th>` +
      `<th>first page</th><th>pages</th></tr></thead><tbody>${rows.join("")}${more}` +
      `</tbody></table></details>`,
    ];
  }).join("");
}
