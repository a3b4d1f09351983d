/**
 * The cross-machine report as one HTML page: a matrix of cases × machines, a cell per machine
 * with its verdict, bytes, pages, runs and p50/p99 with 95 % intervals; cells of a machine that
 * differs are marked with the reason.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import type { MergedCell, MergedReport } from "./merge.ts";

const us = (ns: number | null) => ns === null ? "–" : `${(ns / 1000).toFixed(2)} µs`;
const ci = (range: [number, number] | null) =>
  range === null ? "" : ` [${(range[0] / 1000).toFixed(2)}, ${(range[1] / 1000).toFixed(2)}]`;

function cell(c: MergedCell | undefined, why: string | undefined): string {
  if (!c) return `<td class="missing">not run</td>`;
  return `<td class="${escapeHtml(c.verdict)}${why ? " differs" : ""}"><b>${
    escapeHtml(c.verdict)
  }</b><br>${c.bytes ?? "NULL"} B, ${c.pages} pages, ${c.runs ?? "?"} runs<br>p50 ${us(c.p50Ns)}${
    ci(c.p50Ci)
  }<br>p99 ${us(c.p99Ns)}${ci(c.p99Ci)}${why ? `<br><i>differs: ${escapeHtml(why)}</i>` : ""}</td>`;
}

/**
 * Renders a merged report as a self-contained HTML page.
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile("out/fleet.html", fleetHtml(merged));
 * ```
 */
export function fleetHtml(report: MergedReport): string {
  const head = report.machines.map((m) =>
    `<th>${escapeHtml(m.id)}<br><small>${
      escapeHtml(
        [m.host.cpuModel.value, m.host.kernel.value, m.host.projectVersion.value]
          .filter((v) => v !== null).join(" · "),
      )
    }</small></th>`
  ).join("");
  const rows = report.cases.map((c) =>
    `<tr><th>${escapeHtml(`${c.suite} › ${c.case}`)}<br><small>${
      escapeHtml(c.backend)
    } · fleet p50 ${us(c.fleet.p50Ns)}, p99 ${
      us(c.fleet.p99Ns)
    } (HDR, ${c.fleet.samples} samples)</small></th>${
      report.machines.map((m) =>
        cell(
          c.cells[m.id],
          c.differs.filter((d) => d.machine === m.id).map((d) => d.why).join("; ") || undefined,
        )
      ).join("")
    }</tr>`
  ).join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>wavert-bench fleet</title>
<style>body{font:13px system-ui;margin:2em}td,th{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left}td.failed{background:#fbe3e1}td.ignored{color:#888}
td.differs{outline:2px solid #d35400}</style></head><body>
<h1>wavert-bench: ${report.machines.length} machines</h1>
<p>Which machine differs: ${escapeHtml(report.method)}.</p>
${report.reconciled.map((r) => `<p><b>Reconciled:</b> ${escapeHtml(r)}</p>`).join("")}
<table><thead><tr><th>case</th>${head}</tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
