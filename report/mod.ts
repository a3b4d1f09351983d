/**
 * Renderers for a suite run: the self-contained HTML report with memory maps and latency
 * histograms, the JSON report, and the terminal table.
 *
 * @example
 * ```ts
 * import { renderHtmlReport } from "./mod.ts";
 * import { bundledSuites, runSuites, simulatorProvider } from "../mod.ts";
 * const report = await runSuites(bundledSuites, { seed: 1, providers: [simulatorProvider] });
 * renderHtmlReport(report).startsWith("<!doctype html>"); // true
 * ```
 *
 * @module
 */

export { renderHtmlReport } from "./html_report.ts";
export { reportToJson } from "./json_report.ts";
export { renderSuiteTable } from "./table.ts";
