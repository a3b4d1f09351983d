import assert from "node:assert/strict";
import { kolmogorovQ, ksTwoSample } from "./ks_test.ts";

Deno.test("kolmogorovQ matches the table: Q(1.36) ≈ 0.05, Q(1.63) ≈ 0.01, continuous at the switch", () => {
  assert.ok(Math.abs(kolmogorovQ(1.358) - 0.05) < 0.001, `${kolmogorovQ(1.358)}`);
  assert.ok(Math.abs(kolmogorovQ(1.628) - 0.01) < 0.0005, `${kolmogorovQ(1.628)}`);
  assert.ok(Math.abs(kolmogorovQ(1.1799) - kolmogorovQ(1.1801)) < 5e-4);
  assert.equal(kolmogorovQ(0), 1);
  assert.ok(kolmogorovQ(0.5) > 0.96 && kolmogorovQ(3) < 1e-6);
});

Deno.test("ksTwoSample: D with ties, agree for the same distribution, disagree for shifted ones", () => {
  assert.equal(ksTwoSample([1, 2, 2, 3], [1, 2, 2, 3]).statistic, 0);
  assert.equal(ksTwoSample([1, 1, 2, 3, 5], [8, 9, 9, 12, 13]).statistic, 1);
  // Ties: F after each distinct value: a = 1,1,2 → 2/3 at 1; b = 1,2,2 → 1/3 at 1.
  assert.ok(Math.abs(ksTwoSample([1, 1, 2], [1, 2, 2]).statistic - 1 / 3) < 1e-12);
  let s = 7;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const u1 = Array.from({ length: 2000 }, random);
  const u2 = Array.from({ length: 3000 }, random);
  assert.ok(ksTwoSample(u1, u2).agree);
  const shifted = u2.map((v) => v + 0.1);
  const r = ksTwoSample(u1, shifted);
  assert.ok(!r.agree && r.pValue < 1e-10 && Math.abs(r.statistic - 0.1) < 0.03, JSON.stringify(r));
});

Deno.test("ksTwoSample: bad input is a RangeError naming it", () => {
  assert.throws(() => ksTwoSample([], [1]), /non-empty samples, got sizes 0 and 1/);
  assert.throws(() => ksTwoSample([1], [1], 1), /alpha must be in \(0, 1\), got 1/);
  assert.throws(() => ksTwoSample([1, NaN], [1]), /a must hold finite numbers, got NaN/);
});
