/**
 * The two-sample Kolmogorov–Smirnov test: the largest distance between two empirical
 * distribution functions, with the p-value from the asymptotic Kolmogorov distribution. Used by
 * the placement cross-check (simulated vs host run lengths) and the benchmarks.
 *
 * @module
 */

/**
 * Result of {@linkcode ksTwoSample}.
 *
 * @example
 * ```ts
 * const r: KsResult = ksTwoSample([1, 2, 3], [1, 2, 3], 0.01);
 * r.agree; // true
 * ```
 */
export interface KsResult {
  /** D = sup |F₁(x) − F₂(x)|. */
  readonly statistic: number;
  /** P(D ≥ observed) under "same distribution", asymptotic: Q_KS(√(nm/(n+m)) · D). */
  readonly pValue: number;
  /** Size of the first sample. */
  readonly n: number;
  /** Size of the second sample. */
  readonly m: number;
  /** The significance level the verdict uses. */
  readonly alpha: number;
  /** The samples are not distinguishable at `alpha` (pValue ≥ alpha). */
  readonly agree: boolean;
}

/**
 * Two-sample KS test of `a` against `b` at level `alpha` (default 0.01). Ties are handled by
 * comparing the distribution functions after each distinct value; for discrete data such as run
 * lengths the asymptotic p-value is conservative (it overstates p).
 *
 * @example
 * ```ts
 * const r = ksTwoSample([1, 1, 2, 3, 5], [8, 9, 9, 12, 13]);
 * r.statistic; // 1
 * r.agree; // false at α = 0.01? p ≈ 0.0069, so false
 * ```
 */
export function ksTwoSample(
  a: readonly number[],
  b: readonly number[],
  alpha = 0.01,
): KsResult {
  if (a.length === 0 || b.length === 0) {
    throw new RangeError(
      `ksTwoSample needs two non-empty samples, got sizes ${a.length} and ${b.length}`,
    );
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  for (const [name, sample] of [["a", a], ["b", b]] as const) {
    const bad = sample.find((x) => !Number.isFinite(x));
    if (bad !== undefined) throw new RangeError(`${name} must hold finite numbers, got ${bad}`);
  }
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const pValue = kolmogorovQ(Math.sqrt((n * m) / (n + m)) * d);
  return { statistic: d, pValue, n, m, alpha, agree: pValue >= alpha };
}

/**
 * The Kolmogorov distribution's survival function Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}, with
 * the theta-function form 1 − (√(2π)/λ) Σ e^{−(2j−1)²π²/(8λ²)} for small λ where the first
 * series converges slowly.
 *
 * @example
 * ```ts
 * kolmogorovQ(1.36); // ≈ 0.049
 * ```
 */
export function kolmogorovQ(lambda: number): number {
  if (!(lambda >= 0)) throw new RangeError(`lambda must be ≥ 0, got ${lambda}`);
  if (lambda < 1e-8) return 1;
  if (lambda < 1.18) {
    const k = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let j = 1; j <= 8; j++) sum += Math.exp(k * (2 * j - 1) ** 2);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
