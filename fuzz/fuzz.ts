/**
 * The fuzzer: thousands of generated sequences on the simulator under fault injection, each run
 * through the invariant checker; a failure is shrunk by fast-check to the smallest sequence that
 * still fails and reported with its seed, replay path and a ready-to-paste suite case.
 *
 * @module
 */

import fc from "fast-check";
import type { Backend } from "../core/backend.ts";
import type { FaultOptions } from "../core/faults.ts";
import { Simulator } from "../core/simulator.ts";
import type { CaseInput } from "../suites/schema.ts";
import { InvariantViolation, runSequence, type StepOutcome } from "./run_sequence.ts";
import { concretize, sequenceArbitrary, type SequenceStep } from "./sequence.ts";
import { suiteCase } from "./suite_case.ts";

/** The simulator configuration of one generated run. */
export interface FuzzConditions {
  /** Fraction (0–1) of the machine's RAM used by others: 0, 0.3 or 0.9. */
  readonly fragmentation: number;
  /** The simulator's seed for this run. */
  readonly seed: number;
  /** Faults injected in this run; empty when fault injection is off. */
  readonly faults: FaultOptions;
}

/** Options of {@linkcode fuzz}. */
export interface FuzzOptions {
  /** Number of sequences. Default 10,000. */
  readonly runs?: number;
  /** Stop early after this many seconds (the runs done so far count). */
  readonly seconds?: number;
  /** Seed of the whole run; the same seed replays the same sequences. Default: random. */
  readonly seed?: number;
  /** Replay one failing run: the path fast-check printed. */
  readonly path?: string;
  /** Longest sequence. Default 12 steps. */
  readonly maxSteps?: number;
  /** Inject faults (random failures, failNth, memory caps). Default true. */
  readonly faults?: boolean;
  /** Builds the backend for one run; the simulator on `x64-4gib` by default. */
  readonly backend?: (conditions: FuzzConditions) => Backend;
}

/** The outcome of a fuzz run. */
export interface FuzzReport {
  /** Seed of the whole run, given or drawn; pass it again to replay. */
  readonly seed: number;
  /** Sequences run; fewer than asked when `seconds` ran out or one failed. */
  readonly runs: number;
  /** Calls made over all sequences, shrinking included. */
  readonly steps: number;
  /** Outcome counts over all steps, e.g. `{ mdl: 900, null: 40, violation: 75 }`. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Violations raised (and expected) per rule. */
  readonly violations: Readonly<Record<string, number>>;
  /** Allocations that came back smaller than asked. */
  readonly partial: number;
  /** The shrunk failing sequence; absent when every invariant held. */
  readonly failure?: FuzzFailure;
}

/** A shrunk failing sequence. */
export interface FuzzFailure {
  /** What broke: the invariant violation's or the error's message. */
  readonly message: string;
  /** The shrunk sequence of calls that still fails. */
  readonly steps: readonly SequenceStep[];
  /** The simulator configuration it fails under. */
  readonly conditions: FuzzConditions;
  /** Replay with `deno task fuzz --seed <seed> --path <path>`. */
  readonly seed: number;
  /** fast-check's path to the shrunk counterexample; empty when it gave none. */
  readonly path: string;
  /** The shrunk sequence as a suite case; `caseSource(suiteCase)` prints it for pasting. */
  readonly suiteCase: CaseInput;
}

/** The machine every fuzz run builds: small enough to build in milliseconds, with real holes. */
export const FUZZ_MACHINE = "x64-4gib" as const;

const conditionsArbitrary = (faults: boolean): fc.Arbitrary<FuzzConditions> =>
  fc.record({
    fragmentation: fc.constantFrom(0, 0.3, 0.9),
    seed: fc.nat(2 ** 31 - 1),
    faults: faults
      ? fc.record({
        probability: fc.constantFrom(0, 0.06, 0.3),
        failNth: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 2 }),
        memoryCapBytes: fc.constantFrom<number | undefined>(undefined, 1 << 20, 8 << 20),
      }, { requiredKeys: ["probability", "failNth"] })
      : fc.constant({}),
  });

function defaultBackend(conditions: FuzzConditions): Backend {
  return new Simulator({
    machine: FUZZ_MACHINE,
    fragmentation: conditions.fragmentation,
    seed: conditions.seed,
    faults: conditions.faults,
    captureAllocationSites: false,
  });
}

/**
 * Runs generated sequences and returns counts, or the shrunk failure.
 *
 * @example
 * ```ts
 * const report = fuzz({ runs: 50, seed: 1 });
 * report.failure; // undefined: the simulator keeps every invariant
 * ```
 */
export function fuzz(options: FuzzOptions = {}): FuzzReport {
  const {
    runs = 10_000,
    seconds,
    maxSteps = 12,
    faults = true,
    backend = defaultBackend,
  } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const outcomes: Record<string, number> = {};
  const violations: Record<string, number> = {};
  let partial = 0;
  let steps = 0;
  const record = (results: StepOutcome[]) => {
    for (const o of results) {
      steps++;
      outcomes[o.result] = (outcomes[o.result] ?? 0) + 1;
      if (o.rule) violations[o.rule] = (violations[o.rule] ?? 0) + 1;
      const asked = "totalBytes" in o.step ? o.step.totalBytes : 0;
      if (o.bytes !== undefined && o.bytes < asked) partial++;
    }
  };
  const property = fc.property(
    sequenceArbitrary({ maxSteps }),
    conditionsArbitrary(faults),
    (generated, conditions) => {
      const backendForRun = backend(conditions);
      try {
        record(runSequence(backendForRun, concretize(generated)));
      } finally {
        backendForRun.close();
      }
    },
  );
  const details = fc.check(property, {
    numRuns: runs,
    seed,
    path: options.path,
    interruptAfterTimeLimit: seconds === undefined ? undefined : seconds * 1000,
    markInterruptAsFailure: false,
  });
  const report = { seed, runs: details.numRuns, steps, outcomes, violations, partial };
  if (!details.failed || details.counterexample === null) return report;
  const [generated, conditions] = details.counterexample;
  const sequence = concretize(generated);
  const error = details.errorInstance;
  const message = error instanceof InvariantViolation || error instanceof Error
    ? error.message
    : String(error);
  return {
    ...report,
    failure: {
      message,
      steps: sequence,
      conditions,
      seed: details.seed,
      path: details.counterexamplePath ?? "",
      suiteCase: suiteCase(
        `fuzz: ${message.split("\n")[0]}`,
        FUZZ_MACHINE,
        conditions,
        sequence,
      ),
    },
  };
}
