/**
 * The latency report as one self-contained HTML file: latency versus size per backend (p50 solid,
 * p99 dashed, on log axes), the calibrated simulator's prediction against the measurement, and a
 * table of every statistic.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import type { SweepBackend } from "../bench/sweep.ts";

/**
 * A prediction of the calibrated simulator for one size.
 *
 * @example
 * ```ts
 * const p: Prediction = { bytes: 4096, measuredNs: 3000, predictedNs: 3300, error: 0.1 };
 * ```
 */
export interface Prediction {
  /** Bytes requested per allocation. */
  readonly bytes: number;
  /** Median duration measured on the hardware, in nanoseconds. */
  readonly measuredNs: number;
  /** Duration the calibrated cost model predicts for that size, in nanoseconds. */
  readonly predictedNs: number;
  /** (predicted − measured) / measured. */
  readonly error: number;
}

/**
 * What the report shows.
 *
 * @example
 * ```ts
 * const input: LatencyReportInput = { title: "sweep", backends: [], predictions: [], notes: [] };
 * latencyReportHtml(input);
 * ```
 */
export interface LatencyReportInput {
  readonly title: string;
  readonly backends: readonly SweepBackend[];
  readonly predictions: readonly Prediction[];
  readonly notes: readonly string[];
}

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 20, top: 20, bottom: 50 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

/**
 * Renders the report.
 *
 * @example
 * ```ts
 * const html = latencyReportHtml({ title: "sweep", backends: [], predictions: [], notes: [] });
 * html.startsWith("<!doctype html>"); // true
 * ```
 */
export function latencyReportHtml(input: LatencyReportInput): string {
  const series = input.backends.flatMap((b, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = (key: "p50" | "p99") =>
      b.cases.flatMap((c) => c.summary ? [[c.bytes, c.summary[key]] as [number, number]] : []);
    return [
      { label: `${b.backend} p50`, colour, dash: "", points: points("p50") },
      { label: `${b.backend} p99`, colour, dash: "6 4", points: points("p99") },
    ];
  });
  const predicted = [
    {
      label: "measured median",
      colour: COLOURS[1],
      dash: "",
      points: input.predictions.map((p) => [p.bytes, p.measuredNs] as [number, number]),
    },
    {
      label: "calibrated simulator",
      colour: COLOURS[2],
      dash: "2 3",
      points: input.predictions.map((p) => [p.bytes, p.predictedNs] as [number, number]),
    },
  ];
  const rows = input.backends.flatMap((b) =>
    b.cases.map((c) => {
      const s = c.summary;
      const cells = s
        ? [s.min, s.p50, s.p90, s.p99, s.p999, s.max, s.mean, s.sd].map(us)
        : Array(8).fill("–");
      const ci = s ? `${us(s.medianCi[0])}–${us(s.medianCi[1])}` : "–";
      return `<tr><td>${escapeHtml(b.backend)}</td><td>${bytes(c.bytes)}</td><td>${
        s?.count ?? 0
      }</td>${cells.map((v) => `<td>${v}</td>`).join("")}<td>${ci}</td><td>${
        s?.outliers ?? 0
      }</td></tr>`;
    })
  );
  const errorRows = input.predictions.map((p) =>
    `<tr><td>${bytes(p.bytes)}</td><td>${us(p.measuredNs)}</td><td>${us(p.predictedNs)}</td><td>${
      (p.error * 100).toFixed(1)
    } %</td></tr>`
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th { background: #f4f4f4; }
svg text { font: 11px system-ui, sans-serif; }
</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
${input.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("\n")}
<h2>Latency versus size</h2>
${chart("latency-vs-size", series)}
${
    input.predictions.length
      ? `<h2>Calibrated simulator versus measurement</h2>
${chart("predicted-vs-measured", predicted)}
<table><tr><th>size</th><th>measured p50 (µs)</th><th>predicted (µs)</th><th>error</th></tr>
${errorRows.join("\n")}</table>`
      : ""
  }
<h2>All statistics (µs)</h2>
<table><tr><th>backend</th><th>size</th><th>n</th><th>min</th><th>p50</th><th>p90</th><th>p99</th>
<th>p99.9</th><th>max</th><th>mean</th><th>sd</th><th>median 95 % CI</th><th>outliers</th></tr>
${rows.join("\n")}</table>
</body></html>
`;
}

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly dash: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A log-log line chart: bytes across, nanoseconds up. */
function chart(id: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (all.length === 0) return `<p>No data.</p>`;
  const [x0, x1] = logRange(all.map((p) => p[0]));
  const [y0, y1] = logRange(all.map((p) => p[1]));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (Math.log10(x) - x0) / (x1 - x0 || 1) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (Math.log10(y) - y0) / (y1 - y0 || 1) * plotH;
  const xTicks = [];
  for (let e = Math.ceil(x0 / Math.log10(4)); e <= Math.floor(x1 / Math.log10(4)); e++) {
    const x = 4 ** e;
    xTicks.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${MARGIN.top}" y2="${
        MARGIN.top + plotH
      }" stroke="#eee"/>` +
        `<text x="${sx(x)}" y="${HEIGHT - 30}" text-anchor="middle">${bytes(x)}</text>`,
    );
  }
  const yTicks = [];
  for (let e = Math.ceil(y0); e <= Math.floor(y1); e++) {
    const y = 10 ** e;
    yTicks.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(y)}" y2="${
        sy(y)
      }" stroke="#eee"/>` +
        `<text x="${MARGIN.left - 6}" y="${sy(y) + 4}" text-anchor="end">${us(y)} µs</text>`,
    );
  }
  const lines = series.filter((s) => s.points.length).map((s, i) => {
    const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(" ");
    return `<path class="series" d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${
      s.dash ? ` stroke-dasharray="${s.dash}"` : ""
    }/><text x="${MARGIN.left + 8}" y="${MARGIN.top + 14 + 14 * i}" fill="${s.colour}">${
      escapeHtml(s.label)
    }</text>`;
  });
  return `<svg id="${id}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `xmlns="http://www.w3.org/2000/svg" role="img">${xTicks.join("")}${yTicks.join("")}` +
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>` +
    `${lines.join("")}<text x="${WIDTH / 2}" y="${
      HEIGHT - 8
    }" text-anchor="middle">allocation size</text></svg>`;
}

function logRange(values: readonly number[]): [number, number] {
  const logs = values.map(Math.log10);
  return [Math.min(...logs), Math.max(...logs)];
}

function us(ns: number): string {
  const v = ns / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3);
}

function bytes(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}
