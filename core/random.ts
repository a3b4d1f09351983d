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
  // Kept as a signed 32-bit integer: every operation of mix reads its 32 bits alike, and a state
  // of 2^31 or more as an unsigned value would be a boxed heap number, stored anew each draw.
  let state = seed | 0;
  return () => mix(state = (state + STEP) | 0);
}

/** mulberry32's step: its state is a counter, each draw a hash of the next count. */
const STEP = 0x6d2b79f5;

function mix(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * The stream of {@linkcode seededRandom} that can be put back to an earlier position: a caller
 * may draw a number before it knows whether it needs it, and undo the draw if not.
 *
 * @example
 * ```ts
 * const random = new RewindableRandom(42);
 * const mark = random.position;
 * const first = random.next(); // seededRandom(42)()
 * random.rewind(mark);
 * random.next() === first; // true
 * ```
 */
export class RewindableRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed | 0;
  }

  /** The next draw, as seededRandom(seed)'s function gives it (a property: pass it as is). */
  readonly next = (): number => mix(this.#state = (this.#state + STEP) | 0);

  /** Where the stream is, for {@linkcode rewind}. */
  get position(): number {
    return this.#state;
  }

  /** Puts the stream back to `position`: the draws since are drawn again. */
  rewind(position: number): void {
    this.#state = position;
  }
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
  if (mean === 2) return halvingDraw;
  const log = Math.log(1 - 1 / mean);
  return (random) => 1 + Math.floor(Math.log(1 - random()) / log);
}

const LOG_HALF = Math.log(0.5);

/**
 * `geometric(random, 2)` mostly without a logarithm (one per run of the default placement). When
 * 1 - u is j / 2^32 for a whole j < 2^32 that is not a power of two (every draw of
 * {@linkcode seededRandom} but 1 in 2^27), log(1 - u) / log(1/2) = 32 - log2(j) lies strictly
 * inside (clz32(j), clz32(j) + 1), at least 3·10^-10 from both ends: far more than the few units
 * in the last place the logarithm and division round by, so the floor is clz32(j).
 */
function halvingDraw(random: () => number): number {
  const x = 1 - random();
  const j = x * 4294967296;
  if ((j >>> 0) === j && (j & (j - 1)) !== 0) return 1 + Math.clz32(j);
  return 1 + Math.floor(Math.log(x) / LOG_HALF);
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
  const draw = (u: number) => Math.min(max, Math.round(scale * u ** exponent));
  // The draw of u = 1 - random() is n where u lies between the u giving n + 0.5 and the one
  // giving n - 0.5: small draws are found by comparing u with those bounds instead of a power (half
  // of building a fragmented machine). A u within a relative 1e-7 of a bound takes the power,
  // whose rounding is far smaller, so every draw is the power's.
  const [clearlyAbove, clearlyBelow] = [[], []] as [number[], number[]];
  for (let n = 0; n < Math.min(max, PARETO_BOUNDS); n++) {
    const bound = ((n + 0.5) / scale) ** -alpha;
    clearlyAbove.push(bound * (1 + 1e-7));
    clearlyBelow.push(bound * (1 - 1e-7));
  }
  const bounds = clearlyAbove.length;
  return (random) => {
    const u = 1 - random();
    for (let n = 0; n < bounds; n++) {
      if (u > clearlyAbove[n]) return n;
      if (u >= clearlyBelow[n]) return draw(u);
    }
    return draw(u);
  };
}

/** Draws of {@linkcode paretoSampler} found by comparison: 0 to this minus 1. */
const PARETO_BOUNDS = 32;

/**
 * Draws lengths from `[length, count]` pairs in proportion to their counts (a measured
 * histogram): each draw is one run, so the runs a calibrated placement makes follow it.
 *
 * @example
 * ```ts
 * import { histogramSampler, seededRandom } from "./random.ts";
 * const draw = histogramSampler([[1, 3], [8, 1]]);
 * draw(seededRandom(1)); // 1 three times in four, else 8
 * ```
 */
export function histogramSampler(
  pairs: readonly (readonly [number, number])[],
): (random: () => number) => number {
  const lengths = pairs.map(([length]) => length);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, n] of pairs) cumulative.push(total += n);
  return (random) => {
    const x = random() * total;
    let a = 0;
    let b = cumulative.length - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (cumulative[m] > x) b = m;
      else a = m + 1;
    }
    return lengths[a];
  };
}
