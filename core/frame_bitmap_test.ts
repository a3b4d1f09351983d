import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { FrameBitmap } from "./frame_bitmap.ts";

/** Reference answer for findRun by brute force over a plain boolean array. */
function bruteFindRun(free: boolean[], count: number, lo: number, hi: number, align: number) {
  for (let s = Math.ceil(lo / align) * align; s + count <= hi; s += align) {
    let ok = true;
    for (let f = s; f < s + count && ok; f++) ok = free[f];
    if (ok) return s;
  }
  return -1;
}

Deno.test("takeAscending takes the lowest free frames inside [lo, hi)", () => {
  const frames = new FrameBitmap(4096);
  frames.setRange(100, 50, true);
  frames.setRange(1000, 10, true);
  const out: number[] = [];
  assert.equal(frames.takeAscending(120, 1005, 100, out, 0), 35);
  assert.deepEqual(out.slice(0, 3), [120, 121, 122]);
  assert.deepEqual(out.slice(30), [1000, 1001, 1002, 1003, 1004]);
  assert.equal(frames.freeCount, 60 - 35);
  assert.ok(frames.isFree(119) && frames.isFree(1005) && !frames.isFree(120));
});

Deno.test("release restores frames and rejects a frame that is already free", () => {
  const frames = new FrameBitmap(1024);
  frames.setRange(0, 1024, true);
  const out: number[] = [];
  frames.takeAscending(0, 1024, 40, out, 0);
  assert.throws(() => frames.release([5, 500], 2), /frame 500 is not an allocated frame/);
  assert.equal(frames.freeCount, 1024 - 40, "a rejected release changes nothing");
  frames.release(out, 40);
  assert.equal(frames.freeCount, 1024);
});

Deno.test("a release rejected at its last frames leaves words and summaries as they were", () => {
  const frames = new FrameBitmap(4096);
  frames.setRange(0, 4096, true);
  const taken: number[] = [];
  frames.takeAscending(0, 4096, 2000, taken, 0); // words 0–61 emptied, word 62 in part
  const before = frames.saveState();
  for (const bad of [[...taken, 3000], [...taken, 7], [...taken, 4096]]) {
    assert.throws(() => frames.release(bad, bad.length), /is not an allocated frame/);
    assert.deepEqual(frames.saveState(), before);
    // The free-frame searches read the summaries: the first free run is found as before.
    assert.equal(frames.findRun(64, 0, 4096), 2000);
  }
  frames.release(taken, taken.length);
  assert.equal(frames.freeCount, 4096);
});

Deno.test("findRun agrees with brute force on random bitmaps (short, long and aligned runs)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(8191), fc.integer({ min: 1, max: 700 }), fc.boolean()), {
        maxLength: 40,
      }),
      fc.integer({ min: 1, max: 600 }),
      fc.nat(8191),
      fc.nat(8191),
      fc.constantFrom(1, 2, 16, 64, 512),
      (ops, count, a, b, align) => {
        const n = 8192;
        const frames = new FrameBitmap(n);
        const free = new Array<boolean>(n).fill(false);
        frames.setRange(0, n, true);
        free.fill(true);
        for (const [start, len, isFree] of ops) {
          const c = Math.min(len, n - start);
          frames.setRange(start, c, isFree);
          for (let f = start; f < start + c; f++) free[f] = isFree;
        }
        const lo = Math.min(a, b);
        const hi = Math.max(a, b) + 1;
        assert.equal(
          frames.findRun(count, lo, hi, align),
          bruteFindRun(free, count, lo, hi, align),
        );
        assert.equal(frames.freeCount, free.filter(Boolean).length);
      },
    ),
    { numRuns: 400, seed: 7 },
  );
});

Deno.test("findRun finds a run spanning many full words next to partial words", () => {
  const frames = new FrameBitmap(1 << 16);
  frames.setRange(40_003, 2000, true);
  assert.equal(frames.findRun(2000, 0, 1 << 16), 40_003);
  assert.equal(frames.findRun(2001, 0, 1 << 16), -1);
  assert.equal(frames.findRun(512, 0, 1 << 16, 512), 40_448);
  assert.equal(frames.findRun(1000, 40_004, 41_004), 40_004);
  assert.equal(frames.findRun(1000, 40_004, 41_003), -1);
});

Deno.test("short runs (< 64 frames) agree with brute force on finely fragmented bitmaps", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 0xffff_ffff }),
      fc.constantFrom(0.3, 0.6, 0.85, 0.97),
      fc.integer({ min: 1, max: 63 }),
      fc.nat(4095),
      fc.nat(4095),
      fc.constantFrom(1, 1, 1, 2, 8),
      (seed, density, count, a, b, align) => {
        const n = 4096;
        const frames = new FrameBitmap(n);
        const free = new Array<boolean>(n);
        let x = seed;
        for (let f = 0; f < n; f++) {
          x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
          free[f] = x / 2 ** 32 > density;
          if (free[f]) frames.setRange(f, 1, true);
        }
        const lo = Math.min(a, b);
        const hi = Math.max(a, b) + 1;
        assert.equal(
          frames.findRun(count, lo, hi, align),
          bruteFindRun(free, count, lo, hi, align),
        );
      },
    ),
    { numRuns: 1500, seed: 11 },
  );
});

Deno.test("release that fills a word (bit 31 included) keeps the full-word summary for long runs", () => {
  const frames = new FrameBitmap(256);
  frames.setRange(0, 256, true);
  const out = new Uint32Array(256);
  frames.takeAscending(0, 256, 256, out, 0);
  frames.release(out.subarray(96, 112), 16);
  // Word 3 (frames 96..127) was partly free and is now full: the run of words 1..5 is found.
  frames.release(out.subarray(32, 96), 64);
  frames.release(out.subarray(112, 192), 80);
  assert.equal(frames.findRun(140, 0, 256), 32);
});

Deno.test("releaseRun frees a run as release does, and refuses one with a free frame, changing nothing", () => {
  const a = new FrameBitmap(4096);
  const b = new FrameBitmap(4096);
  a.setRange(0, 4096, true);
  b.setRange(0, 4096, true);
  const out = new Uint32Array(700);
  for (const [start, count] of [[5, 700], [1000, 32], [2048, 64], [4000, 96]]) {
    a.takeRun(start, count, out, 0);
    b.takeRun(start, count, out, 0);
    a.releaseRun(start, count);
    b.release(out, count);
    assert.deepEqual(a.saveState(), b.saveState(), `run ${start}+${count}`);
  }
  a.takeRun(100, 50, out, 0);
  a.setRange(120, 1, true);
  const before = a.saveState();
  assert.throws(() => a.releaseRun(100, 50), /frame 120 is not an allocated frame/);
  assert.throws(() => a.releaseRun(4090, 10), /frame 4090 is not an allocated frame/);
  assert.deepEqual(a.saveState(), before);
});
