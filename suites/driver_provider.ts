/**
 * Runs driver cases: builds (or finds) the case's library, runs it once or sweeps it, each in a
 * child process so a crash fails only its case, and judges the findings against the case's
 * `expect.findings`. `runDriverSuites` runs whole suites for the CLI.
 *
 * @module
 */

import {
  buildDriverLibrary,
  driverCompilerMissing,
  exampleDrivers,
} from "../ffi/driver/build_driver.ts";
import type { DriverFinding } from "../ffi/driver/findings.ts";
import { runDriverCase } from "../ffi/driver/isolated.ts";
import { sweepDriverCase } from "../ffi/driver/sweep.ts";
import {
  type DriverCaseReport,
  type DriverFindingReport,
  type DriverModeReport,
  type DriverSuiteReport,
  driverVerdict,
} from "./driver_results.ts";
import type { DriverSuite, DriverSuiteCase } from "./driver_suite.ts";

const builds = new Map<string, Promise<string>>();

/**
 * The path of a case's library, building it once per process when it comes from sources; or the
 * reason it cannot run here (no compiler, no such file).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it may run the compilers.
 * const where = await driverLibraryFor({ example: "buggy" }); // { path: ".../libminiport_example_buggy.so" }
 * ```
 */
export async function driverLibraryFor(
  library: DriverSuiteCase["library"],
): Promise<{ path: string } | { ignored: string }> {
  if ("path" in library) {
    try {
      await Deno.stat(library.path);
      return { path: library.path };
    } catch (error) {
      return { ignored: `library ${library.path}: ${(error as Error).message}` };
    }
  }
  const spec = "example" in library ? exampleDrivers[library.example] : library.build;
  let missing;
  try {
    missing = await driverCompilerMissing();
  } catch (error) {
    return { ignored: `driver case not built: ${(error as Error).message}` }; // no --allow-run
  }
  if (missing !== null) return { ignored: `driver case not built: ${missing}` };
  let build = builds.get(spec.name);
  if (build === undefined) {
    build = buildDriverLibrary(spec);
    builds.set(spec.name, build);
    build.catch(() => builds.delete(spec.name));
  }
  return { path: await build };
}

function findingReport(
  finding: DriverFinding,
  expected: readonly string[],
  extra: Partial<DriverFindingReport> = {},
): DriverFindingReport {
  // The library offset and the step are the run's own; a report keeps what names the bug.
  const { site: _site, step: _step, stopped: _stopped, ...shown } = finding;
  return { ...shown, expected: expected.includes(finding.rule), ...extra };
}

/**
 * Runs one driver case (once, or its sweep) and judges it.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it builds the example and starts child processes.
 * import { exampleMiniport } from "./bundled_drivers.ts";
 * const report = await runDriverSuiteCase(exampleMiniport.cases[2]);
 * report.caught; // ["actual-size-exceeds-mdl", "failed-allocate-leaked"]
 * ```
 */
export async function runDriverSuiteCase(testCase: DriverSuiteCase): Promise<DriverCaseReport> {
  const started = performance.now();
  const base = {
    suite: testCase.suite,
    case: testCase.name,
    library: testCase.libraryLabel,
    mode: testCase.sweep === null ? "run" as const : "sweep" as const,
    requestedBytes: testCase.options.requestedBytes,
    expected: testCase.expectFindings,
  };
  let library;
  try {
    library = await driverLibraryFor(testCase.library);
  } catch (error) {
    // A build that fails (a compile error, say) fails the case, with the compiler's message.
    const failure = `the driver library did not build: ${(error as Error).message}`;
    return {
      ...base,
      status: "failed",
      caught: [],
      failures: [failure],
      findings: [],
      modes: [],
      runs: 0,
      elapsedMs: performance.now() - started,
    };
  }
  if ("ignored" in library) {
    return {
      ...base,
      status: "ignored",
      reason: library.ignored,
      caught: [],
      failures: [],
      findings: [],
      modes: [],
      runs: 0,
      elapsedMs: performance.now() - started,
    };
  }
  const options = { ...testCase.options, library: library.path };
  const expected = testCase.expectFindings;
  let findings: DriverFindingReport[];
  let modes: DriverModeReport[];
  let runs: number;
  if (testCase.sweep === null) {
    const result = await runDriverCase(options);
    const first = new Map<string, DriverFinding>();
    for (const f of result.findings) if (!first.has(f.rule)) first.set(f.rule, f);
    findings = [...first.values()].map((f) => findingReport(f, expected));
    modes = [{
      mode: "run",
      runs: 1,
      failed: result.passed ? 0 : 1,
      rules: [...first.keys()],
    }];
    runs = 1;
  } else {
    const sweep = await sweepDriverCase(options, testCase.sweep);
    findings = sweep.failures.map((failure) =>
      findingReport(failure.finding, expected, {
        variant: { mode: failure.variant.mode, label: failure.variant.label },
        shrunk: { ...failure.shrunk },
        pasteable: failure.pasteable,
      })
    );
    const byMode = new Map<string, { runs: number; failed: number; rules: Set<string> }>();
    for (const v of sweep.variants) {
      const entry = byMode.get(v.variant.mode) ?? { runs: 0, failed: 0, rules: new Set() };
      entry.runs++;
      if (!v.passed) entry.failed++;
      for (const rule of v.rules) entry.rules.add(rule);
      byMode.set(v.variant.mode, entry);
    }
    modes = [...byMode].map(([mode, m]) => ({ ...m, mode, rules: [...m.rules] }));
    runs = sweep.runs;
  }
  const { caught, failures } = driverVerdict(findings.map((f) => f.rule), expected);
  return {
    ...base,
    status: failures.length === 0 ? "passed" : "failed",
    caught,
    failures,
    findings,
    modes,
    runs,
    elapsedMs: performance.now() - started,
  };
}

/**
 * Options of {@linkcode runDriverSuites}.
 *
 * @example
 * ```ts
 * const options: RunDriverSuitesOptions = { filter: "miniport" };
 * ```
 */
export interface RunDriverSuitesOptions {
  /** Keeps cases whose "suite › case" name matches: a substring, or /regex/. */
  readonly filter?: string;
  /** Called after each case with how many are done. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

/**
 * Runs the selected cases of driver suites, one after another.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it builds the example and starts child processes.
 * import { bundledDriverSuites } from "./bundled_drivers.ts";
 * const reports = await runDriverSuites(bundledDriverSuites);
 * ```
 */
export async function runDriverSuites(
  suites: readonly DriverSuite[],
  options: RunDriverSuitesOptions = {},
): Promise<DriverSuiteReport[]> {
  const selected = suites
    .map((s) => ({ name: s.name, cases: s.cases.filter((c) => matches(c, options.filter)) }))
    .filter((s) => s.cases.length > 0);
  const total = selected.reduce((n, s) => n + s.cases.length, 0);
  let done = 0;
  const reports: DriverSuiteReport[] = [];
  for (const suite of selected) {
    const cases: DriverCaseReport[] = [];
    for (const testCase of suite.cases) {
      cases.push(await runDriverSuiteCase(testCase));
      options.onProgress?.(++done, total, driverTestName(testCase));
    }
    reports.push({ name: suite.name, cases });
  }
  return reports;
}

/**
 * The `Deno.test` name of a driver case, also what `--filter` matches.
 *
 * @example
 * ```ts
 * driverTestName({ suite: "Example miniport", name: "buggy: sweep" }); // "Example miniport › buggy: sweep"
 * ```
 */
export function driverTestName(testCase: { suite: string; name: string }): string {
  return `${testCase.suite} › ${testCase.name}`;
}

function matches(testCase: DriverSuiteCase, filter: string | undefined): boolean {
  if (filter === undefined || filter === "") return true;
  const name = driverTestName(testCase);
  const regex = /^\/(.*)\/$/.exec(filter);
  return regex ? new RegExp(regex[1]).test(name) : name.includes(filter);
}
