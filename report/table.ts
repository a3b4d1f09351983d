/**
 * The CLI's table per suite: one row per case and backend, then a cross-check row, followed by the
 * reasons for ignored rows and the failures and divergences, in colour on a terminal only.
 *
 * @module
 */

import { styleText } from "node:util";
import { formatDivergences } from "../suites/cross_check.ts";
import { formatAddress, formatBytes, formatNs } from "./format.ts";
import { type CaseReport, summarizeRun, type Verdict } from "../suites/results.ts";

type Style = Parameters<typeof styleText>[0];

const verdictStyle: Record<Verdict, Style> = {
  passed: "green",
  failed: ["red", "bold"],
  ignored: "yellow",
  observed: "cyan",
  inconclusive: "magenta",
};

const headers = [
  "case",
  "backend",
  "bytes",
  "pages",
  "runs",
  "max address",
  "p50",
  "p99",
  "verdict",
];

/**
 * Renders one suite's results as a text table.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * console.log(renderSuiteTable(report.suites[0], { color: Deno.stdout.isTerminal() }));
 * ```
 */
export function renderSuiteTable(
  suite: { readonly name: string; readonly cases: readonly CaseReport[] },
  options: { readonly color: boolean },
): string {
  const paint = (style: Style, text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const rows: { cells: string[]; verdict: Verdict }[] = [];
  const details: string[] = [];
  // Reasons repeat across cases (an absent backend is absent for all): one line per reason.
  const ignored = new Map<string, number>();
  const notes = new Map<string, number>();
  for (const c of suite.cases) {
    c.runs.forEach((run, i) => {
      const s = summarizeRun(run);
      const ran = run.status !== "ignored";
      rows.push({
        verdict: run.status,
        cells: [
          i === 0 ? c.case : "",
          run.backend,
          ran ? (s.error === null ? formatBytes(s.bytes) : "threw") : "-",
          ran ? `${s.pages}` : "-",
          ran && s.runs !== null ? `${s.runs}` : "-",
          formatAddress(s.highestAddress),
          formatNs(s.p50Ns),
          formatNs(s.p99Ns),
          run.status,
        ],
      });
      if (run.status === "ignored") {
        const key = `${run.backend} ignored: ${run.reason}`;
        ignored.set(key, (ignored.get(key) ?? 0) + 1);
      }
      for (const failure of run.failures) details.push(`${c.case} › ${run.backend}: ${failure}`);
      const lines = [
        ...run.unchecked.map((u) => `${u.expectation} ignored: ${u.reason}`),
        ...run.notes,
      ];
      for (const line of lines) {
        const key = `${run.backend}: ${line}`;
        notes.set(key, (notes.get(key) ?? 0) + 1);
      }
    });
    const check = c.crossCheck;
    rows.push({
      verdict: check.status,
      cells: ["", "cross-check", "", "", "", "", "", "", check.status],
    });
    if (check.status === "failed") {
      details.push(`${c.case} › cross-check:\n${indent(formatDivergences(check.divergences))}`);
    }
  }

  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  const out = [paint("bold", suite.name), paint("dim", line(headers))];
  for (const row of rows) {
    // The verdict is the last column: it needs no padding, so colour codes wrap only the word.
    const cells = row.cells.map((c, i) => i === row.cells.length - 1 ? c : c.padEnd(widths[i]));
    cells[cells.length - 1] = paint(verdictStyle[row.verdict], cells[cells.length - 1]);
    out.push(cells.join("  "));
  }
  for (const [line, count] of [...ignored, ...notes]) details.push(`${line} (${count} case(s))`);
  if (details.length > 0) out.push("", ...details.map((d) => "  " + d));
  return out.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => "    " + l).join("\n");
}
