/**
 * What a fuzz run reports: its counts, the shrunk failure with the conditions it fails under,
 * and one shard's share of both, as workers send them back and `ShardMerge` folds them.
 *
 * @example
 * ```ts
 * import type { FuzzReport } from "./fuzz_report.ts";
 * const empty: FuzzReport = { seed: 1, runs: 0, steps: 0, outcomes: {}, violations: {}, partial: 0 };
 * empty.failure; // undefined
 * ```
 *
 * @module
 */

import type { FaultOptions } from "../core/faults.ts";
import type { CaseInput } from "../suites/schema.ts";
import type { SequenceStep } from "./sequence.ts";

/** The simulator configuration of one generated run. */
export interface FuzzConditions {
  /** Fraction (0–1) of the machine's RAM used by others: 0, 0.3 or 0.9. */
  readonly fragmentation: number;
  /** The simulator's seed for this run. */
  readonly seed: number;
  /** Faults injected in this run; empty when fault injection is off. */
  readonly faults: FaultOptions;
}

/** What a fuzz run, or one shard of it, counted. */
export interface FuzzCounts {
  /** Sequences run; fewer than asked when `seconds` ran out or one failed. */
  readonly runs: number;
  /** Calls made over all sequences, shrinking included. */
  readonly steps: number;
  /** Outcome counts over all steps, e.g. `{ mdl: 900, null: 40, violation: 75 }`. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Violations raised (and expected) per rule: every id of `ViolationRules`, 0 when unreached. */
  readonly violations: Readonly<Record<string, number>>;
  /** Allocations that came back smaller than asked. */
  readonly partial: number;
  /** The shrunk failing sequence; absent when every invariant held. */
  readonly failure?: FuzzFailure;
}

/** The outcome of a fuzz run. */
export interface FuzzReport extends FuzzCounts {
  /** Seed of the whole run, given or drawn; pass it again to replay. */
  readonly seed: number;
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

/** One shard's counts, or its shrunk failure; what a worker sends back. */
export interface ShardResult extends FuzzCounts {
  /** The shard's place in the run: results merge in this order. */
  readonly index: number;
}
