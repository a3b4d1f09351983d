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
export { type JsonContext, reportToJson } from "./json_report.ts";
export type { Envelope, OutputKind, SCHEMAS } from "../results/envelope.ts";
export type { Fact, HostFacts } from "../results/host_facts.ts";
export { renderSuiteTable } from "./table.ts";

// Types of the run the renderers read.
export type * from "../suites/results.ts";
export type { PageExtent, PageRun } from "../suites/page_runs.ts";
export type * from "../suites/driver_results.ts";
export type { AllocatorName } from "../suites/suite_model.ts";
export type { LatencyJudgement } from "../suites/latency_budget.ts";
export type { BudgetJudgement } from "../stats/budget_verdict.ts";
export type { MachineLayout, RamRange } from "../core/machine.ts";
