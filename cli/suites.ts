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

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadCostProfile } from "../core/cost_profile.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { helperAvailability } from "../ffi/library.ts";
import { LOCKED_BUDGET_ENV, parseLockedBudget } from "../ffi/locked_budget.ts";
import { type BackendName, backendNames, providersFor } from "../suites/backends.ts";
import { bundledSuites } from "../suites/bundled.ts";
import {
  CliInputError,
  describeThrown,
  ExitCode,
  guardExit,
  prepareOutput,
  sanitizeForTerminal,
  sanitizeReport,
  writeOutput,
} from "./suites_support.ts";
import { inDefinitionOrder, isSuite } from "../suites/define_suite.ts";
import { bundledDriverSuites } from "../suites/bundled_drivers.ts";
import { runDriverSuites } from "../suites/driver_provider.ts";
import { driverFailures, type DriverSuiteReport } from "../suites/driver_results.ts";
import { type DriverSuite, isDriverSuite } from "../suites/driver_suite.ts";
import { renderDriverTable } from "../report/driver_table.ts";
import { overBudget } from "../suites/locked_budget.ts";
import type { Suite } from "../suites/suite_model.ts";
import { renderHtmlReport } from "../report/html_report.ts";
import { reportToJson } from "../report/json_report.ts";
import { reportToJunit } from "../report/junit.ts";
import { type Envelope, envelopeFor } from "../results/envelope.ts";
import { openHistory } from "../history/open_history.ts";
import { progressBar } from "../report/progress_bar.ts";
import type { PlacementOption } from "../core/placement.ts";
import { loadPlacementProfile } from "../core/placement_profile.ts";
import { DEFAULT_SEED } from "../suites/register.ts";
import type { RunReport } from "../suites/results.ts";
import { describeSeeds, hasFailures, runSuites } from "../suites/run_suites.ts";
import { renderSuiteTable } from "../report/table.ts";
import { parseCommandLine } from "./command_line.ts";

/**
 * An output file the CLI can write: its option, what the file holds and how it is rendered. Every
 * path is checked and created before anything runs; add a row to add an output option.
 */
interface OutputOption {
  /** The option's name without dashes. */
  readonly flag: string;
  /** What the file holds, for the help text and the "written to" line. */
  readonly what: string;
  /** The file's content for a finished run. */
  readonly render: (report: RunReport, context: OutputContext) => string;
}

/**
 * What renderers get besides the report: the run's envelope and the file each suite came from.
 */
interface OutputContext {
  readonly envelope: Envelope<"suite-results">;
  readonly suiteFiles: ReadonlyMap<string, string>;
}

/**
 * The CLI's output options, in the order they are written.
 */
const outputOptions: readonly OutputOption[] = [
  {
    flag: "json",
    what: "the results as JSON",
    render: (report, { envelope, suiteFiles }) =>
      reportToJson(report, { envelope, suiteFiles: new Map(suiteFiles) }),
  },
  {
    flag: "junit",
    what: "JUnit XML: a testsuite per suite, a testcase per case and backend",
    render: (report, { suiteFiles }) => reportToJunit(report, new Map(suiteFiles)),
  },
  { flag: "html", what: "the self-contained HTML report", render: renderHtmlReport },
];

const usage = `Usage: cli.ts [options] [suite-module.ts ...]

Runs WaveRT page-allocation suites on the simulator and on this machine's hardware and compares
them. Without modules, runs the bundled suites; a module contributes every suite it exports.
Driver suites (defineDriverSuite) run a miniport's own code against the simulator.

Options:
  --backend <name>  simulator, hardware or all; repeat or separate with commas (default: all)
  --seed <n>        seed for cases whose conditions fix none (default: ${DEFAULT_SEED})
  --filter <text>   only cases whose "suite › case" name contains text, or matches /regex/
  --driver          only driver cases (defineDriverSuite); --no-driver: none
${outputOptions.map((o) => `  --${o.flag} <file>`.padEnd(20) + `also write ${o.what}`).join("\n")}
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
  --locked-budget <size>
                    most memory hardware cases may hold locked, e.g. 256MiB or unlimited
                    (default: ${LOCKED_BUDGET_ENV}, else 25 % of MemAvailable); suites whose
                    cases need more are refused before anything is allocated
  -h, --help        show this help

Output paths are checked and created once the suites have loaded, before any case runs.

Exit status:
  ${ExitCode.passed}  everything that ran passed
  ${ExitCode.failed}  a failed expectation or a divergence between backends
  ${ExitCode.badInput}  bad input or environment: usage, a malformed suite, a suite module that calls
     Deno.exit, an output that cannot be written, cases over the locked-memory budget`;

/**
 * Runs the CLI with `args` and returns the exit status ({@linkcode ExitCode}).
 *
 * @example
 * ```ts
 * Deno.exitCode = await main(["--backend", "simulator", "--html", "out/report.html"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  try {
    return await run(args);
  } catch (error) {
    if (error instanceof CliInputError) {
      console.error(`${error.message}${error.usage ? "\nRun with --help for usage." : ""}`);
    } else {
      console.error(describeThrown(error));
    }
    return ExitCode.badInput;
  }
}

async function run(args: readonly string[]): Promise<number> {
  const options = parseOptions(args);
  if (options.help) {
    console.log(usage);
    return ExitCode.passed;
  }
  if (options.lockedBudget !== undefined) Deno.env.set(LOCKED_BUDGET_ENV, options.lockedBudget);

  using _guard = guardExit();
  let suites: Suite[];
  const suiteFiles = new Map<string, string>();
  const driverSuites: DriverSuite[] = options.modules.length === 0 ? [...bundledDriverSuites] : [];
  try {
    suites = options.modules.length === 0
      ? [...bundledSuites]
      : await loadSuites(options.modules, suiteFiles, driverSuites);
  } catch (error) {
    // A malformed suite throws while its module loads: its error names every problem.
    if (error instanceof CliInputError) throw error;
    throw new CliInputError(describeThrown(error));
  }
  if (options.backends.includes("hardware")) checkBudget(suites, options.filter);
  // Every output is created before any case runs: a bad path costs nothing.
  for (const [option, path] of options.outputs) await prepareOutput(`--${option.flag}`, path);
  // An unreachable or unreadable history is refused before any work.
  let history;
  if (options.history !== undefined) {
    try {
      history = await openHistory(options.history);
    } catch (error) {
      throw new CliInputError(
        `--history ${options.history}: ${describeThrown(error).split("\n")[0]}`,
      );
    }
  }

  const bar = progressBar(Deno.stderr);
  const ranReport = await runSuites(options.driver === true ? [] : suites, {
    seed: options.seed,
    costProfile: options.costProfile,
    placement: options.placement,
    measuredLatencyBudgets: options.measuredLatencyBudgets,
    providers: providersFor(options.backends),
    filter: options.filter,
    onProgress: (done, total, label) => bar.update(done, total, label),
  });
  // Driver cases run the driver against the simulator, so only when the simulator is selected.
  const drivers = options.driver === false || !options.backends.includes("simulator")
    ? []
    : await runDriverSuites(driverSuites, {
      filter: options.filter,
      onProgress: (done, total, label) => bar.update(done, total, label),
    });
  const report: RunReport = drivers.length === 0 ? ranReport : { ...ranReport, drivers };
  bar.clear();
  if (options.modules.length === 0) {
    for (const s of suites) suiteFiles.set(s.name, "suites/bundled.ts");
    for (const s of driverSuites) suiteFiles.set(s.name, "suites/bundled_drivers.ts");
  }

  const color = Deno.stdout.isTerminal() && Deno.env.get("NO_COLOR") === undefined;
  const shown = sanitizeReport(report);
  for (const suite of shown.suites) console.log(renderSuiteTable(suite, { color }) + "\n");
  for (const suite of drivers.map(sanitizeDriverSuite)) {
    console.log(renderDriverTable(suite, { color }) + "\n");
  }
  console.log(summaryLine(shown));
  if (drivers.length > 0) console.log(driverSummaryLine(drivers));
  const context: OutputContext = { envelope: await envelopeFor("suite-results"), suiteFiles };
  for (const [option, path] of options.outputs) {
    await writeOutput(`--${option.flag}`, path, option.render(report, context));
    console.log(`${option.what} written to ${path}`);
  }
  if (history) {
    try {
      await history.store(report, { envelope: context.envelope });
      console.log(`run stored in the history ${options.history}`);
    } catch (error) {
      throw new CliInputError(
        `--history ${options.history}: ${describeThrown(error).split("\n")[0]}`,
      );
    } finally {
      await history.close();
    }
  }
  return hasFailures(report) || driverFailures(drivers) ? ExitCode.failed : ExitCode.passed;
}

/** Refuses the run when hardware cases need more locked memory than the budget allows. */
function checkBudget(suites: readonly Suite[], filter: string | undefined): void {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return;
  if (!helperAvailability().available) return; // hardware cases are skipped with the reason
  let problems: string[];
  try {
    using backend = openHostBackend();
    problems = overBudget(suites, backend.limits, backend.pageSize, filter);
  } catch (error) {
    throw new CliInputError(`the locked-memory budget: ${describeThrown(error)}`);
  }
  if (problems.length > 0) {
    throw new CliInputError(
      `${problems.length} hardware case(s) exceed the locked-memory budget; nothing was ` +
        `allocated. Raise it with --locked-budget or ${LOCKED_BUDGET_ENV}, or run --backend ` +
        `simulator:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
}

/** A whole, non-negative decimal number: `--seed ""`, `--seed 1e3` and `--seed 0x10` are refused. */
function strictCount(option: string, text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new CliInputError(
      `${option} must be a non-negative integer, got ${JSON.stringify(text)}`,
      { usage: true },
    );
  }
  return value;
}

function parseOptions(args: readonly string[]) {
  const parsed = parseCommandLine(args, {
    backend: { type: "string", multiple: true },
    seed: { type: "string" },
    filter: { type: "string" },
    ...Object.fromEntries(outputOptions.map((o) => [o.flag, { type: "string" as const }])),
    history: { type: "string" },
    "cost-profile": { type: "string" },
    placement: { type: "string" },
    driver: { type: "boolean" },
    "no-driver": { type: "boolean" },
    "locked-budget": { type: "string" },
    "measured-budgets": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if ("error" in parsed) throw new CliInputError(parsed.error, { usage: true });
  const { values, positionals } = parsed;
  const text = (name: string) => (values as Record<string, unknown>)[name] as string | undefined;
  const requested = ((values.backend as string[] | undefined) ?? ["all"]).flatMap((b) =>
    b.split(",")
  ).map((b) => b.trim());
  const backends = requested.includes("all") ? [...backendNames] : requested;
  for (const name of backends) {
    if (!(backendNames as readonly string[]).includes(name)) {
      throw new CliInputError(
        `--backend must be ${backendNames.join(", ")} or all, got "${name}"`,
        { usage: true },
      );
    }
  }
  const filter = text("filter");
  const regex = /^\/(.*)\/$/.exec(filter ?? "");
  if (regex) {
    try {
      new RegExp(regex[1]);
    } catch (error) {
      throw new CliInputError(
        `--filter ${filter} is not a valid regular expression: ${describeThrown(error)}`,
        { usage: true },
      );
    }
  }
  const seedText = text("seed");
  const seed = seedText === undefined ? DEFAULT_SEED : strictCount("--seed", seedText);
  let costProfile;
  const profilePath = text("cost-profile");
  if (profilePath !== undefined) {
    try {
      costProfile = loadCostProfile(profilePath);
    } catch (error) {
      throw new CliInputError(`--cost-profile: ${describeThrown(error)}`, { usage: true });
    }
  }
  let placement: PlacementOption | undefined;
  const place = text("placement");
  if (place === "lowest-first" || place === "running-system") placement = place;
  else if (place !== undefined) {
    try {
      placement = { profile: loadPlacementProfile(place) };
    } catch (error) {
      throw new CliInputError(`--placement: ${describeThrown(error)}`, { usage: true });
    }
  }
  const measured = text("measured-budgets") ?? "enforce";
  if (measured !== "enforce" && measured !== "report") {
    throw new CliInputError(`--measured-budgets must be enforce or report, got "${measured}"`, {
      usage: true,
    });
  }
  const lockedBudget = text("locked-budget");
  if (lockedBudget !== undefined) {
    try {
      parseLockedBudget(lockedBudget);
    } catch (error) {
      throw new CliInputError(`--locked-budget: ${describeThrown(error)}`, { usage: true });
    }
  }
  const outputs: [OutputOption, string][] = [];
  for (const option of outputOptions) {
    const path = text(option.flag);
    if (path !== undefined) outputs.push([option, path]);
  }
  return {
    measuredLatencyBudgets: measured as "enforce" | "report",
    costProfile,
    placement,
    history: text("history"),
    help: (values.help as boolean | undefined) ?? false,
    driver: values.driver ? true : values["no-driver"] ? false : undefined,
    backends: backends as BackendName[],
    seed,
    filter,
    outputs,
    lockedBudget,
    modules: positionals,
  };
}

async function loadSuites(
  modules: readonly string[],
  files: Map<string, string>,
  driverSuites: DriverSuite[],
): Promise<Suite[]> {
  const suites: Suite[] = [];
  for (const path of modules) {
    const exports = await import(pathToFileURL(resolve(path)).href);
    const found = inDefinitionOrder(Object.values(exports).filter(isSuite));
    const drivers = Object.values(exports).filter(isDriverSuite);
    driverSuites.push(...drivers);
    for (const suite of drivers) files.set(suite.name, path);
    if (found.length === 0 && drivers.length === 0) {
      throw new CliInputError(`${path} exports no suite: export the result of defineSuite(...)`);
    }
    for (const suite of found) files.set(suite.name, path);
    suites.push(...found);
  }
  return suites;
}

/** Suite and case names are user input: no terminal control sequences reach the screen. */
function sanitizeDriverSuite(suite: DriverSuiteReport): DriverSuiteReport {
  const s = (text: string) => sanitizeForTerminal(text);
  return {
    name: s(suite.name),
    cases: suite.cases.map((c) => ({ ...c, suite: s(c.suite), case: s(c.case) })),
  };
}

function driverSummaryLine(drivers: readonly DriverSuiteReport[]): string {
  const cases = drivers.flatMap((s) => s.cases);
  const count = (status: string) => cases.filter((c) => c.status === status).length;
  const caught = cases.reduce((n, c) => n + c.caught.length, 0);
  return `${cases.length} driver case(s): ${count("passed")} passed, ${count("failed")} failed, ` +
    `${count("ignored")} ignored; ${caught} expected finding(s) caught`;
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

if (import.meta.main) Deno.exitCode = await main(Deno.args);
