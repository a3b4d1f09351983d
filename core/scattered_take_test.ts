import assert from "node:assert/strict";
import { FrameBitmap } from "./frame_bitmap.ts";
import { LAZY_REGION_SHIFT, LazyFrameBitmap } from "./lazy_frame_bitmap.ts";
import { seededRandom } from "./random.ts";
import { BATCH_RUNS, RunBatch } from "./scattered_take.ts";
import { WordGroups } from "./word_groups.ts";

const REGION = 1 << LAZY_REGION_SHIFT;
const FRAMES = 40 * REGION + 77;

/** Occupation of one region: runs of 1–4 used frames with gaps of 0–40, from the region's seed. */
function fill(region: number, occupy: (s: number, n: number) => void): void {
  const random = seededRandom(region + 1);
  const end = Math.min(FRAMES, (region + 1) * REGION);
  for (let f = region * REGION + Math.floor(random() * 40); f < end;) {
    const n = Math.min(1 + Math.floor(random() * 4), end - f);
    occupy(f, n);
    f += n + Math.floor(random() * 40);
  }
}

function eager(): FrameBitmap {
  const bitmap = new FrameBitmap(FRAMES);
  bitmap.setRange(0, FRAMES, true);
  for (let r = 0; r * REGION < FRAMES; r++) fill(r, (s, n) => bitmap.setRange(s, n, false));
  return bitmap;
}

function lazy(): LazyFrameBitmap {
  const bitmap = new LazyFrameBitmap(FRAMES, fill);
  bitmap.setRange(0, FRAMES, true);
  bitmap.defer();
  return bitmap;
}

/** The batch's semantics frame by frame: a search and a take per run on `bitmap`. */
function reference(bitmap: FrameBitmap, batch: RunBatch, lo: number, hi: number, max: number) {
  const out: number[] = [];
  const firstFree = (from: number, to: number) => {
    for (let f = from; f < to; f++) if (bitmap.isFree(f)) return f;
    return -1;
  };
  for (let i = 0; i < batch.count; i++) {
    if (out.length >= max) return { out, used: i, exhausted: false };
    const start = batch.starts[i];
    let frame = firstFree(start, hi);
    if (frame < 0 && start > lo) frame = firstFree(lo, start);
    if (frame < 0) return { out, used: i, exhausted: true };
    const want = Math.max(1, Math.min(batch.lengths[i], max - out.length, hi - frame));
    let n = 0;
    while (n < want && bitmap.isFree(frame + n)) n++;
    bitmap.takeRun(frame, n, out, out.length);
  }
  return { out, used: batch.count, exhausted: false };
}

Deno.test("the batched scattered take equals a search and take per run, eager and lazy", () => {
  const random = seededRandom(2024);
  const expected = eager();
  const lazyBitmap = lazy();
  const tested = [eager(), lazyBitmap];
  let drawing = 0;
  const logs = [new WordGroups(), new WordGroups(), new WordGroups()];
  let held: number[] = [];
  const ends = [0, 0, 0]; // runs without a free frame, requests met, batches taken whole
  for (let trial = 0; trial < 400; trial++) {
    const lo = random() < 0.5 ? 0 : Math.floor(random() * FRAMES);
    // A quarter of the ranges are a few dozen frames, often all in use.
    const span = random() < 0.25 ? 1 + Math.floor(random() * 40) : FRAMES - lo;
    const hi = Math.min(FRAMES, lo + 1 + Math.floor(random() * span));
    const max = 1 + Math.floor(random() * 300);
    const batch = new RunBatch();
    batch.count = 1 + Math.floor(random() * BATCH_RUNS);
    for (let i = 0; i < batch.count; i++) {
      batch.starts[i] = lo + Math.floor(random() * (hi - lo));
      // Mostly short runs, some across words and regions.
      batch.lengths[i] = random() < 0.9
        ? 1 + Math.floor(random() * 4)
        : 1 + Math.floor(random() * 90);
    }
    expected.logTakes(logs[0]);
    const want = reference(expected, batch, lo, hi, max);
    expected.logTakes(null);
    tested.forEach((bitmap, k) => {
      const name = `trial ${trial}, ${k === 0 ? "eager" : "lazy"}`;
      const out = new Uint32Array(max + 2);
      bitmap.logTakes(logs[k + 1]);
      const n = bitmap.takeScatteredRuns(batch, lo, hi, max, out, 2);
      bitmap.logTakes(null);
      assert.deepEqual([...out.subarray(2, 2 + n)], want.out, name);
      assert.deepEqual([batch.used, batch.exhausted], [want.used, want.exhausted], name);
      assert.deepEqual(
        [...logs[k + 1].words.subarray(0, logs[k + 1].length)],
        [...logs[0].words.subarray(0, logs[0].length)],
        `${name}: log words`,
      );
      assert.deepEqual(
        [...logs[k + 1].masks.subarray(0, logs[k + 1].length)],
        [...logs[0].masks.subarray(0, logs[0].length)],
        `${name}: log masks`,
      );
    });
    if (lazyBitmap.pendingRegions > 0) drawing++;
    ends[want.exhausted ? 0 : want.used < batch.count ? 1 : 2]++;
    held.push(...want.out);
    // Now and then half of what was taken goes back, so that the bitmap neither fills up nor
    // stays as it was built.
    if (trial % 7 === 6) {
      const back = held.filter((_, i) => i % 2 === 0);
      held = held.filter((_, i) => i % 2 === 1);
      for (const bitmap of [expected, ...tested]) bitmap.release(back, back.length);
    }
  }
  assert.ok(ends.every((n) => n > 10), `every way to stop, often: ${ends}`);
  assert.ok(drawing > 10, `the lazy bitmap drew its regions in ${drawing} trials`);
  // Words, free count and the three summaries the searches read.
  const state = expected.saveState();
  for (const bitmap of tested) {
    assert.equal(bitmap.freeCount, expected.freeCount);
    assert.deepEqual(bitmap.saveState(), state);
  }
});
