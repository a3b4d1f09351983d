import assert from "node:assert/strict";
import { runGrouped } from "./grouped_runs.ts";

Deno.test("runGrouped runs each machine's runs together, in generation order within a group", () => {
  const order: string[] = [];
  const runs = ["a1", "b1", "a2", "c1", "b2", "a3"];
  const stop = runGrouped(runs, (r) => r[0], (r) => void order.push(r));
  assert.deepEqual(order, ["a1", "a2", "a3", "b1", "b2", "c1"]);
  assert.deepEqual(stop, { done: 6, failedAt: -1, error: undefined });
});

Deno.test("runGrouped stops at the first run that throws and names its generation index", () => {
  const boom = new Error("boom");
  const order: string[] = [];
  const stop = runGrouped(["a1", "b1", "a2", "b2"], (r) => r[0], (r) => {
    if (r === "b1") throw boom;
    order.push(r);
  });
  assert.deepEqual(order, ["a1", "a2"]);
  assert.deepEqual(stop, { done: 2, failedAt: 1, error: boom });
});

Deno.test("runGrouped runs nothing once the deadline has passed", () => {
  let calls = 0;
  const stop = runGrouped([1, 2, 3], () => 0, () => void calls++, performance.now() - 1);
  assert.equal(calls, 0);
  assert.deepEqual(stop, { done: 0, failedAt: -1, error: undefined });
});
