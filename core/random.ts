/**
 * A small seeded pseudo-random generator (mulberry32): the simulator must give identical frame
 * numbers for the same seed, so `Math.random` is never used.
 *
 * @module
 */

/**
 * Returns a function yielding uniform numbers in [0, 1), fully determined by `seed`.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // the same value on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A geometric draw with the given mean (≥ 1): the length of a run of pages.
 *
 * @example
 * ```ts
 * geometric(seededRandom(1), 4); // an integer ≥ 1 averaging 4
 * ```
 */
export function geometric(random: () => number, mean: number): number {
  if (mean <= 1) return 1;
  const p = 1 / mean;
  return 1 + Math.floor(Math.log(1 - random()) / Math.log(1 - p));
}

/**
 * A geometric sampler with the given mean (≥ 1): the same draws as {@linkcode geometric}, with
 * its logarithm computed once.
 *
 * @example
 * ```ts
 * const draw = geometricSampler(4);
 * draw(seededRandom(1)) === geometric(seededRandom(1), 4); // true
 * ```
 */
export function geometricSampler(mean: number): (random: () => number) => number {
  if (mean <= 1) return () => 1;
  const log = Math.log(1 - 1 / mean);
  return (random) => 1 + Math.floor(Math.log(1 - random()) / log);
}

/**
 * A heavy-tailed (Pareto, tail index `alpha` > 1) sampler of run lengths with the given mean,
 * rounded to whole pages and capped at `max`: P(length ≥ x) ≈ (mean·(α−1)/(α·x))^α. With a mean
 * below 1 most draws are 0 (no run at all).
 *
 * @example
 * ```ts
 * const draw = paretoSampler(4, 1.25, 1 << 20);
 * draw(seededRandom(1)); // an integer ≥ 0 averaging about 4
 * ```
 */
export function paretoSampler(
  mean: number,
  alpha: number,
  max: number,
): (random: () => number) => number {
  const scale = mean * (alpha - 1) / alpha;
  const exponent = -1 / alpha;
  return (random) => Math.min(max, Math.round(scale * (1 - random()) ** exponent));
}
