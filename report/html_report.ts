/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with,
 * per case, each backend's memory map and latency histogram side by side and the cross-check.
 *
 * @module
 */

import { formatDivergences } from "../suites/cross_check.ts";
import { escapeHtml } from "./escape_html.ts";
import { formatAddress, formatBytes, formatNs } from "./format.ts";
import { latencyHistogramSvg } from "./histogram_svg.ts";
import { memoryMapSvg } from "./memory_map_svg.ts";
import {
  type BackendRun,
  type CaseReport,
  type RunReport,
  summarizeRun,
} from "../suites/results.ts";

const style = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
h1 { margin: 0 0 .3rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #ccc; }
.case { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem;
  margin: 1rem 0; }
.case h3 { margin: .2rem 0 .6rem; font-size: 1rem; }
.backends { display: flex; flex-wrap: wrap; gap: 1rem; }
.backend { margin: 0; padding: .5rem; border: 1px solid #eee; border-radius: 4px;
  flex: 1 1 420px; min-width: 0; max-width: 620px; }
.backend figcaption { font-weight: 600; margin-bottom: .3rem; }
.verdict { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .8rem;
  font-weight: 600; color: #fff; }
.verdict.passed { background: #2e7d32; } .verdict.failed { background: #c62828; }
.verdict.ignored { background: #9e9e9e; } .verdict.observed { background: #00838f; }
.verdict.inconclusive { background: #6a1b9a; }
.reason, .notes { color: #666; } .failures { color: #c62828; }
.figures { font-variant-numeric: tabular-nums; color: #444; font-size: .85rem; }
pre.diff { background: #fff3f3; padding: .4rem; }
svg { display: block; margin: .3rem 0; font: 10px monospace; width: 100%; height: auto; }
.hole { fill: #e0e0e0; } .ram { fill: #c8e6c9; } .ram-unknown { fill: #eeeeee; }
.pre-occupied { fill: #5d4037; } .legend-swatch.pre-occupied { fill-opacity: .7; }
.run.outside-bound { stroke: #d50000; stroke-width: 2; fill: #ff1744; }
.legend-label { fill: #555; }
.high-address { stroke: #c62828; stroke-width: 2; stroke-dasharray: 4 2; }
.low-address { stroke: #6a1b9a; stroke-width: 2; stroke-dasharray: 4 2; }
.bar { fill: #5c6bc0; } .axis-line { stroke: #999; }
.bound-label { fill: #c62828; } .axis, .strip-label, .hist-label, .map-note { fill: #555; }
`;

/**
 * Renders a run report as a complete HTML document.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * const html = renderHtmlReport(report); // "<!doctype html>\n<html lang=\"en\">..."
 * ```
 */
export function renderHtmlReport(report: RunReport): string {
  const all = report.suites.flatMap((s) => s.cases.flatMap((c) => [...c.runs, c.crossCheck]));
  const count = (status: string) => all.filter((r) => r.status === status).length;
  const suites = report.suites.map((suite) =>
    `<section class="suite"><h2>${escapeHtml(suite.name)}</h2>${
      suite.cases.map(renderCase).join("")
    }</section>`
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wavert-bench report</title>
<style>${style}</style></head>
<body><header><h1>wavert-bench report</h1>
<p>Seed ${report.seed} · started ${escapeHtml(report.startedAt)} · backends ${
    escapeHtml(report.backends.join(", "))
  }</p>
<p class="summary">${count("passed")} passed · ${count("failed")} failed · ${
    count("ignored")
  } ignored · ${
    count("observed")
  } observed: HighAddress not enforced, pages above it counted (backend runs and cross-checks)</p>
</header>
${suites.join("\n")}
</body></html>
`;
}

function renderCase(c: CaseReport): string {
  const failed = c.runs.some((r) => r.status === "failed") || c.crossCheck.status === "failed";
  const check = c.crossCheck;
  const checkDetail = check.status === "ignored"
    ? `<span class="reason">${escapeHtml(check.reason ?? "")}</span>`
    : check.status === "failed"
    ? `<pre class="diff">${escapeHtml(formatDivergences(check.divergences))}</pre>`
    : "";
  return `<article class="case" data-verdict="${failed ? "failed" : "passed"}">
<h3>${escapeHtml(c.case)}</h3>
<div class="backends">${c.runs.map(renderRun).join("")}</div>
<p class="cross-check">cross-check <span class="verdict ${check.status}">${check.status}</span> ${checkDetail}${
    check.notes.map((n) => ` <span class="notes">${escapeHtml(n)}</span>`).join("")
  }</p>
</article>`;
}

function renderRun(run: BackendRun): string {
  const head = `<figcaption>${
    escapeHtml(run.backend)
  } <span class="verdict ${run.status}">${run.status}</span></figcaption>`;
  if (run.status === "ignored") {
    return `<figure class="backend ignored" data-backend="${escapeHtml(run.backend)}">${head}` +
      `<p class="reason">${escapeHtml(run.reason ?? "")}</p></figure>`;
  }
  const s = summarizeRun(run);
  const figures = [
    formatBytes(s.bytes),
    `${s.pages} page(s)`,
    s.runs === null ? "runs unknown" : `${s.runs} run(s)`,
    `lowest ${formatAddress(s.lowestAddress)}`,
    `highest ${formatAddress(s.highestAddress)}`,
    `beyond bound ${s.pagesBeyondBound ?? "unknown"}`,
    `p50 ${formatNs(s.p50Ns)}`,
    `p99 ${formatNs(s.p99Ns)}`,
    run.violation ? `violation ${run.violation}` : "",
  ].filter((f) => f !== "");
  const list = (cls: string, items: readonly string[]) =>
    items.length === 0
      ? ""
      : `<ul class="${cls}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
  return `<figure class="backend" data-backend="${escapeHtml(run.backend)}">${head}
<div class="figures">${escapeHtml(figures.join(" · "))}</div>
${memoryMapSvg(run)}
${latencyHistogramSvg(run)}
${list("failures", run.failures)}${
    list("notes", [
      ...run.unchecked.map((u) => `${u.expectation} ignored: ${u.reason}`),
      ...run.notes,
    ])
  }</figure>`;
}
