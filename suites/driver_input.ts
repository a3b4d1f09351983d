/**
 * A driver suite as a user writes it, as explicit types: what `defineDriverSuite` accepts. The
 * zod schema in `driver_schema.ts` validates exactly these shapes, and a compile-time check there
 * keeps the two equal.
 *
 * @module
 */

import type { MachinePresetName } from "../core/machine.ts";
import type { CacheTypeName, FaultsInput } from "./suite_input.ts";

/**
 * Where a case's driver comes from: a built library's path, a bundled example, or sources to
 * build with the harness's headers.
 *
 * @example
 * ```ts
 * const lib: DriverLibraryInput = { example: "buggy" };
 * ```
 */
export type DriverLibraryInput =
  | string
  | { example: "correct" | "buggy" }
  | { name: string; sources: string[]; defines?: string[]; includeDirs?: string[] };

/**
 * The audio format the stream is created with.
 *
 * @example
 * ```ts
 * const format: DriverFormatInput = { sampleRate: 48_000, channels: 2, bitsPerSample: 16 };
 * ```
 */
export interface DriverFormatInput {
  /** Frames per second. */
  sampleRate: number;
  /** Interleaved channels. */
  channels: number;
  /** Bits per sample. */
  bitsPerSample: 8 | 16 | 24 | 32;
}

/**
 * One call PortCls makes on the driver's stream.
 *
 * @example
 * ```ts
 * const steps: DriverStepInput[] = [{ call: "allocateBuffer", requestedBytes: 8192 }, { call: "freeBuffer" }];
 * ```
 */
export type DriverStepInput =
  | { call: "allocateBuffer"; requestedBytes?: number; notificationCount?: number }
  | { call: "freeBuffer" };

/**
 * The simulator conditions a driver case runs under.
 *
 * @example
 * ```ts
 * const conditions: DriverConditionsInput = { machine: "x64-4gib", memoryCapBytes: 8192 };
 * ```
 */
export interface DriverConditionsInput {
  /** A machine preset. */
  machine?: MachinePresetName;
  /** Share of RAM already in use, 0 to 1. */
  fragmentation?: number;
  /** Seed for fragmentation, placement and faults. */
  seed?: number;
  /** Fault injection on the simulator's calls. */
  faults?: FaultsInput;
  /** Most bytes the simulated machine lets the driver hold. */
  memoryCapBytes?: number;
}

/**
 * A sweep: `true` for all of it, or which parts.
 *
 * @example
 * ```ts
 * const sweep: DriverSweepInput = { systematic: true, memoryCaps: true, random: { runs: 20, seed: 7 } };
 * ```
 */
export type DriverSweepInput = true | {
  /** Fail each distinct call site once. */
  systematic?: boolean;
  /** Run once per memory cap that forces each possible partial size. */
  memoryCaps?: boolean;
  /** Random faults: `false` for none. */
  random?: false | { runs: number; seed?: number; probability?: number };
  /** Shrink a failure to its smallest case. */
  shrink?: boolean;
};

/**
 * A driver case as written in a suite file.
 *
 * @example
 * ```ts
 * const input: DriverCaseInput = { name: "1 page", library: "lib.so", requestedBytes: 4096 };
 * ```
 */
export interface DriverCaseInput {
  /** The case's name, unique in its suite. */
  name: string;
  /** What it shows. */
  description?: string;
  /** The driver, unless the suite names it. */
  library?: DriverLibraryInput;
  /** The stream's audio format. */
  format?: DriverFormatInput;
  /** Buffer size asked for, in bytes; or `durationMs` with the format. */
  requestedBytes?: number;
  /** Buffer length in milliseconds of `format`. */
  durationMs?: number;
  /** 0 (AllocateAudioBuffer), 1 or 2 (AllocateBufferWithNotification). */
  notificationCount?: number;
  /** The calls to make, by default allocate then free. */
  steps?: DriverStepInput[];
  /** A string handed to the driver's create entry. */
  parameters?: string;
  /** Cache types the driver may map its buffer with. */
  allowedCacheTypes?: CacheTypeName[];
  /** Simulator conditions. */
  conditions?: DriverConditionsInput;
  /** Sweep the driver's failure paths. */
  sweep?: DriverSweepInput;
  /** The rules the case must find, exactly: none by default. */
  expect?: { findings: string[] };
}

/**
 * A driver suite as written in a suite file.
 *
 * @example
 * ```ts
 * const input: DriverSuiteInput = {
 *   name: "My stream",
 *   library: { example: "correct" },
 *   cases: [{ name: "100 ms", requestedBytes: 19_200 }],
 * };
 * ```
 */
export interface DriverSuiteInput {
  /** The suite's name. */
  name: string;
  /** What it covers. */
  description?: string;
  /** The driver its cases share. */
  library?: DriverLibraryInput;
  /** Conditions its cases share. */
  conditions?: DriverConditionsInput;
  /** Its cases, in order. */
  readonly cases: readonly DriverCaseInput[];
}
