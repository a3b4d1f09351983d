import assert from "node:assert/strict";
import { seededRandom } from "../core/random.ts";
import { compareSamples, mannWhitneyU } from "./compare.ts";

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
