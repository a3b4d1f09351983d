import assert from "node:assert/strict";
import { seededRandom } from "../core/random.ts";
import { judgeBudget, quantileInterval, samplesToBound } from "./budget_verdict.ts";

Deno.test("samplesToBound: the fewest samples whose order statistics bound the percentile", () => {
  assert.equal(samplesToBound(50), 6);
  assert.equal(samplesToBound(99), 368); // 0.99^368 ≤ 0.025 < 0.99^367
  const ramp = Array.from({ length: 368 }, (_, i) => i);
  assert.notEqual(quantileInterval(ramp, 99).upper, null);
  assert.equal(quantileInterval(ramp.slice(1), 99).upper, null);
});

Deno.test("quantileInterval covers the true p99 of an exponential at least 95 % of the time", () => {
  const random = seededRandom(11);
  const trueP99 = -Math.log(0.01); // exponential with mean 1
  let covered = 0;
  const trials = 400;
  for (let t = 0; t < trials; t++) {
    const samples = Array.from({ length: 500 }, () => -Math.log(1 - random()));
    const ci = quantileInterval(samples, 99);
    if (ci.lower! <= trueP99 && trueP99 <= ci.upper!) covered++;
  }
  // Exact order-statistic intervals are conservative: at n = 500 this one covers 98.75 %.
  assert.ok(covered / trials >= 0.965, `coverage ${covered / trials}`);
});

Deno.test("judgeBudget: pass, fail and inconclusive come from the interval", () => {
  const random = seededRandom(5);
  const samples = Array.from({ length: 1000 }, () => 1000 + 1000 * random()); // 1–2 µs
  assert.equal(judgeBudget(samples, { percentile: 99, budgetNs: 2000 }).verdict, "pass");
  assert.equal(judgeBudget(samples, { percentile: 99, budgetNs: 1 }).verdict, "fail");
  const straddling = judgeBudget(samples, { percentile: 99, budgetNs: 1990 });
  assert.equal(straddling.verdict, "inconclusive");
  assert.match(straddling.reason!, /straddles/);
  // A tolerance widens the limit, not the interval.
  assert.equal(judgeBudget(samples, { percentile: 99, budgetNs: 1800 }).verdict, "fail");
  assert.equal(
    judgeBudget(samples, { percentile: 99, budgetNs: 1800, tolerance: 0.2 }).verdict,
    "pass",
  );
});

Deno.test("judgeBudget: too few samples never pass or fail, however far from the budget", () => {
  const fifty = Array.from({ length: 50 }, () => 4_171_200);
  for (const budgetNs of [1, 500_000, 1e12]) {
    const judged = judgeBudget(fifty, { percentile: 99, budgetNs });
    assert.equal(judged.verdict, "inconclusive");
    assert.match(judged.reason!, /too few samples to estimate p99: 50 of the 368/);
  }
});
