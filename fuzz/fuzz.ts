/**
 * The fuzzer: thousands of generated sequences on the simulator under fault injection, each run
 * through the invariant checker; a failure is shrunk by fast-check to the smallest sequence that
 * still fails and reported with its seed, replay path and a ready-to-paste suite case.
 *
 * @module
 */

import fc from "npm:fast-check@4.10.2";
import type { Backend } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import { withoutViolationStacks } from "../core/violations.ts";
import { machineKey, MachinePool } from "./machine_pool.ts";
import { type OutcomeSink, SequenceChecker, type StepResult } from "./run_sequence.ts";
import { runGrouped } from "./grouped_runs.ts";
import {
  concretize,
  type GeneratedStep,
  sequenceArbitrary,
  type SequenceStep,
} from "./sequence.ts";
import { everyRule, ShardMerge } from "./shard_merge.ts";
import { suiteCase } from "./suite_case.ts";
import type { FuzzConditions, FuzzFailure, FuzzReport, ShardResult } from "./fuzz_report.ts";

/** Options of {@linkcode fuzz}. */
export interface FuzzOptions {
  /** Number of sequences. Default 10,000, or unlimited when `seconds` is given. */
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
  /**
   * Builds the backend for one run (closed after it). Default: pooled simulators on `x64-4gib`,
   * restored to their built state before each run.
   */
  readonly backend?: (conditions: FuzzConditions) => Backend;
}

/** The machine every fuzz run uses: small enough to restore in microseconds, with real holes. */
export const FUZZ_MACHINE = "x64-4gib" as const;

/**
 * Seeds of generated conditions: 1 to this. Each fragmentation and seed is one built machine that
 * runs restore instead of rebuilding, so the seed comes from a small set (8 layouts per
 * fragmentation level; fault draws differ per seed and call number).
 */
export const MACHINE_SEEDS = 8;

/**
 * Sequences per shard. A run of N sequences is shards of this many, each with its own seed
 * ({@linkcode shardSeed}); the report merges them in order, so it does not depend on how many
 * workers ran them.
 */
export const SHARD_RUNS = 1000;

/**
 * The seed of shard `index` of a run seeded `seed`: the run's seed for shard 0, so a run of up to
 * {@linkcode SHARD_RUNS} sequences is one fast-check run with that seed.
 *
 * @example
 * ```ts
 * shardSeed(7, 0); // 7
 * shardSeed(7, 1) !== shardSeed(8, 1); // true
 * ```
 */
export function shardSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) & 0x7fffffff;
}

const conditionsArbitrary = (faults: boolean): fc.Arbitrary<FuzzConditions> =>
  fc.record({
    fragmentation: fc.constantFrom(0, 0.3, 0.9),
    seed: fc.integer({ min: 1, max: MACHINE_SEEDS }),
    faults: faults
      ? fc.record({
        probability: fc.constantFrom(0, 0.06, 0.3),
        failNth: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 2 }),
        memoryCapBytes: fc.constantFrom<number | undefined>(undefined, 1 << 20, 8 << 20),
      }, { requiredKeys: ["probability", "failNth"] })
      : fc.constant({}),
  });

/**
 * Counts of steps, as a {@linkcode OutcomeSink} that allocates nothing per step once each outcome
 * and rule has been seen.
 */
class Tally implements OutcomeSink {
  steps = 0;
  partial = 0;
  readonly outcomes: Record<string, number> = {};
  readonly violations: Record<string, number> = everyRule();
  sequence: readonly SequenceStep[] = [];

  step(index: number, result: StepResult, bytes: number, _p: number, _c: boolean, rule?: string) {
    this.steps++;
    this.outcomes[result] = (this.outcomes[result] ?? 0) + 1;
    if (rule !== undefined) this.violations[rule]++;
    if (result === "mdl") {
      const step = this.sequence[index];
      if ("totalBytes" in step && bytes < step.totalBytes) this.partial++;
    }
  }
}

/**
 * A second simulator, for steps that pass an MDL of another backend instance.
 *
 * @example
 * ```ts
 * otherSimulator().close();
 * ```
 */
export function otherSimulator(): Backend {
  return new Simulator({ machine: FUZZ_MACHINE, seed: 99, captureAllocationSites: false });
}

/** What a shard needs: where it runs, what it generates, and its seed and size. */
export interface ShardTask {
  readonly index: number;
  readonly seed: number;
  readonly runs: number;
  readonly path?: string;
  readonly maxSteps: number;
  readonly faults: boolean;
  /** Milliseconds this shard may take at most (the rest of a `seconds` budget). */
  readonly timeLimitMs?: number;
}

/**
 * Runs one shard: `task.runs` sequences from fast-check seeded `task.seed`, on machines from
 * `pool` (or built by `backend` and closed after each run), checked by `checker`. fast-check
 * generates the runs first and they run machine by machine (`fuzz/grouped_runs.ts`); when one
 * fails, and for a replay (`task.path`), fast-check runs the shard itself, in its order, and
 * shrinks the first failure.
 *
 * @example
 * ```ts
 * import { MachinePool } from "./machine_pool.ts";
 * import { SequenceChecker } from "./run_sequence.ts";
 * using pool = new MachinePool(FUZZ_MACHINE);
 * const task = { index: 0, seed: 1, runs: 20, maxSteps: 12, faults: true };
 * runShard(task, { pool, checker: new SequenceChecker() }).failure; // undefined
 * ```
 */
export function runShard(
  task: ShardTask,
  where: {
    pool?: MachinePool;
    backend?: (conditions: FuzzConditions) => Backend;
    checker: SequenceChecker;
  },
): ShardResult {
  let tally = new Tally();
  const { pool, backend, checker } = where;
  const execute = (generated: GeneratedStep[], conditions: FuzzConditions) => {
    const sequence = concretize(generated);
    tally.sequence = sequence;
    if (pool !== undefined && backend === undefined) {
      checker.run(pool.acquire(conditions), sequence, tally);
      return;
    }
    const built = (backend ?? defaultBackend)(conditions);
    try {
      checker.run(built, sequence, tally);
    } finally {
      built.close();
    }
  };
  const property = (predicate: typeof execute) =>
    fc.property(
      sequenceArbitrary({ maxSteps: task.maxSteps }),
      conditionsArbitrary(task.faults),
      predicate,
    );
  const parameters = {
    numRuns: task.runs,
    seed: task.seed,
    path: task.path,
    interruptAfterTimeLimit: task.timeLimitMs,
    markInterruptAsFailure: false,
  };
  const started = performance.now();
  // The checker reads only each violation's rule: a stack per flagged call would cost more than
  // the call itself.
  return withoutViolationStacks(() => {
    if (task.path === undefined) {
      const runs: [GeneratedStep[], FuzzConditions][] = [];
      fc.check(property((g, c) => void runs.push([g, c])), parameters);
      const deadline = started + (task.timeLimitMs ?? Infinity);
      const stop = runGrouped(runs, ([, c]) => machineKey(c), ([g, c]) => execute(g, c), deadline);
      if (stop.failedAt < 0) return shardResult(task, stop.done, tally);
      // fast-check finds the first failing run in its own order and shrinks it.
      tally = new Tally();
      const details = fc.check(property(execute), {
        ...parameters,
        interruptAfterTimeLimit: undefined,
      });
      if (!details.failed || details.counterexample === null) {
        const [generated, conditions] = runs[stop.failedAt];
        return shardResult(task, details.numRuns, tally, {
          message: `${messageOf(stop.error)}\n(it passed when fast-check ran it alone: a run ` +
            "depends on the runs before it)",
          generated,
          conditions,
          seed: task.seed,
          path: String(stop.failedAt),
        });
      }
      return shardResult(task, details.numRuns, tally, failureOf(details));
    }
    const details = fc.check(property(execute), parameters);
    if (!details.failed || details.counterexample === null) {
      return shardResult(task, details.numRuns, tally);
    }
    return shardResult(task, details.numRuns, tally, failureOf(details));
  });
}

/** A failed run as generated, with the seed and path that replay it. */
interface FailedRun {
  readonly message: string;
  readonly generated: GeneratedStep[];
  readonly conditions: FuzzConditions;
  readonly seed: number;
  readonly path: string;
}

function failureOf(details: fc.RunDetails<[GeneratedStep[], FuzzConditions]>): FailedRun {
  const [generated, conditions] = details.counterexample!;
  const message = messageOf(details.errorInstance);
  return {
    message,
    generated,
    conditions,
    seed: details.seed,
    path: details.counterexamplePath ?? "",
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function shardResult(task: ShardTask, runs: number, tally: Tally, failed?: FailedRun): ShardResult {
  const { steps, outcomes, violations, partial } = tally;
  const result = { index: task.index, runs, steps, outcomes, violations, partial };
  if (failed === undefined) return result;
  const { message, conditions, seed, path } = failed;
  const sequence = concretize(failed.generated);
  const failure: FuzzFailure = {
    message,
    steps: sequence,
    conditions,
    seed,
    path,
    suiteCase: suiteCase(`fuzz: ${message.split("\n")[0]}`, FUZZ_MACHINE, conditions, sequence),
  };
  return { ...result, failure };
}

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
 * The shards of a run, in order: `runs` split into {@linkcode SHARD_RUNS}, or one shard replaying
 * `path` with `seed` itself. Infinite `runs` (a time-boxed campaign) gives shards without end.
 *
 * @example
 * ```ts
 * [...shardTasks({ seed: 3, runs: 2500, maxSteps: 12, faults: true })].map((t) => t.runs);
 * // [1000, 1000, 500]
 * ```
 */
export function* shardTasks(
  options: { seed: number; runs: number; maxSteps: number; faults: boolean; path?: string },
): Generator<ShardTask> {
  const { seed, runs, maxSteps, faults, path } = options;
  if (path !== undefined) {
    yield { index: 0, seed, runs, path, maxSteps, faults };
    return;
  }
  for (let index = 0; index * SHARD_RUNS < runs; index++) {
    const size = Math.min(SHARD_RUNS, runs - index * SHARD_RUNS);
    yield { index, seed: shardSeed(seed, index), runs: size, maxSteps, faults };
  }
}

/** Progress of a run, after each shard. */
export interface FuzzProgress {
  /** Sequences run so far. */
  readonly runs: number;
  /** Steps run so far. */
  readonly steps: number;
  /** Failures found so far. */
  readonly findings: number;
  /** Milliseconds since the run started. */
  readonly elapsedMs: number;
}

/**
 * Runs generated sequences in this thread and returns counts, or the shrunk failure. With
 * `seconds` and no `runs`, shards run until the time is up.
 *
 * @example
 * ```ts
 * const report = fuzz({ runs: 50, seed: 1 });
 * report.failure; // undefined: the simulator keeps every invariant
 * ```
 */
export function fuzz(
  options: FuzzOptions & { onProgress?: (p: FuzzProgress) => void } = {},
): FuzzReport {
  const { seconds, maxSteps = 12, faults = true, backend } = options;
  const runs = options.runs ?? (seconds === undefined || options.path ? 10_000 : Infinity);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const started = performance.now();
  const deadline = seconds === undefined ? Infinity : started + seconds * 1000;
  using pool = new MachinePool(FUZZ_MACHINE);
  const checker = new SequenceChecker({ otherBackend: otherSimulator });
  const merge = new ShardMerge();
  let runsDone = 0, stepsDone = 0;
  for (const task of shardTasks({ seed, runs, maxSteps, faults, path: options.path })) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    const limit = Number.isFinite(left) ? Math.ceil(left) : undefined;
    const result = runShard({ ...task, timeLimitMs: limit }, { pool, backend, checker });
    merge.add(result);
    runsDone += result.runs;
    stepsDone += result.steps;
    const findings = result.failure === undefined ? 0 : 1;
    options.onProgress?.({
      runs: runsDone,
      steps: stepsDone,
      findings,
      elapsedMs: performance.now() - started,
    });
    if (findings > 0) break;
  }
  return merge.report(seed);
}
