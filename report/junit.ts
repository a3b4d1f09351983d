/**
 * JUnit XML of a CLI run (`--junit FILE`): one `<testsuite>` per suite, one `<testcase>` per case
 * and backend plus one for its cross-check, named "case › backend" whatever the privileges (a skip
 * reason goes in `<skipped message="…">`, never in the name), with the user's suite file as the
 * classname so CI tools group and link cases by the file that defines them.
 *
 * @module
 */

import type { BackendRun, CaseReport, CrossCheck, RunReport } from "../suites/results.ts";

/** XML 1.0 has no way to carry most control characters: they are dropped; the rest escaped. */
function xml(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, "")
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function testcase(
  classname: string,
  name: string,
  result: BackendRun | CrossCheck,
  failures: readonly string[],
): string {
  const head = `    <testcase classname="${xml(classname)}" name="${xml(name)}"`;
  if (result.status === "ignored") {
    return `${head}>\n      <skipped message="${xml(result.reason ?? "")}"/>\n    </testcase>`;
  }
  if (result.status === "failed") {
    return `${head}>\n      <failure message="${xml(failures[0] ?? "failed")}">${
      xml(failures.join("\n"))
    }</failure>\n    </testcase>`;
  }
  return `${head}/>`;
}

function caseEntries(c: CaseReport, classname: string): string[] {
  return [
    ...c.runs.map((run) => testcase(classname, `${c.case} › ${run.backend}`, run, run.failures)),
    testcase(
      classname,
      `${c.case} › cross-check`,
      c.crossCheck,
      c.crossCheck.divergences.map((d) => `${d.field}: ${JSON.stringify(d.values)} (${d.rule})`),
    ),
  ];
}

/**
 * Renders a run report as JUnit XML; `suiteFiles` maps each suite name to its source file (the
 * classname); a suite without one is named by itself.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * const xml = reportToJunit(report, new Map([[commonFormats.name, "suites/bundled.ts"]]));
 * // <testcase classname="suites/bundled.ts" name="48 kHz stereo 16-bit 10 ms › simulator"/>
 * ```
 */
export function reportToJunit(
  report: RunReport,
  suiteFiles: ReadonlyMap<string, string> = new Map(),
): string {
  let [tests, failures, skipped] = [0, 0, 0];
  const suites = report.suites.map((suite) => {
    const results = suite.cases.flatMap((c) => [...c.runs, c.crossCheck]);
    const failed = results.filter((r) => r.status === "failed").length;
    const ignored = results.filter((r) => r.status === "ignored").length;
    tests += results.length;
    failures += failed;
    skipped += ignored;
    const classname = suiteFiles.get(suite.name) ?? suite.name;
    return [
      `  <testsuite name="${xml(suite.name)}" tests="${results.length}" failures="${failed}" ` +
      `errors="0" skipped="${ignored}" timestamp="${xml(report.startedAt)}">`,
      ...suite.cases.flatMap((c) => caseEntries(c, classname)),
      "  </testsuite>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="wavert-bench" tests="${tests}" failures="${failures}" errors="0" ` +
    `skipped="${skipped}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
