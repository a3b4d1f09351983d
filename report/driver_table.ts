/**
 * Driver cases in the terminal: a line per case with its verdict and what ran, then each finding
 * (rule, bug check, call site), marked caught where the case expected it.
 *
 * @module
 */

import { styleText } from "node:util";
import type { DriverSuiteReport } from "../suites/driver_results.ts";
import { formatDriverFinding } from "../suites/driver_text.ts";

/**
 * One driver suite as text.
 *
 * @example
 * ```ts
 * renderDriverTable({ name: "Example", cases: [] }); // "Example (driver under test)"
 * ```
 */
export function renderDriverTable(
  suite: DriverSuiteReport,
  options: { readonly color?: boolean } = {},
): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  type Style = Parameters<typeof styleText>[0];
  const verdict: Record<string, Style> = {
    passed: "green",
    failed: ["red", "bold"],
    ignored: "yellow",
  };
  const lines = [/driver/i.test(suite.name) ? suite.name : `${suite.name} (driver under test)`];
  for (const c of suite.cases) {
    const ran = c.status === "ignored"
      ? c.reason ?? ""
      : `${c.mode}, ${c.runs} run(s), ${Math.round(c.elapsedMs)} ms`;
    lines.push(`  ${c.case}  ${paint(verdict[c.status], c.status)}  (${ran})`);
    for (const f of c.findings) {
      const mark = f.expected ? paint("green", "caught") : paint("red", "found");
      lines.push(`    ${mark} ${formatDriverFinding(f)}`);
    }
    for (const failure of c.failures) lines.push(`    ${paint("red", failure)}`);
  }
  return lines.join("\n");
}
