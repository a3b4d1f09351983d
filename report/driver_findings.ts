/**
 * Driver cases in the HTML report: per case its verdict, what each sweep mode ran, and every
 * finding with its rule, bug check code and the driver's call site; for a shrunk failure, the
 * pasteable case. Findings a case expected are shown as caught.
 *
 * @module
 */

import type { DriverCaseReport, DriverSuiteReport } from "../suites/driver_results.ts";
import { bugCheckText } from "../suites/driver_text.ts";
import { escapeHtml } from "./escape_html.ts";

const style = `
.driver .finding { border-left: 4px solid #c62828; padding: .2rem .6rem; margin: .4rem 0; }
.driver .finding.caught { border-color: #2e7d32; }
.driver .rule { font-family: monospace; font-weight: 600; }
.driver .call-site { font-family: monospace; font-size: .8rem; color: #555; word-break: break-all; }
.driver pre.pasteable { background: #f4f4f4; padding: .4rem; font-size: .8rem; overflow-x: auto; }
`;

/**
 * The driver suites as report sections, with their own styles; "" when there are none.
 *
 * @example
 * ```ts
 * renderDriverSuites([]); // ""
 * ```
 */
export function renderDriverSuites(suites: readonly DriverSuiteReport[]): string {
  if (suites.length === 0) return "";
  return `<style>${style}</style>\n` +
    suites.map((suite) =>
      `<section class="suite driver"><h2>${escapeHtml(suite.name)}</h2>${
        suite.cases.map(renderDriverCase).join("")
      }</section>`
    ).join("\n");
}

/**
 * One driver case as an `<article>`.
 *
 * @example
 * ```ts
 * renderDriverCase({
 *   suite: "s", case: "c", library: "lib.so", mode: "run", status: "passed", requestedBytes: 4096,
 *   expected: [], caught: [], failures: [], findings: [], modes: [], runs: 1, elapsedMs: 3,
 * }).includes('data-verdict="passed"'); // true
 * ```
 */
export function renderDriverCase(c: DriverCaseReport): string {
  const modes = c.modes.map((m) =>
    `${escapeHtml(m.mode)} ${m.runs} run(s)${m.failed > 0 ? `, ${m.failed} finding something` : ""}`
  ).join(" · ");
  const caught = c.caught.length === 0
    ? ""
    : `<p class="caught">caught as expected: ${escapeHtml(c.caught.join(", "))}</p>`;
  const failures = c.failures.length === 0
    ? ""
    : `<ul class="failures">${c.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join("")}</ul>`;
  const body = c.status === "ignored"
    ? `<p class="reason">${escapeHtml(c.reason ?? "")}</p>`
    : `<div class="figures">${escapeHtml(c.library)} · ${c.requestedBytes} bytes requested · ${
      escapeHtml(c.mode)
    } · ${modes} · ${Math.round(c.elapsedMs)} ms</div>${caught}${failures}${
      c.findings.map(renderFinding).join("")
    }`;
  return `<article class="case" data-verdict="${c.status}" data-kind="driver">
<h3>${escapeHtml(c.case)} <span class="verdict ${c.status}">${c.status}</span></h3>
${body}
</article>`;
}

function renderFinding(f: DriverCaseReport["findings"][number]): string {
  return `<div class="finding${f.expected ? " caught" : ""}" data-rule="${escapeHtml(f.rule)}">
<div><span class="rule">${escapeHtml(f.rule)}</span>${escapeHtml(bugCheckText(f))}${
    f.verifierRule ? ` · Driver Verifier ${escapeHtml(f.verifierRule)}` : ""
  }${f.expected ? " · caught" : ""}${
    f.variant ? ` · found by ${escapeHtml(f.variant.label)}` : ""
  }</div>
${f.callSite ? `<div class="call-site">at ${escapeHtml(f.callSite)}</div>` : ""}
<div class="message">${escapeHtml(f.message)}</div>
${f.pasteable ? `<pre class="pasteable">${escapeHtml(f.pasteable)}</pre>` : ""}
</div>`;
}
