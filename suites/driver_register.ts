/**
 * `registerDriverSuite`: turns a driver suite into `deno test` tests, one `Deno.test` per case
 * with one step per mode (the plain run, or a sweep's baseline, systematic, memory-cap and random
 * runs) and a step for the expected findings. A case that cannot run here (no compiler) is
 * ignored, with its reason logged.
 *
 * @module
 */

import { driverLibraryFor, driverTestName, runDriverSuiteCase } from "./driver_provider.ts";
import type { DriverCaseReport } from "./driver_results.ts";
import { type DriverSuite, isDriverSuite } from "./driver_suite.ts";
import { type CallSite, CaseFailure } from "./register.ts";
import { formatDriverFinding } from "./driver_text.ts";

/**
 * Options of {@linkcode registerDriverSuite}.
 *
 * @example
 * ```ts
 * const options: RegisterDriverOptions = { callSite: (register, definition) => register(definition) };
 * ```
 */
export interface RegisterDriverOptions {
  /** Makes the registering calls from the user's file, as `registerSuite`'s does. */
  readonly callSite?: CallSite;
  /** Called with each case's report once it ran (to assert on it, or collect it). */
  readonly onReport?: (report: DriverCaseReport) => void;
}

/**
 * Registers one `Deno.test` per driver case. Await it (top-level await in a test file): whether a
 * case can run is known only once its library's compiler is looked for.
 *
 * @example
 * ```ts ignore
 * // In a *_test.ts file:
 * import { defineDriverSuite, registerDriverSuite } from "../mod.ts";
 * await registerDriverSuite(defineDriverSuite({
 *   name: "My stream",
 *   library: { name: "my_stream", sources: ["src/stream.cpp", "test/entry.cpp"] },
 *   cases: [{ name: "1 s, swept", requestedBytes: 192_000, notificationCount: 2, sweep: true }],
 * }));
 * ```
 */
export async function registerDriverSuite(
  suite: DriverSuite,
  options: RegisterDriverOptions = {},
): Promise<void> {
  if (!isDriverSuite(suite)) {
    throw new TypeError(
      "registerDriverSuite needs a suite returned by defineDriverSuite(...), which validates it",
    );
  }
  const call: CallSite = options.callSite ?? ((register, definition) => register(definition));
  for (const testCase of suite.cases) {
    const library = await driverLibraryFor(testCase.library);
    const name = driverTestName(testCase);
    if ("ignored" in library) console.log(`${name} ignored: ${library.ignored}`);
    call(Deno.test as (d: Deno.TestDefinition) => unknown, {
      name,
      ignore: "ignored" in library,
      // The isolated runner's child processes end before the test does.
      fn: async (t) => {
        const step = t.step.bind(t) as (d: Deno.TestStepDefinition) => unknown;
        const report = await runDriverSuiteCase(testCase);
        options.onReport?.(report);
        for (const mode of report.modes) {
          const unexpected = mode.rules.filter((r) => !report.expected.includes(r));
          await call(step, {
            name: `${mode.mode} (${mode.runs} run(s)${
              mode.rules.length === 0 ? "" : `, found ${mode.rules.join(", ")}`
            })`,
            fn: () => {
              if (unexpected.length > 0) {
                throw new CaseFailure(
                  `${mode.mode}`,
                  report.findings.filter((f) => unexpected.includes(f.rule)).map(
                    formatDriverFinding,
                  ),
                );
              }
            },
          });
        }
        await call(step, {
          name: report.expected.length === 0
            ? "no findings"
            : `expected findings: ${report.expected.join(", ")}`,
          fn: () => {
            for (const f of report.findings.filter((f) => f.expected)) {
              console.log(`caught ${formatDriverFinding(f)}`);
            }
            if (report.failures.length > 0) {
              throw new CaseFailure(name, [
                ...report.failures,
                ...report.findings.map(formatDriverFinding),
              ]);
            }
          },
        });
      },
    });
  }
}
