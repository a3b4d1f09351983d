/**
 * A latency histogram as inline SVG on a logarithmic time axis, with p50, p99 and p99.9 marked.
 * Latencies spread over decades (a 4 KiB allocation in microseconds, a stall in milliseconds), so
 * the bins are equal in log space; fewer than {@linkcode SMALL_SAMPLE} samples are drawn as
 * points, one per sample, since a histogram of five values shows nothing but its binning.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import { formatNs } from "./format.ts";
import { percentile } from "../stats/latency.ts";
import type { BackendRun } from "../suites/results.ts";

const WIDTH = 520;
const HEIGHT = 140;
const PLOT = { left: 6, right: WIDTH - 6, top: 44, bottom: HEIGHT - 20 };
const BINS = 32;

/**
 * Below this many samples the histogram draws each sample as a point.
 *
 * @example
 * ```ts
 * SMALL_SAMPLE; // 30
 * ```
 */
export const SMALL_SAMPLE = 30;

const MARKS = [
  { name: "p50", p: 50 },
  { name: "p99", p: 99 },
  { name: "p99.9", p: 99.9 },
] as const;

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
export function latencyHistogramSvg(
  run: Pick<BackendRun, "backend" | "latencyNs" | "timingSource">,
): string {
  const samples = run.latencyNs.filter((s) => Number.isFinite(s) && s > 0);
  const open = `<svg class="latency-histogram" role="img" xmlns="http://www.w3.org/2000/svg" ` +
    `width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}"><title>Allocation ` +
    `latency: ${escapeHtml(run.backend)}</title>`;
  if (samples.length === 0) {
    return `${open}<text class="map-note" x="4" y="${HEIGHT / 2}">no timings</text></svg>`;
  }
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) [min, max] = [Math.min(min, s), Math.max(max, s)];
  // At least a factor of 2 across, centred on the data, so one value does not fill the axis.
  let [lo, hi] = [Math.log10(min), Math.log10(max)];
  const span = Math.max(hi - lo, Math.log10(2));
  const middle = (lo + hi) / 2;
  [lo, hi] = [middle - span * 0.55, middle + span * 0.55];
  const x = (ns: number) =>
    PLOT.left + (Math.log10(ns) - lo) / (hi - lo) * (PLOT.right - PLOT.left);

  const small = samples.length < SMALL_SAMPLE;
  const body = small ? points(samples, x) : bars(samples, lo, hi);
  // Percentiles that read the same share one label ("p50 = p99 6.40 µs"), one row each otherwise,
  // so nearby labels do not overwrite each other.
  const values = MARKS.map((m) => ({ ...m, value: percentile(samples, m.p)! }));
  const rows: { names: string[]; value: number }[] = [];
  for (const v of values) {
    const same = rows.find((row) => formatNs(row.value) === formatNs(v.value));
    if (same) same.names.push(v.name);
    else rows.push({ names: [v.name], value: v.value });
  }
  const lines = values.map((m) => {
    const at = r(x(m.value));
    return `<line class="percentile ${m.name.replace(".", "")}" x1="${at}" x2="${at}" ` +
      `y1="${PLOT.top - 8}" y2="${PLOT.bottom}"><title>${m.name} ${
        formatNs(m.value)
      }</title></line>`;
  });
  const marks = rows.map((row, i) => {
    const at = x(row.value);
    const anchor = at > WIDTH * 0.75 ? "end" : "start";
    const y = 20 + i * 10;
    return `<text class="percentile-label" x="${r(at + (anchor === "end" ? -4 : 4))}" y="${y}" ` +
      `text-anchor="${anchor}">${row.names.join(" = ")} ${escapeHtml(formatNs(row.value))}</text>`;
  });
  const label = `n=${samples.length}${run.timingSource ? ` ${run.timingSource}` : ""}` +
    `${small ? " · each point is a sample" : ""} · log time axis`;
  return `${open}<text class="hist-label" x="${PLOT.left}" y="9">${escapeHtml(label)}</text>` +
    body + ticks(lo, hi, x).join("") +
    `<line class="axis-line" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" ` +
    `y2="${PLOT.bottom}"/>` + lines.join("") + marks.join("") + `</svg>`;
}

function bars(samples: readonly number[], lo: number, hi: number): string {
  const counts = new Array<number>(BINS).fill(0);
  for (const s of samples) {
    const i = Math.floor((Math.log10(s) - lo) / (hi - lo) * BINS);
    counts[Math.min(BINS - 1, Math.max(0, i))]++;
  }
  const most = Math.max(...counts);
  const width = (PLOT.right - PLOT.left) / BINS;
  // Empty bins draw nothing: the gap between bars is what shows them.
  return counts.map((count, i) => {
    if (count === 0) return "";
    const h = Math.max(1, count / most * (PLOT.bottom - PLOT.top));
    const low = 10 ** (lo + (hi - lo) * i / BINS);
    const high = 10 ** (lo + (hi - lo) * (i + 1) / BINS);
    return `<rect class="bar" x="${r(PLOT.left + i * width + 0.5)}" y="${r(PLOT.bottom - h)}" ` +
      `width="${r(Math.max(1, width - 1))}" height="${r(h)}"><title>${formatNs(low)}–` +
      `${formatNs(high)}: ${count}</title></rect>`;
  }).join("");
}

/** One dot per sample; samples at the same pixel column stack upward. */
function points(samples: readonly number[], x: (ns: number) => number): string {
  const stacks = new Map<number, number>();
  return [...samples].sort((a, b) => a - b).map((s) => {
    const column = Math.round(x(s) / 6);
    const level = stacks.get(column) ?? 0;
    stacks.set(column, level + 1);
    const cy = Math.max(PLOT.top, PLOT.bottom - 5 - level * 7);
    return `<circle class="sample" cx="${r(x(s))}" cy="${r(cy)}" r="3">` +
      `<title>${formatNs(s)}</title></circle>`;
  }).join("");
}

/** Ticks at 1, 2 and 5 of each decade, labelled where there is room. */
function ticks(lo: number, hi: number, x: (ns: number) => number): string[] {
  const out: string[] = [];
  let lastLabel = -Infinity;
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) {
      const ns = m * 10 ** e;
      const at = x(ns);
      if (at < PLOT.left || at > PLOT.right) continue;
      out.push(
        `<line class="tick" x1="${r(at)}" x2="${r(at)}" y1="${PLOT.bottom}" ` +
          `y2="${PLOT.bottom + (m === 1 ? 5 : 3)}"/>`,
      );
      if (at - lastLabel < 48) continue;
      lastLabel = at;
      out.push(
        `<text class="axis" x="${r(at)}" y="${HEIGHT - 4}" text-anchor="middle">` +
          `${formatNs(ns)}</text>`,
      );
    }
  }
  return out;
}

function r(n: number): string {
  return n.toFixed(1);
}
