/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing fetched).
 * From the top: a summary of verdicts per suite and backend, the failures with links to their
 * cases, a contents list, then per case each backend's memory map, latency histogram (log axis,
 * p50/p99/p99.9 marked), run-length histogram and page list side by side, and the cross-check.
 *
 * @module
 */

import { formatDivergences } from "../suites/cross_check.ts";
import { renderDriverSuites } from "./driver_findings.ts";
import { escapeHtml } from "./escape_html.ts";
import { formatAddress, formatBytes, formatNs } from "./format.ts";
import { latencyHistogramSvg } from "./histogram_svg.ts";
import { memoryMapSvg } from "./memory_map_svg.ts";
import { reportStyle } from "./report_style.ts";
import { pageListHtml, runLengthSvg } from "./run_length_svg.ts";
import {
  type BackendRun,
  type CaseReport,
  type RunReport,
  summarizeRun,
} from "../suites/results.ts";

/** Verdicts in the order the summary shows them; any other verdict follows, alphabetically. */
const KNOWN_VERDICTS = ["passed", "failed", "ignored", "observed"];

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
  const ids = new Map<CaseReport, string>();
  report.suites.forEach((s, i) => s.cases.forEach((c, j) => ids.set(c, `case-${i + 1}-${j + 1}`)));
  const suites = report.suites.map((suite, i) =>
    `<section class="suite" id="suite-${i + 1}"><h2>${escapeHtml(suite.name)}</h2>${
      suite.cases.map((c) => renderCase(c, ids.get(c)!)).join("")
    }</section>`
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wavert-bench report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${reportStyle}</style></head>
<body><header><h1>wavert-bench report</h1>
<p class="run-facts">Seed ${report.seed} · finished ${escapeHtml(report.startedAt)} · backends ${
    escapeHtml(report.backends.join(", "))
  }</p></header>
${summaryTable(report)}
${failureList(report, ids)}
${contents(report, ids)}
${suites.join("\n")}
${renderDriverSuites(report.drivers ?? [])}
</body></html>
`;
}

/** Every verdict string in the report, known ones first. */
function verdictsOf(report: RunReport): string[] {
  const seen = new Set(
    report.suites.flatMap((s) => s.cases.flatMap((c) => [...c.runs, c.crossCheck]))
      .map((r) => String(r.status)),
  );
  const others = [...seen].filter((v) => !KNOWN_VERDICTS.includes(v)).sort();
  return [...KNOWN_VERDICTS, ...others];
}

function summaryTable(report: RunReport): string {
  const verdicts = verdictsOf(report);
  const rows = report.suites.flatMap((suite) => {
    const lanes = new Map<string, string[]>();
    for (const c of suite.cases) {
      for (const run of c.runs) {
        lanes.set(run.backend, [...lanes.get(run.backend) ?? [], run.status]);
      }
      lanes.set("cross-check", [...lanes.get("cross-check") ?? [], c.crossCheck.status]);
    }
    return [...lanes].map(([lane, statuses], i) => {
      const cells = verdicts.map((v) => {
        const n = statuses.filter((s) => s === v).length;
        return `<td class="count ${escapeHtml(v)}${n === 0 ? " zero" : ""}">${n}</td>`;
      });
      return `<tr${i === 0 ? ` class="suite-first"` : ""}><td>${
        i === 0 ? escapeHtml(suite.name) : ""
      }</td><td>${escapeHtml(lane)}</td>${cells.join("")}</tr>`;
    });
  });
  return `<section class="summary"><h2>Summary</h2>
<table class="summary"><thead><tr><th>suite</th><th>backend</th>${
    verdicts.map((v) => `<th>${escapeHtml(v)}</th>`).join("")
  }</tr></thead><tbody>${rows.join("")}</tbody></table>
<p class="notes">Counts of backend runs per suite; "observed": HighAddress not enforced on that
backend, pages above it counted.</p></section>`;
}

function failureList(report: RunReport, ids: Map<CaseReport, string>): string {
  const items = report.suites.flatMap((s) =>
    s.cases.flatMap((c) => {
      const link = `<a href="#${ids.get(c)}">${escapeHtml(`${s.name} › ${c.case}`)}</a>`;
      const runs = c.runs.filter((r) => r.status === "failed").map((r) =>
        `<li>${link} on ${escapeHtml(r.backend)}: <span class="message">${
          escapeHtml(r.failures[0] ?? (r.violation ? `violation ${r.violation}` : "failed"))
        }</span>${r.failures.length > 1 ? ` (+${r.failures.length - 1} more)` : ""}</li>`
      );
      if (c.crossCheck.status === "failed") {
        const d = c.crossCheck.divergences;
        runs.push(
          `<li>${link}, cross-check: <span class="message">${d.length} divergence(s)${
            d[0] ? `, first ${escapeHtml(d[0].field)}` : ""
          }</span></li>`,
        );
      }
      return runs;
    })
  );
  if (items.length === 0) {
    return `<section class="failures-first"><h2>Failures</h2>` +
      `<p class="all-passed">No failures.</p></section>`;
  }
  return `<section class="failures-first"><h2>Failures (${items.length})</h2>` +
    `<ol class="failure-list">${items.join("")}</ol></section>`;
}

function contents(report: RunReport, ids: Map<CaseReport, string>): string {
  const suites = report.suites.map((s, i) =>
    `<li><a href="#suite-${i + 1}">${escapeHtml(s.name)}</a> (${s.cases.length} case(s))` +
    `<ol class="cases">${
      s.cases.map((c) => {
        const v = caseVerdict(c);
        return `<li><a href="#${ids.get(c)}">${escapeHtml(c.case)}</a> ` +
          `<span class="verdict ${escapeHtml(v)}">${escapeHtml(v)}</span></li>`;
      }).join("")
    }</ol></li>`
  );
  return `<nav class="contents"><h2>Contents</h2><ol class="suites">${suites.join("")}</ol></nav>`;
}

/** The case's worst verdict: failed, then any unknown verdict, observed, passed, ignored. */
function caseVerdict(c: CaseReport): string {
  const all = [...c.runs, c.crossCheck].map((r) => String(r.status));
  const rank = (v: string) => ["failed", "observed", "passed", "ignored"].indexOf(v);
  if (all.includes("failed")) return "failed";
  const unknown = all.find((v) => rank(v) === -1);
  if (unknown) return unknown;
  return ["observed", "passed", "ignored"].find((v) => all.includes(v)) ?? "ignored";
}

function renderCase(c: CaseReport, id: string): string {
  const check = c.crossCheck;
  const checkDetail = check.status === "ignored"
    ? `<span class="reason">${escapeHtml(check.reason ?? "")}</span>`
    : check.status === "failed"
    ? `<pre class="diff">${escapeHtml(formatDivergences(check.divergences))}</pre>`
    : "";
  const verdict = caseVerdict(c);
  return `<article class="case" id="${id}" data-verdict="${escapeHtml(verdict)}">
<h3>${escapeHtml(c.case)} <span class="verdict ${escapeHtml(verdict)}">${
    escapeHtml(verdict)
  }</span></h3>
<div class="backends">${c.runs.map(renderRun).join("")}</div>
<p class="cross-check">cross-check <span class="verdict ${escapeHtml(check.status)}">${
    escapeHtml(check.status)
  }</span> ${checkDetail}${
    check.notes.map((n) => ` <span class="notes">${escapeHtml(n)}</span>`).join("")
  }</p>
</article>`;
}

function renderRun(run: BackendRun): string {
  const head = `<figcaption>${escapeHtml(run.backend)} <span class="verdict ${
    escapeHtml(run.status)
  }">${escapeHtml(run.status)}</span></figcaption>`;
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
${list("failures", run.failures)}<div class="figures">${escapeHtml(figures.join(" · "))}</div>
${memoryMapSvg(run)}
${latencyHistogramSvg(run)}
${runLengthSvg(run)}${pageListHtml(run, run.pageSize ?? 4096)}
${
    list("notes", [
      ...run.unchecked.map((u) => `${u.expectation} ignored: ${u.reason}`),
      ...run.notes,
    ])
  }</figure>`;
}
