import assert from "node:assert/strict";
import type { FuzzFailure, ShardResult } from "./fuzz_report.ts";
import { everyRule, mergeShards, ShardMerge } from "./shard_merge.ts";

const shard = (index: number, failure?: FuzzFailure): ShardResult => ({
  index,
  runs: 10,
  steps: 50 + index,
  outcomes: { mdl: 20, [`only-${index}`]: 1 },
  violations: { "double-free": index },
  partial: 1,
  ...(failure === undefined ? {} : { failure }),
});

Deno.test("shard merge: counts in index order whatever the arrival order, up to a failure", () => {
  const failure = { message: "x" } as FuzzFailure;
  const orders = [[0, 1, 2, 3], [3, 1, 2, 0], [2, 0, 3, 1]];
  for (const order of orders) {
    const merge = new ShardMerge();
    for (const i of order) merge.add(shard(i, i === 2 ? failure : undefined));
    const report = merge.report(9);
    assert.equal(report.runs, 30, `order ${order}: shard 3 comes after the failing shard 2`);
    assert.equal(report.steps, 50 + 51 + 52);
    assert.deepEqual(report.violations, { ...everyRule(), "double-free": 3 });
    assert.deepEqual(Object.keys(report.outcomes), ["mdl", "only-0", "only-1", "only-2"]);
    assert.equal(report.failure, failure);
  }
});

Deno.test("shard merge: a missing shard (a time budget ran out) does not hold back later ones", () => {
  const merge = new ShardMerge();
  merge.add(shard(0));
  merge.add(shard(2));
  assert.equal(merge.report(1).runs, 20);
  assert.deepEqual(mergeShards(1, [shard(2), shard(0)]), merge.report(1));
});

Deno.test("shard merge: outcome counts are listed in one order, whatever order runs met them", () => {
  const merge = new ShardMerge();
  const counts = { runs: 1, steps: 3, violations: {}, partial: 0 };
  merge.add({ index: 0, ...counts, outcomes: { "no-leaks": 1, freed: 1, mdl: 1 } });
  merge.add({ index: 1, ...counts, outcomes: { skipped: 2, null: 1 } });
  assert.deepEqual(Object.keys(merge.report(1).outcomes), [
    "mdl",
    "null",
    "freed",
    "skipped",
    "no-leaks",
  ]);
});
