/**
 * Differential testing: the same generated sequences on the simulator and on the hardware
 * backend, comparing what is comparable (NULL or not, sizes, page counts, contiguity, misuse
 * rules) while memory is plentiful. Known capability differences are counted, not failed; any
 * other disagreement is shrunk to the smallest sequence that shows it.
 *
 * @module
 */

import fc from "npm:fast-check@4.10.2";
import type { Backend } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import type { CaseInput } from "../suites/schema.ts";
import { dropWhileFailing } from "./minimize.ts";
import { describeStep, runSequence, type StepOutcome } from "./run_sequence.ts";
import {
  concretize,
  type GeneratedStep,
  sequenceArbitrary,
  type SequenceStep,
} from "./sequence.ts";
import { suiteCase } from "./suite_case.ts";

/** A difference between the two backends at one step. */
export interface Difference {
  /** Position of the step in the sequence, from 0. */
  readonly stepIndex: number;
  /** The step itself. */
  readonly step: SequenceStep;
  /** The outcome that differs: `result`, `rule`, `bytes`, `pages` or `contiguous`. */
  readonly field: string;
  /** The simulator's value of `field`. */
  readonly simulator: unknown;
  /** The hardware backend's value of `field`. */
  readonly hardware: unknown;
  /** Set when the difference follows from a capability the hardware backend lacks. */
  readonly capability?: string;
}

/** Outcome of {@linkcode differential}. */
export interface DifferentialReport {
  /** Seed of the whole run, given or drawn; pass it again to replay. */
  readonly seed: number;
  /** Sequences run; fewer than asked when one diverged. */
  readonly runs: number;
  /** Steps run on each backend over all sequences, shrinking included. */
  readonly steps: number;
  /** Differences explained by capabilities, by explanation. */
  readonly capabilityDifferences: Readonly<Record<string, number>>;
  /** The first unexplained difference, shrunk, if any. */
  readonly divergence?: {
    readonly differences: readonly Difference[];
    readonly steps: readonly SequenceStep[];
    readonly seed: number;
    readonly path: string;
    /** The shrunk sequence as a suite case; `caseSource` prints it for pasting. */
    readonly suiteCase: CaseInput;
  };
}

/** Options of {@linkcode differential}. */
export interface DifferentialOptions {
  /** Number of sequences. Default 1000. */
  readonly runs?: number;
  /** Seed of the whole run; the same seed replays the same sequences. Default: random. */
  readonly seed?: number;
  /** Longest sequence. Default 10 steps. */
  readonly maxSteps?: number;
}

const CONTIGUOUS_BEST_EFFORT =
  "contiguous memory on Linux comes from transparent huge pages, which may be unavailable";

/**
 * Compares two step-by-step outcome lists; differences the hardware's capabilities explain are
 * marked with the explanation. `lockLimit`, when the hardware may not lock all it is asked for
 * (RLIMIT_MEMLOCK without CAP_IPC_LOCK), explains allocations that come back smaller there.
 *
 * @example
 * ```ts
 * compareOutcomes([], []); // []
 * ```
 */
export function compareOutcomes(
  simulator: readonly StepOutcome[],
  hardware: readonly StepOutcome[],
  lockLimit?: string,
): Difference[] {
  const differences: Difference[] = [];
  // Handles whose allocation differed for a capability reason: what later steps do with them
  // differs as a consequence (a map of a NULL handle is skipped), not as a new divergence.
  const explained = new Map<string, string>();
  simulator.forEach((sim, i) => {
    const hw = hardware[i];
    const step = sim.step;
    // A leak check looks at every handle: one whose allocation differed explains it.
    const inherited = step.call === "assertNoLeaks"
      ? explained.values().next().value
      : explained.get(step.handle);
    const differ = (field: string, a: unknown, b: unknown, capability?: string) => {
      if (a !== b) {
        differences.push({ stepIndex: i, step, field, simulator: a, hardware: b, capability });
      }
    };
    const contiguous = step.call === "allocateContiguousPagesForMdl";
    // Fewer bytes (or none) on hardware that may not lock more: the test machine's limit.
    const limited = lockLimit !== undefined && "totalBytes" in step &&
        (hw.result === "null" || (hw.bytes ?? 0) < (sim.bytes ?? 0))
      ? lockLimit
      : undefined;
    const capability = inherited ?? (contiguous ? CONTIGUOUS_BEST_EFFORT : limited);
    differ("result", sim.result, hw.result, capability);
    if (sim.result !== hw.result) {
      if (capability !== undefined) {
        explained.set(step.handle, inherited ?? `follows from: ${capability}`);
      }
      return;
    }
    differ("rule", sim.rule, hw.rule, inherited);
    differ("bytes", sim.bytes, hw.bytes, inherited ?? limited);
    differ("pages", sim.pages, hw.pages, inherited ?? limited);
    if (limited !== undefined && sim.bytes !== hw.bytes) {
      explained.set(step.handle, inherited ?? `follows from: ${limited}`);
    }
    if (contiguous) differ("contiguous", sim.contiguous, hw.contiguous, inherited);
  });
  return differences;
}

/**
 * Runs `runs` generated sequences on a fresh unfragmented simulator and on `hardware`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using twin = new Simulator();
 * differential(twin, { runs: 5, seed: 1 }).divergence; // undefined: a simulator agrees with itself
 * ```
 */
export function differential(
  hardware: Backend,
  options: DifferentialOptions = {},
): DifferentialReport {
  const { runs = 1000, maxSteps = 10 } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const capabilityDifferences: Record<string, number> = {};
  const lockLimit = hardware.limits.lockedBytes === null
    ? undefined
    : hardware.limits.lockedBytesReason;
  let steps = 0;
  const compare = (generated: GeneratedStep[]): Difference[] => {
    const sequence = concretize(generated);
    using simulator = new Simulator({ machine: "x64-16gib", captureAllocationSites: false });
    const a = runSequence(simulator, sequence);
    const b = runSequence(hardware, sequence);
    steps += sequence.length;
    return compareOutcomes(a, b, lockLimit);
  };
  const property = fc.property(
    sequenceArbitrary({ maxSteps, maxBytes: 4 << 20, plentiful: true, kernelMisuse: false }),
    (generated) => {
      const differences = compare(generated);
      for (const d of differences) {
        if (d.capability) {
          capabilityDifferences[d.capability] = (capabilityDifferences[d.capability] ?? 0) + 1;
        }
      }
      const unexplained = differences.filter((d) => !d.capability);
      if (unexplained.length) throw new Error(unexplained.map(describeDifference).join("\n"));
    },
  );
  const details = fc.check(property, { numRuns: runs, seed });
  const report = { seed, runs: details.numRuns, steps, capabilityDifferences };
  if (!details.failed || details.counterexample === null) return report;
  const generated = dropWhileFailing(
    details.counterexample[0],
    (g) => compare(g).some((d) => !d.capability),
  );
  const sequence = concretize(generated);
  const differences = compare(generated).filter((d) => !d.capability);
  return {
    ...report,
    divergence: {
      differences,
      steps: sequence,
      seed: details.seed,
      path: details.counterexamplePath ?? "",
      suiteCase: suiteCase(
        `differential: ${differences[0] ? describeDifference(differences[0]) : "divergence"}`,
        "x64-16gib",
        { fragmentation: 0, seed: 1, faults: {} },
        sequence,
      ),
    },
  };
}

/** One difference in words. */
export function describeDifference(d: Difference): string {
  return `step ${d.stepIndex + 1} (${describeStep(d.step)}): ${d.field} simulator ${
    String(d.simulator)
  }, hardware ${String(d.hardware)}${d.capability ? ` [${d.capability}]` : ""}`;
}
