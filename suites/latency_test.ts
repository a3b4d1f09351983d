import assert from "node:assert/strict";
import { histogram, percentile } from "./latency.ts";

Deno.test("nearest-rank percentiles are always a sample that occurred", () => {
  const samples = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
  assert.equal(percentile(samples, 50), 500);
  assert.equal(percentile(samples, 99), 990);
  assert.equal(percentile(samples, 100), 1000);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile([1], 0), RangeError);
});

Deno.test("histogram buckets cover min to max and count every sample", () => {
  const buckets = histogram([1, 2, 2, 9], 4);
  assert.deepEqual(buckets.map((b) => b.count), [3, 0, 0, 1]);
  assert.equal(buckets[0].fromNs, 1);
  assert.equal(buckets[3].toNs, 9);
  assert.deepEqual(histogram([5, 5, 5]), [{ fromNs: 5, toNs: 6, count: 3 }]);
  const many = histogram(Array.from({ length: 200_000 }, (_, i) => i % 1000));
  assert.equal(many.reduce((n, b) => n + b.count, 0), 200_000);
});
