/**
 * The history page: per case a line of p50 over runs (SVG, the compared windows shaded), the
 * verdicts, and the regression test's result.
 *
 * @module
 */

import { escapeHtml } from "../report/escape_html.ts";
import type { CaseTrend, TrendOptions } from "./trends.ts";

function sparkline(trend: CaseTrend, options: TrendOptions): string {
  const [w, h] = [320, 60];
  const values = trend.points.map((p) => p.p50Ns);
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return "<span>no latency samples</span>";
  const [lo, hi] = [Math.min(...known), Math.max(...known)];
  const x = (i: number) => values.length === 1 ? w / 2 : 4 + i * (w - 8) / (values.length - 1);
  const y = (v: number) => hi === lo ? h / 2 : h - 4 - (v - lo) / (hi - lo) * (h - 8);
  const points = values.map((v, i) => v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .filter((p) => p !== null).join(" ");
  const recentStart = x(Math.max(0, values.length - options.last));
  const dots = trend.points.map((p, i) =>
    p.p50Ns === null
      ? ""
      : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.p50Ns).toFixed(1)}" r="2.5"` +
        ` fill="${p.verdict === "failed" ? "#c0392b" : "#2c3e50"}"><title>${
          escapeHtml(`${p.createdAt}: ${(p.p50Ns / 1000).toFixed(2)} µs, ${p.verdict}`)
        }</title></circle>`
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img">` +
    `<rect x="${recentStart - 3}" y="0" width="${w - recentStart + 3}" height="${h}" ` +
    `fill="#f6e7c1"><title>last ${options.last} runs</title></rect>` +
    `<polyline points="${points}" fill="none" stroke="#2c3e50" stroke-width="1.5"/>${dots}</svg>`;
}

/**
 * Renders the trends as a self-contained HTML page.
 *
 * @example
 * ```ts
 * import { DEFAULT_TREND_OPTIONS } from "./trends.ts";
 * trendsHtml([], DEFAULT_TREND_OPTIONS).startsWith("<!doctype html>"); // true
 * ```
 */
export function trendsHtml(trends: readonly CaseTrend[], options: TrendOptions): string {
  const rows = trends.map((t) => {
    const test = t.test
      ? `p=${t.test.p.toPrecision(2)}, effect ${t.test.effect.toFixed(2)}, ×${
        t.test.medianRatio.toFixed(3)
      }`
      : escapeHtml(t.note ?? "");
    return `<tr class="${t.regression ? "regression" : ""}"><td>${escapeHtml(t.suite)}</td><td>${
      escapeHtml(t.case)
    }</td><td>${escapeHtml(t.backend)}</td><td>${sparkline(t, options)}</td><td>${test}</td><td>${
      escapeHtml(t.regression ?? "no regression")
    }</td></tr>`;
  }).join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>wavert-bench history</title>
<style>body{font:14px system-ui;margin:2em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;
text-align:left}tr.regression td{background:#fbe3e1}</style></head><body>
<h1>wavert-bench results history</h1>
<p>Method: per case, the p50 of the last ${options.last} runs against the ${options.previous} runs
before them, two-sided Mann–Whitney U; a regression when p &lt; ${options.alpha}, rank-biserial
effect ≥ ${options.minEffect} and the recent median more than ${
    options.threshold * 100
  } % slower, or a failed verdict after a passed one.</p>
<table><thead><tr><th>suite</th><th>case</th><th>backend</th><th>p50 per run</th><th>test</th>
<th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
