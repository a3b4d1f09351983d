/**
 * The CLI's table per suite: one row per case and backend, then a cross-check row, followed by the
 * reasons for ignored rows and the failures and divergences, in colour on a terminal only.
 *
 * @module
 */

import { styleText } from "node:util";
import { formatDivergences } from "../suites/cross_check.ts";
import { formatAddress, formatBytes, formatNs } from "./format.ts";
import { type CaseReport, summarizeRun } from "../suites/results.ts";
import { renderTextTable, type TextColumn } from "./text_table.ts";

type Style = Parameters<typeof styleText>[0];

// Any other verdict (a newer one such as "inconclusive") is shown in magenta.
const verdictStyle: Record<string, Style> = {
  passed: "green",
  failed: ["red", "bold"],
  ignored: "yellow",
  observed: "cyan",
  inconclusive: "magenta",
};

const columns: readonly TextColumn[] = [
  { header: "case" },
  { header: "backend" },
  { header: "bytes", align: "right" },
  { header: "pages", align: "right" },
  { header: "runs", align: "right" },
  { header: "max address", align: "right" },
  { header: "p50", align: "right" },
  { header: "p99", align: "right" },
  { header: "verdict" },
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
  const rows: { cells: string[]; verdict: string }[] = [];
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

  const out = [
    paint("bold", suite.name),
    // The verdict is the last column: it is not padded, so colour codes wrap only the word.
    ...renderTextTable(columns, rows.map((r) => r.cells), {
      paintHeader: (line) => paint("dim", line),
      paint: (r, c, text) =>
        c === columns.length - 1 ? paint(verdictStyle[rows[r].verdict] ?? "magenta", text) : text,
    }),
  ];
  for (const [line, count] of [...ignored, ...notes]) details.push(`${line} (${count} case(s))`);
  if (details.length > 0) out.push("", ...details.map((d) => "  " + d));
  return out.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => "    " + l).join("\n");
}
