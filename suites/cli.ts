/**
 * The command line: runs the bundled suites (or the suites exported by the modules given) on the
 * selected backends, prints a table per suite, optionally writes JSON and the HTML report, and
 * exits non-zero on any failed expectation or divergence.
 *
 * @example
 * ```sh
 * deno task demo --backend simulator --filter "DMA" --json out/results.json
 * ```
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadCostProfile } from "../core/cost_profile.ts";
import { type BackendName, backendNames, providersFor } from "./backends.ts";
import { bundledSuites } from "./bundled.ts";
import { inDefinitionOrder, isSuite } from "./define_suite.ts";
import type { Suite } from "./suite_model.ts";
import { renderHtmlReport } from "../report/html_report.ts";
import { reportToJson } from "../report/json_report.ts";
import { reportToJunit } from "../report/junit.ts";
import { envelopeFor } from "../results/envelope.ts";
import { openHistory } from "../history/open_history.ts";
import { progressBar } from "../report/progress_bar.ts";
import type { PlacementOption } from "../core/placement.ts";
import { loadPlacementProfile } from "../core/placement_profile.ts";
import { DEFAULT_SEED } from "./register.ts";
import type { RunReport } from "./results.ts";
import { describeSeeds, hasFailures, runSuites } from "./run_suites.ts";
import { renderSuiteTable } from "../report/table.ts";

const usage = `Usage: cli.ts [options] [suite-module.ts ...]

Runs WaveRT page-allocation suites on the simulator and on this machine's hardware and compares
them. Without modules, runs the bundled suites; a module contributes every suite it exports.

Options:
  --backend <name>  simulator, hardware or all; repeat or separate with commas (default: all)
  --seed <n>        seed for cases whose conditions fix none (default: ${DEFAULT_SEED})
  --filter <text>   only cases whose "suite › case" name contains text, or matches /regex/
  --json <file>     also write the results as JSON
  --html <file>     also write the self-contained HTML report
  --junit <file>    also write JUnit XML: a testsuite per suite, a testcase per case and backend
  --history <file|postgres://…>
                    also store the run in a results history (SQLite file or PostgreSQL URL)
  --cost-profile <file>
                    a calibrated cost profile (bench/calibrate.ts): the simulator models latency
                    with it, and measured p50 must lie within ±50 % of its prediction
  --measured-budgets <enforce|report>
                    enforce (default): a measured latency whose confidence interval lies above
                    its budget fails; report: measured budgets never fail, they are only reported
  --placement <name|file>
                    the simulator's page placement: running-system (default), lowest-first, or
                    a placement profile file (bench/placement_calibrate.ts) for calibrated
  -h, --help        show this help

Exit status: 0 when nothing failed, 1 on a failed expectation or divergence, 2 on bad usage or
a malformed suite.`;

/** Thrown for bad command-line input; its message is shown with the usage hint. */
class UsageError extends Error {}

/**
 * Runs the CLI with `args` and returns the exit status.
 *
 * @example
 * ```ts
 * Deno.exitCode = await main(["--backend", "simulator", "--html", "out/report.html"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TypeError)) throw error;
    console.error(`${error.message}\nRun with --help for usage.`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  let suites: Suite[];
  const suiteFiles = new Map<string, string>();
  try {
    suites = options.modules.length === 0
      ? [...bundledSuites]
      : await loadSuites(options.modules, suiteFiles);
  } catch (error) {
    // A malformed suite throws while its module loads: its error names every problem.
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }

  // An unreachable or unreadable history is refused before any work.
  let history;
  if (options.history !== undefined) {
    try {
      history = await openHistory(options.history);
    } catch (error) {
      console.error(`--history ${options.history}: ${(error as Error).message.split("\n")[0]}`);
      return 2;
    }
  }
  const bar = progressBar(Deno.stderr);
  const report = await runSuites(suites, {
    seed: options.seed,
    costProfile: options.costProfile,
    placement: options.placement,
    measuredLatencyBudgets: options.measuredLatencyBudgets,
    providers: providersFor(options.backends),
    filter: options.filter,
    onProgress: (done, total, label) => bar.update(done, total, label),
  });
  bar.clear();
  if (options.modules.length === 0) {
    for (const s of suites) suiteFiles.set(s.name, "suites/bundled.ts");
  }

  const color = Deno.stdout.isTerminal() && Deno.env.get("NO_COLOR") === undefined;
  for (const suite of report.suites) console.log(renderSuiteTable(suite, { color }) + "\n");
  console.log(summaryLine(report));
  const envelope = await envelopeFor("suite-results");
  if (options.json) {
    await writeFile(options.json, reportToJson(report, { envelope, suiteFiles }), "JSON results");
  }
  if (options.junit) await writeFile(options.junit, reportToJunit(report, suiteFiles), "JUnit XML");
  if (history) {
    try {
      await history.store(report, { envelope });
      console.log(`run stored in the history ${options.history}`);
    } catch (error) {
      console.error(`--history ${options.history}: ${(error as Error).message.split("\n")[0]}`);
      return 2;
    } finally {
      await history.close();
    }
  }
  if (options.html) await writeFile(options.html, renderHtmlReport(report), "HTML report");
  return hasFailures(report) ? 1 : 0;
}

function parseOptions(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      backend: { type: "string", multiple: true },
      seed: { type: "string" },
      filter: { type: "string" },
      json: { type: "string" },
      html: { type: "string" },
      junit: { type: "string" },
      history: { type: "string" },
      "cost-profile": { type: "string" },
      placement: { type: "string" },
      "measured-budgets": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const requested = (values.backend ?? ["all"]).flatMap((b) => b.split(",")).map((b) => b.trim());
  const backends = requested.includes("all") ? [...backendNames] : requested;
  for (const name of backends) {
    if (!(backendNames as readonly string[]).includes(name)) {
      throw new UsageError(`--backend must be ${backendNames.join(", ")} or all, got "${name}"`);
    }
  }
  const regex = /^\/(.*)\/$/.exec(values.filter ?? "");
  if (regex) {
    try {
      new RegExp(regex[1]);
    } catch (error) {
      throw new UsageError(`--filter ${values.filter} is not a valid regular expression: ${error}`);
    }
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new UsageError(`--seed must be a non-negative integer, got "${values.seed}"`);
  }
  let costProfile;
  if (values["cost-profile"] !== undefined) {
    try {
      costProfile = loadCostProfile(values["cost-profile"]);
    } catch (error) {
      throw new UsageError(`--cost-profile: ${error instanceof Error ? error.message : error}`);
    }
  }
  let placement: PlacementOption | undefined;
  const place = values.placement;
  if (place === "lowest-first" || place === "running-system") placement = place;
  else if (place !== undefined) {
    try {
      placement = { profile: loadPlacementProfile(place) };
    } catch (error) {
      throw new UsageError(`--placement: ${error instanceof Error ? error.message : error}`);
    }
  }
  const measured = values["measured-budgets"] ?? "enforce";
  if (measured !== "enforce" && measured !== "report") {
    throw new UsageError(`--measured-budgets must be enforce or report, got "${measured}"`);
  }
  return {
    measuredLatencyBudgets: measured as "enforce" | "report",
    costProfile,
    placement,
    help: values.help ?? false,
    backends: backends as BackendName[],
    seed,
    filter: values.filter,
    json: values.json,
    html: values.html,
    junit: values.junit,
    history: values.history,
    modules: positionals,
  };
}

async function loadSuites(
  modules: readonly string[],
  files: Map<string, string>,
): Promise<Suite[]> {
  const suites: Suite[] = [];
  for (const path of modules) {
    const exports = await import(pathToFileURL(resolve(path)).href);
    const found = inDefinitionOrder(Object.values(exports).filter(isSuite));
    if (found.length === 0) {
      throw new UsageError(`${path} exports no suite: export the result of defineSuite(...)`);
    }
    for (const suite of found) files.set(suite.name, path);
    suites.push(...found);
  }
  return suites;
}

function summaryLine(report: RunReport): string {
  const all = report.suites.flatMap((s) => s.cases.flatMap((c) => [...c.runs, c.crossCheck]));
  const count = (status: string) => all.filter((r) => r.status === status).length;
  const cases = report.suites.reduce((n, s) => n + s.cases.length, 0);
  const unchecked = report.suites.flatMap((s) => s.cases.flatMap((c) => c.runs))
    .reduce((n, run) => n + run.unchecked.length, 0);
  return `${cases} case(s), ${describeSeeds(report)}: ${count("passed")} passed, ` +
    `${count("failed")} failed, ${count("ignored")} ignored, ${count("observed")} observed, ` +
    `${count("inconclusive")} inconclusive ` +
    "(backend runs and cross-checks); " +
    `${unchecked} expectation(s) ignored where a backend cannot check them`;
}

async function writeFile(path: string, text: string, what: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
  console.log(`${what} written to ${path}`);
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
