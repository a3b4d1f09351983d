/**
 * A latency histogram as inline SVG: one bar per fixed-width bucket, with p50 and p99 marked.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import { formatNs } from "./format.ts";
import { histogram, percentile } from "../stats/latency.ts";
import type { BackendRun } from "../suites/results.ts";

const WIDTH = 520;
const HEIGHT = 110;
const PLOT = { left: 4, right: WIDTH - 4, top: 16, bottom: HEIGHT - 18 };

/**
 * The histogram of a backend run's allocation latencies.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "../suites/backends.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const run = await simulatorProvider.run(commonFormats.cases[0], { seed: 1 });
 * const svg = latencyHistogramSvg(run); // "<svg class=\"latency-histogram\" ...>"
 * ```
 */
export function latencyHistogramSvg(run: BackendRun): string {
  const samples = run.latencyNs;
  const open = `<svg class="latency-histogram" role="img" xmlns="http://www.w3.org/2000/svg" ` +
    `width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}"><title>Allocation ` +
    `latency: ${escapeHtml(run.backend)}</title>`;
  if (samples.length === 0) {
    return `${open}<text class="map-note" x="4" y="${HEIGHT / 2}">no timings</text></svg>`;
  }
  const buckets = histogram(samples, 24);
  const most = Math.max(...buckets.map((b) => b.count));
  const width = (PLOT.right - PLOT.left) / buckets.length;
  // Empty buckets draw nothing: the gap between bars is what shows them.
  const bars = buckets.flatMap((b, i) => {
    if (b.count === 0) return [];
    const h = Math.max(1, (b.count / most) * (PLOT.bottom - PLOT.top));
    return [
      `<rect class="bar" x="${PLOT.left + i * width + 1}" y="${PLOT.bottom - h}" ` +
      `width="${Math.max(1, width - 2)}" height="${h}"><title>${formatNs(b.lowNs)}–` +
      `${formatNs(b.highNs)}: ${b.count}</title></rect>`,
    ];
  });
  const p50 = percentile(samples, 50)!;
  const p99 = percentile(samples, 99)!;
  const label = `n=${samples.length} ${run.timingSource ?? ""} · p50 ${formatNs(p50)} · ` +
    `p99 ${formatNs(p99)}`;
  return `${open}<text class="hist-label" x="${PLOT.left}" y="11">${escapeHtml(label)}</text>` +
    bars.join("") +
    `<line class="axis-line" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" ` +
    `y2="${PLOT.bottom}"/>` +
    `<text class="axis" x="${PLOT.left}" y="${HEIGHT - 4}">${formatNs(buckets[0].lowNs)}</text>` +
    `<text class="axis" x="${PLOT.right}" y="${HEIGHT - 4}" text-anchor="end">` +
    `${formatNs(buckets[buckets.length - 1].highNs)}</text></svg>`;
}
