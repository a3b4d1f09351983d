import assert from "node:assert/strict";
import { seededRandom } from "../core/random.ts";
import { compareSamples, mannWhitneyU } from "./compare.ts";
import { logHistogram, summarize } from "./statistics.ts";

Deno.test("summarize: exact percentiles, far outliers counted not trimmed", () => {
  const samples = Array.from({ length: 1000 }, (_, i) => 1000 + i);
  samples.push(1_000_000);
  const s = summarize(samples);
  assert.equal(s.count, 1001);
  assert.equal(s.min, 1000);
  assert.equal(s.max, 1_000_000);
  assert.equal(s.outliers, 1);
  assert.ok(s.p50 >= 1499 && s.p50 <= 1501, `p50 ${s.p50}`);
  assert.ok(s.p99 >= 1980 && s.p99 <= 2000, `p99 ${s.p99}`);
  assert.ok(s.medianCi[0] <= s.p50 && s.p50 <= s.medianCi[1]);
  assert.ok(s.medianCiRelativeWidth < 0.1);
  assert.ok(s.mean > s.p50, "the outlier pulls the mean, not the median");
});

Deno.test("summarize rejects empty and non-finite samples", () => {
  assert.throws(() => summarize([]), /must not be empty/);
  assert.throws(() => summarize([1, NaN]), /finite/);
});

Deno.test("the bootstrap interval narrows with more samples and is reproducible", () => {
  const random = seededRandom(3);
  const draw = (n: number) => Array.from({ length: n }, () => 1000 + 200 * random());
  const small = summarize(draw(20));
  const large = summarize(draw(2000));
  assert.ok(large.medianCiRelativeWidth < small.medianCiRelativeWidth);
  assert.deepEqual(summarize(draw(50), { seed: 5 }).medianCi.length, 2);
  const fixed = draw(100);
  assert.deepEqual(summarize(fixed).medianCi, summarize(fixed).medianCi);
});

Deno.test("logHistogram keeps empty buckets between samples and counts every sample", () => {
  const buckets = logHistogram([100, 150, 1000, 12000], 2);
  assert.deepEqual(buckets.map((b) => b.count), [2, 0, 1, 0, 1]);
  assert.equal(buckets[0].lowNs, 100);
  assert.deepEqual(logHistogram([0, -1]), []);
});

Deno.test("Mann-Whitney U: separated samples differ, same distribution does not", () => {
  const separated = mannWhitneyU([10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25]);
  assert.ok(separated.p < 0.01);
  assert.equal(separated.effect, 1);
  // Same distribution: p < 0.05 in about 5 % of trials, no more (the test is calibrated).
  let significant = 0;
  for (let seed = 0; seed < 200; seed++) {
    const random = seededRandom(seed);
    const a = Array.from({ length: 100 }, () => random());
    const b = Array.from({ length: 100 }, () => random());
    if (mannWhitneyU(a, b).p < 0.05) significant++;
  }
  assert.ok(significant >= 2 && significant <= 20, `${significant} of 200`);
  // All ties: no evidence either way.
  assert.equal(mannWhitneyU([5, 5, 5], [5, 5]).p, 1);
});

Deno.test("compareSamples: slower, faster, no change, and the regression threshold", () => {
  const base = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100];
  const slow = base.map((v) => v * 1.2);
  const slightlySlow = base.map((v) => v + 2);
  assert.equal(compareSamples(base, slow).verdict, "slower");
  assert.equal(compareSamples(base, slow).regression, true);
  assert.equal(compareSamples(slow, base).verdict, "faster");
  assert.equal(compareSamples(base, [...base].reverse()).verdict, "no significant change");
  const small = compareSamples(base, slightlySlow, { alpha: 0.05 });
  assert.equal(small.verdict, "slower");
  assert.equal(small.regression, false, "2 % slower is below the 5 % threshold");
  // A 0.5 % shift with very little noise: significant, yet below the minimum effect.
  const steady = Array.from({ length: 30 }, (_, i) => 1000 + (i % 3));
  const tiny = steady.map((v) => v + 5);
  assert.ok(compareSamples(steady, tiny).test.p < 0.001);
  assert.equal(
    compareSamples(steady, tiny).verdict,
    "no significant change",
    "a 0.5 % shift is below the minimum effect",
  );
});

Deno.test("p-values are not floored by a table: strong evidence shows as a tiny p", () => {
  const a = Array.from({ length: 500 }, (_, i) => i);
  const b = a.map((v) => v + 400);
  assert.ok(mannWhitneyU(a, b).p < 1e-6);
});
