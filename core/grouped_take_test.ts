import assert from "node:assert/strict";
import { Simulator } from "../mod.ts";
import { FrameBitmap } from "./frame_bitmap.ts";
import { takeGrouped } from "./grouped_take.ts";
import { takeListed } from "./listed_take.ts";
import { seededRandom } from "./random.ts";
import { SummarizedWords } from "./summarized_words.ts";
import { WordGroups } from "./word_groups.ts";

const WORDS = 64;

/** Everything a take may change: words, summaries, free count, dirty marks and the log. */
function stateOf(s: SummarizedWords) {
  const log = s.takeLog!;
  return {
    words: [...s.words],
    anyFree: [...s.anyFree],
    anyFree2: [...s.anyFree2],
    full: [...s.full],
    freeCount: s.freeCount,
    dirtyWords: [...s.dirty.words],
    dirtyGroups: [...s.dirty.groups],
    log: [...log.words.subarray(0, log.length)].map((w, k) => [w, log.masks[k]]),
  };
}

/** Words mostly full or empty (summaries flip), a list of runs that revisit words. */
function scenario(random: () => number) {
  const s = new SummarizedWords(WORDS * 32);
  for (let w = 0; w < WORDS; w++) {
    const r = random();
    s.setWord(w, r < 0.4 ? 0xffffffff : r < 0.5 ? 0 : (random() * 2 ** 32) >>> 0);
  }
  s.saveState();
  const frames: number[] = [];
  const used = new Set<number>();
  const length = 1 + Math.floor(random() * 60);
  while (frames.length < length) {
    const w = Math.floor(random() * WORDS);
    for (let run = 1 + Math.floor(random() * 4); run > 0; run--) {
      const f = w * 32 + Math.floor(random() * 32);
      // Mostly free frames, so that the whole list is often takeable.
      if (used.has(f) || (((s.words[w] >>> (f & 31)) & 1) === 0 && random() < 0.98)) continue;
      used.add(f);
      frames.push(f);
    }
  }
  return { s, frames };
}

Deno.test("a whole list taken by groups gives exactly what the frame-by-frame take gives", () => {
  const random = seededRandom(3);
  let grouped = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const { s: a, frames } = scenario(random);
    const b = new SummarizedWords(WORDS * 32);
    b.restoreState(a.saveState());
    const groups = new WordGroups();
    groups.group(frames, frames.length);
    // A log with a group already, often of the word the list's last frame is in (merged).
    const [first, second] = [new WordGroups(), new WordGroups()];
    const prior = random() < 0.5 ? frames[frames.length - 1] >>> 5 : Math.floor(random() * WORDS);
    first.push(prior, 0);
    second.push(prior, 0);
    a.takeLog = first;
    b.takeLog = second;
    const lo = random() < 0.7 ? 0 : Math.floor(random() * WORDS * 32);
    const hi = random() < 0.7 ? WORDS * 32 : lo + Math.floor(random() * (WORDS * 32 - lo));
    const before = stateOf(b);
    const outA: number[] = [7];
    const outB: number[] = [7];
    const kept: number[] = [];
    const n = takeListed(a, frames, 0, frames.length, outA, 1, lo, hi, kept);
    const m = takeGrouped(b, frames, frames.length, groups, lo, hi, outB, 1);
    if (m < 0) {
      assert.deepEqual(stateOf(b), before, `trial ${trial}: a refused take changes nothing`);
      assert.deepEqual(outB, [7]);
      continue;
    }
    grouped++;
    assert.equal(kept.length, 0);
    assert.equal(m, n);
    assert.deepEqual(outB, outA, `trial ${trial}: frames and their order`);
    assert.deepEqual(stateOf(b), stateOf(a), `trial ${trial}: words, summaries, marks, log`);
  }
  assert.ok(grouped > 500, `${grouped} lists taken by groups`);
});

/** Frames, free count, zeroed frames and clock after each call of a default-placement run. */
function trace(fragmentation: number): unknown[] {
  using sim = new Simulator({ machine: "x64-4gib", fragmentation, seed: 7, freshPages: "stale" });
  const stream = sim.stream();
  const random = seededRandom(13);
  const live: NonNullable<ReturnType<typeof stream.allocatePagesForMdl>>[] = [];
  const steps: unknown[] = [];
  for (let step = 0; step < 1500; step++) {
    if (live.length > 0 && (live.length > 12 || random() < 0.5)) {
      stream.freePagesFromMdl(live.splice(Math.floor(random() * live.length), 1)[0]);
      steps.push([sim.freePageCount, sim.clockNs]);
      continue;
    }
    const pages = [1, 5, 64, 256, 256][Math.floor(random() * 5)];
    const high = random() < 0.3 ? 0xffffffffn : 0x7fffffffffffffffn;
    const mdl = stream.allocatePagesForMdl(high, pages * 4096)!;
    const frames = [...mdl.pfns].map(Number);
    steps.push([frames, frames.map((f) => sim.isFrameZeroed(f)), sim.freePageCount, sim.clockNs]);
    live.push(mdl);
    // Some lists written over by the driver before the free: those frames stay stale.
    if (random() < 0.5) stream.freePagesFromMdl(live.pop()!);
  }
  return steps;
}

Deno.test("the default placement gives the same frames, counts and times with group-wise takes", () => {
  const takeGroupedOf = FrameBitmap.prototype.takeGrouped;
  for (const fragmentation of [0, 0.3]) {
    let hits = 0;
    FrameBitmap.prototype.takeGrouped = () => -1;
    let byFrames: unknown[];
    try {
      byFrames = trace(fragmentation);
    } finally {
      FrameBitmap.prototype.takeGrouped = function (...args) {
        const taken = takeGroupedOf.apply(this, args);
        if (taken >= 0) hits++;
        return taken;
      };
    }
    try {
      const byGroups = trace(fragmentation);
      assert.equal(byGroups.length, byFrames.length);
      // Step by step: a diff of the whole trace takes minutes to print.
      byGroups.forEach((step, i) => assert.deepEqual(step, byFrames[i], `step ${i}`));
    } finally {
      FrameBitmap.prototype.takeGrouped = takeGroupedOf;
    }
    assert.ok(hits > 200, `fragmentation ${fragmentation}: ${hits} lists taken by groups`);
  }
});
