import assert from "node:assert/strict";
import {
  geometric,
  geometricSampler,
  paretoSampler,
  RewindableRandom,
  seededRandom,
} from "./random.ts";

Deno.test("geometricSampler(2) draws as geometric(random, 2), powers of two and their neighbours included", () => {
  const draw = geometricSampler(2);
  const a = seededRandom(3);
  const b = seededRandom(3);
  for (let i = 0; i < 200_000; i++) assert.equal(draw(a), geometric(b, 2));
  const values = [0, 0.5, 0.25, 0.75, Math.random(), 1 - 2 ** -53, 0.1, 1 / 3];
  for (let k = 0; k <= 32; k++) {
    for (const j of [2 ** k - 1, 2 ** k, 2 ** k + 1]) {
      if (j >= 1 && j <= 2 ** 32) values.push(1 - j / 2 ** 32);
    }
  }
  for (const u of values) assert.equal(draw(() => u), geometric(() => u, 2), `u = ${u}`);
});

Deno.test("seededRandom draws mulberry32's numbers, seeds of 2^31 and above included", () => {
  const mulberry32 = (seed: number) => {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };
  for (const seed of [0, 1, 42, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x5eed_91ac ^ 1]) {
    const a = seededRandom(seed);
    const b = mulberry32(seed);
    for (let i = 0; i < 20_000; i++) assert.equal(a(), b(), `seed ${seed}, draw ${i}`);
  }
});

Deno.test("RewindableRandom draws as seededRandom, and draws again what it was rewound over", () => {
  const plain = seededRandom(0x9000_0001);
  const stream = new RewindableRandom(0x9000_0001);
  for (let i = 0; i < 1000; i++) {
    const mark = stream.position;
    const drawn = [stream.next(), stream.next()];
    if (i % 3 === 0) {
      stream.rewind(mark);
      assert.deepEqual([stream.next(), stream.next()], drawn);
    }
    assert.deepEqual(drawn, [plain(), plain()]);
  }
});

Deno.test("paretoSampler's draws are the power formula's, also for u at and next to each bound", () => {
  const alpha = 1.25;
  for (const mean of [4, 4 * 0.7 / 0.3, 4, 4 * 0.1 / 0.9, 0.05, 300]) {
    const scale = mean * (alpha - 1) / alpha;
    const formula = (u: number) => Math.min(1 << 20, Math.round(scale * u ** (-1 / alpha)));
    const sampler = paretoSampler(mean, alpha, 1 << 20);
    // r is what random() returns; both sides draw from u = 1 - r.
    const check = (r: number) => assert.equal(sampler(() => r), formula(1 - r), `${mean}, ${r}`);
    const random = seededRandom(7);
    for (let i = 0; i < 200_000; i++) check(random());
    for (let n = 0; n < 40; n++) {
      const bound = ((n + 0.5) / scale) ** -alpha;
      for (const u of [bound, bound * (1 + 1e-15), bound * (1 - 1e-15), bound * (1 + 2e-7)]) {
        if (u > 0 && u <= 1) check(1 - u);
      }
    }
  }
});
