/**
 * `defineDriverSuite`: validates a suite of driver cases as written, reporting every problem at
 * once (suite › case › field, with the value received), and resolves each case into the
 * `DriverCaseOptions` the harness runs, the sweep to make and the findings it must produce.
 *
 * @module
 */

import type { z } from "npm:zod@4.6.7";
import { CacheType } from "../core/constants.ts";
import type { MachinePresetName } from "../core/machine.ts";
import type { DriverLibrarySpec } from "../ffi/driver/build_driver.ts";
import type { AudioFormat, DriverCaseOptions, DriverStep } from "../ffi/driver/run_case.ts";
import type { SweepOptions } from "../ffi/driver/sweep.ts";
import { audioBufferSize } from "./audio_format.ts";
import {
  deepFreeze,
  parseSuiteCases,
  SuiteDefinitionError,
  type SuiteProblem,
} from "./suite_parsing.ts";
import {
  type DriverCaseParsed,
  driverCaseSchema,
  type DriverLibraryInput,
  type DriverSuiteInput,
  driverSuiteSchema,
} from "./driver_schema.ts";
import { describeReceived } from "./problem_text.ts";

/**
 * Where a case's driver library comes from: a built path, a bundled example, or sources to build.
 *
 * @example
 * ```ts
 * const lib: DriverLibrarySource = { example: "buggy" };
 * ```
 */
export type DriverLibrarySource =
  | { readonly path: string }
  | { readonly example: "correct" | "buggy" }
  | { readonly build: DriverLibrarySpec };

/**
 * A validated, resolved driver case.
 *
 * @example
 * ```ts
 * const label = (c: DriverSuiteCase) => `${c.suite} › ${c.name} (${c.libraryLabel})`;
 * ```
 */
export interface DriverSuiteCase {
  /** Name of the suite the case belongs to. */
  readonly suite: string;
  /** The case's name, unique in its suite. */
  readonly name: string;
  /** Always "driver": the case runs a miniport's own code. */
  readonly kind: "driver";
  /** What the case checks and why, as written. */
  readonly description?: string;
  /** The driver library to run. */
  readonly library: DriverLibrarySource;
  /** The library as tables show it: its path, "example (buggy)" or the build's name. */
  readonly libraryLabel: string;
  /** The harness case without its library path, which is known once the library is built. */
  readonly options: Omit<DriverCaseOptions, "library">;
  /** The sweep to run, or null for one plain run. */
  readonly sweep: SweepOptions | null;
  /** The rules the case must find, sorted; empty: it must find none. */
  readonly expectFindings: readonly string[];
}

/**
 * A validated, resolved suite of driver cases; only `defineDriverSuite` makes one.
 *
 * @example
 * ```ts
 * const names = (s: DriverSuite) => s.cases.map((c) => c.name);
 * ```
 */
export interface DriverSuite {
  /** The suite's name. */
  readonly name: string;
  /** Always "driver". */
  readonly kind: "driver";
  /** What the suite covers, as written. */
  readonly description?: string;
  /** The cases, in the order written. */
  readonly cases: readonly DriverSuiteCase[];
}

const definedDriverSuites = new WeakSet<object>();

/**
 * Whether `value` is a suite returned by {@linkcode defineDriverSuite}.
 *
 * @example
 * ```ts
 * isDriverSuite({ name: "x", kind: "driver", cases: [] }); // false: not validated
 * ```
 */
export function isDriverSuite(value: unknown): value is DriverSuite {
  return typeof value === "object" && value !== null && definedDriverSuites.has(value);
}

/**
 * Validates and resolves a driver suite. Pure: it builds, loads and runs nothing.
 *
 * @throws {SuiteDefinitionError} listing every problem, each naming suite, case, field and value.
 * @example
 * ```ts
 * const suite = defineDriverSuite({
 *   name: "My stream",
 *   library: { example: "correct" },
 *   cases: [{ name: "100 ms", requestedBytes: 19_200, notificationCount: 2, sweep: true }],
 * });
 * suite.cases[0].options.requestedBytes; // 19200
 * ```
 */
export function defineDriverSuite(input: DriverSuiteInput): DriverSuite {
  const { header, parsed, problems } = parseSuiteCases(
    input,
    driverSuiteSchema,
    driverCaseSchema,
    (data, at, found) => {
      if (data.library === undefined && input?.library === undefined) {
        found.push({
          ...at,
          field: "library",
          message: "is required (here or on the suite)",
          received: describeReceived(undefined),
        });
      }
      if (data.durationMs !== undefined) {
        const [problem] = durationProblem(data);
        if (problem) found.push({ ...at, ...problem });
      }
    },
  );
  if (problems.length > 0) throw new SuiteDefinitionError(problems);
  const suite = header.data!;
  const resolved: DriverSuite = deepFreeze({
    name: suite.name,
    kind: "driver" as const,
    description: suite.description,
    cases: parsed.map((c) => resolveCase(suite, c)),
  });
  definedDriverSuites.add(resolved);
  return resolved;
}

const DEFAULT_FORMAT: AudioFormat = { sampleRate: 48_000, channels: 2, bitsPerSample: 16 };

function durationProblem(c: DriverCaseParsed): Omit<SuiteProblem, "suite" | "case">[] {
  try {
    bytesOf(c);
    return [];
  } catch (error) {
    return [{
      field: "durationMs",
      message: (error as Error).message,
      received: describeReceived(c.durationMs),
    }];
  }
}

function bytesOf(c: DriverCaseParsed): number {
  if (c.requestedBytes !== undefined) return c.requestedBytes;
  return audioBufferSize({ ...(c.format ?? DEFAULT_FORMAT), durationMs: c.durationMs }).bytes;
}

function resolveLibrary(input: DriverLibraryInput): [DriverLibrarySource, string] {
  if (typeof input === "string") return [{ path: input }, input];
  if ("example" in input) return [{ example: input.example }, `example (${input.example})`];
  return [{ build: input }, `${input.name} (built from ${input.sources.length} source(s))`];
}

function resolveCase(
  suite: z.output<typeof driverSuiteSchema>,
  c: DriverCaseParsed,
): DriverSuiteCase {
  const [library, libraryLabel] = resolveLibrary((c.library ?? suite.library)!);
  const conditions = { ...suite.conditions, ...c.conditions };
  const simulator = {
    ...(conditions.machine === undefined
      ? {}
      : { machine: conditions.machine as MachinePresetName }),
    ...(conditions.fragmentation === undefined ? {} : { fragmentation: conditions.fragmentation }),
    ...(conditions.seed === undefined ? {} : { seed: conditions.seed }),
  };
  const faults = {
    ...conditions.faults,
    ...(conditions.memoryCapBytes === undefined
      ? {}
      : { memoryCapBytes: conditions.memoryCapBytes }),
  };
  const steps = c.steps?.map((s): DriverStep =>
    s.call === "freeBuffer" ? { call: "free" } : {
      call: "allocate",
      ...(s.requestedBytes === undefined ? {} : { requestedBytes: s.requestedBytes }),
      ...(s.notificationCount === undefined ? {} : { notificationCount: s.notificationCount }),
    }
  );
  const options: Omit<DriverCaseOptions, "library"> = {
    requestedBytes: bytesOf(c),
    ...(c.format === undefined ? {} : { format: c.format }),
    ...(c.notificationCount === undefined ? {} : { notificationCount: c.notificationCount }),
    ...(steps === undefined ? {} : { steps }),
    ...(c.parameters === undefined ? {} : { parameters: c.parameters }),
    ...(Object.keys(simulator).length === 0 ? {} : { simulator }),
    ...(Object.keys(faults).length === 0 ? {} : { faults }),
    ...(c.allowedCacheTypes === undefined
      ? {}
      : { allowedCacheTypes: c.allowedCacheTypes.map((t) => CacheType[t]) }),
  };
  return {
    suite: suite.name,
    name: c.name,
    kind: "driver",
    description: c.description,
    library,
    libraryLabel,
    options,
    sweep: c.sweep === undefined ? null : c.sweep === true ? {} : c.sweep,
    expectFindings: [...(c.expect?.findings ?? [])].sort(),
  };
}
