/**
 * Merging shard results into one report, in shard order up to the first failing shard, so that
 * the report is the same whichever worker ran which shard and however many there were. Results
 * are folded as they arrive: a campaign of millions of steps keeps no list of them.
 *
 * @module
 */

import { type ViolationRuleId, ViolationRules } from "../core/violations.ts";
import type { FuzzFailure, FuzzReport, ShardResult } from "./fuzz_report.ts";
import { STEP_RESULTS } from "./outcomes.ts";

/**
 * Every rule id of `ViolationRules` with a count of 0, in the table's order.
 *
 * @example
 * ```ts
 * everyRule()["foreign-mdl"]; // 0
 * ```
 */
export function everyRule(): Record<ViolationRuleId, number> {
  const counts = {} as Record<ViolationRuleId, number>;
  for (const rule of Object.values(ViolationRules)) counts[rule.id] = 0;
  return counts;
}

/**
 * Shard results folded into running counts in index order; a result that arrives before an
 * earlier shard's waits (at most one per other worker), and nothing after the first failing
 * shard counts.
 *
 * @example
 * ```ts
 * const merge = new ShardMerge();
 * const counts = { runs: 10, steps: 50, outcomes: { mdl: 20 }, violations: {}, partial: 0 };
 * merge.add({ index: 1, ...counts });
 * merge.add({ index: 0, ...counts });
 * merge.report(7).steps; // 100
 * ```
 */
export class ShardMerge {
  readonly #waiting = new Map<number, ShardResult>();
  #next = 0;
  #runs = 0;
  #steps = 0;
  #partial = 0;
  readonly #outcomes: Record<string, number> = {};
  readonly #violations: Record<string, number> = everyRule();
  #failure: FuzzFailure | undefined;

  /** Counts `result` once every shard before it has been counted. */
  add(result: ShardResult): void {
    if (this.#failure !== undefined) return;
    this.#waiting.set(result.index, result);
    for (
      let r = this.#waiting.get(this.#next);
      r !== undefined;
      r = this.#waiting.get(this.#next)
    ) {
      this.#waiting.delete(this.#next++);
      if (!this.#fold(r)) return;
    }
  }

  /** The report so far; shards still waiting for an earlier one count too, in index order. */
  report(seed: number): FuzzReport {
    const late = [...this.#waiting.values()].sort((a, b) => a.index - b.index);
    for (const r of late) if (!this.#fold(r)) break;
    this.#waiting.clear();
    const report = {
      seed,
      runs: this.#runs,
      steps: this.#steps,
      outcomes: inReportOrder(this.#outcomes),
      violations: { ...this.#violations },
      partial: this.#partial,
    };
    return this.#failure === undefined ? report : { ...report, failure: this.#failure };
  }

  /** Adds one shard's counts; false once it failed (later shards do not count). */
  #fold(r: ShardResult): boolean {
    if (this.#failure !== undefined) return false;
    this.#runs += r.runs;
    this.#steps += r.steps;
    this.#partial += r.partial;
    for (const [k, v] of Object.entries(r.outcomes)) {
      this.#outcomes[k] = (this.#outcomes[k] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(r.violations)) {
      this.#violations[k] = (this.#violations[k] ?? 0) + v;
    }
    this.#failure = r.failure;
    return r.failure === undefined;
  }
}

/**
 * Merges shard results into one report: shards in index order up to the first failing one.
 *
 * @example
 * ```ts
 * mergeShards(7, []).runs; // 0
 * ```
 */
export function mergeShards(seed: number, results: readonly ShardResult[]): FuzzReport {
  const merge = new ShardMerge();
  for (const r of results) merge.add(r);
  return merge.report(seed);
}

/** The counts of `outcomes` keyed in {@linkcode STEP_RESULTS} order, unseen results left out. */
function inReportOrder(outcomes: Record<string, number>): Record<string, number> {
  const ordered: Record<string, number> = {};
  for (const k of STEP_RESULTS) if (outcomes[k] !== undefined) ordered[k] = outcomes[k];
  return { ...ordered, ...outcomes };
}
