import assert from "node:assert/strict";
import { seededRandom } from "../core/random.ts";
import { histogram, logHistogram, percentile, summarize } from "./latency.ts";

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

Deno.test("percentiles interpolate linearly between samples, as summarize's do", () => {
  const samples = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
  assert.equal(percentile(samples, 50), 505);
  assert.ok(Math.abs(percentile(samples, 99)! - 990.1) < 1e-9);
  assert.equal(percentile(samples, 100), 1000);
  assert.equal(percentile(samples, 99), summarize(samples).p99);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile([1], 0), RangeError);
});

Deno.test("histogram buckets cover min to max and count every sample", () => {
  const buckets = histogram([1, 2, 2, 9], 4);
  assert.deepEqual(buckets.map((b) => b.count), [3, 0, 0, 1]);
  assert.equal(buckets[0].lowNs, 1);
  assert.equal(buckets[3].highNs, 9);
  assert.deepEqual(histogram([5, 5, 5]), [{ lowNs: 5, highNs: 6, count: 3 }]);
  const many = histogram(Array.from({ length: 200_000 }, (_, i) => i % 1000));
  assert.equal(many.reduce((n, b) => n + b.count, 0), 200_000);
});
