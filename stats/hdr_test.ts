import assert from "node:assert/strict";
import {
  decodeHistogram,
  encodeSamples,
  hdrPercentile,
  mergeHistograms,
  percentileDistribution,
} from "./hdr.ts";
import { percentile } from "./latency.ts";
import { seededRandom } from "../core/random.ts";

Deno.test("HDR percentiles follow the one definition: exact below 2,048 ns, within 0.1 % above", () => {
  const small = [5, 1, 3, 2, 4, 1000, 17, 2000];
  for (const p of [1, 25, 50, 90, 99, 100]) {
    assert.equal(hdrPercentile(encodeSamples(small), p), percentile(small, p));
  }
  const random = seededRandom(3);
  const large = Array.from({ length: 5000 }, () => Math.round(1000 + random() * 5_000_000));
  for (const p of [50, 90, 99, 99.9]) {
    const exact = percentile(large, p)!;
    const approx = hdrPercentile(encodeSamples(large), p)!;
    assert.ok(Math.abs(approx - exact) / exact <= 0.001, `p${p}: ${approx} vs ${exact}`);
  }
});

Deno.test("merging histograms is exact: the same counts as one histogram of all samples", () => {
  const a = [100, 200, 300, 4_000_000];
  const b = [150, 250, 9_999_999];
  const merged = mergeHistograms([encodeSamples(a), encodeSamples(b)]);
  const whole = encodeSamples([...a, ...b]);
  assert.equal(decodeHistogram(merged).totalCount, 7);
  for (const p of [10, 50, 75, 99, 100]) {
    assert.equal(hdrPercentile(merged, p), hdrPercentile(whole, p));
  }
  assert.equal(percentileDistribution(merged), percentileDistribution(whole));
});

Deno.test("the encoding is compact and the standard distribution prints", () => {
  const samples = Array.from({ length: 10_000 }, (_, i) => 1000 + (i % 500) * 10);
  const encoded = encodeSamples(samples);
  assert.ok(encoded.length < 2000, `encoded in ${encoded.length} characters`);
  const text = percentileDistribution(encoded);
  assert.match(text, /Value\s+Percentile\s+TotalCount/);
  assert.match(text, /Total count\s+=\s+10000/);
});

Deno.test("bad input is refused naming the problem", () => {
  assert.throws(() => decodeHistogram("not-a-histogram"), /not an encoded HDR histogram/);
  assert.throws(() => encodeSamples([-1]), /non-negative/);
  assert.equal(hdrPercentile(encodeSamples([]), 50), null);
});
