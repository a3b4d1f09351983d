import assert from "node:assert/strict";
import { FrameBitmap } from "./frame_bitmap.ts";
import { LAZY_REGION_SHIFT, LazyFrameBitmap } from "./lazy_frame_bitmap.ts";
import { machinePresets } from "./machine.ts";
import { PhysicalMemory } from "./physical_memory.ts";
import { Simulator } from "./simulator.ts";

const REGION = 1 << LAZY_REGION_SHIFT;

type Fill = (region: number, occupy: (s: number, n: number) => void) => void;

/** The same occupation filled at once over `regions` regions and drawn lazily. */
function eagerAndLazy(frames: number, regions: number, fill: Fill) {
  const eager = new FrameBitmap(frames);
  eager.setRange(0, frames, true);
  for (let r = 0; r < regions; r++) fill(r, (s, n) => eager.setRange(s, n, false));
  const lazy = new LazyFrameBitmap(frames, fill);
  lazy.setRange(0, frames, true);
  lazy.defer();
  return { eager, lazy };
}
const heavy = { fraction: 0.3, meanRunPages: 4, seed: 7, model: "heavy-tailed" } as const;

Deno.test("lazy heavy-tailed regions give the same frames whatever order they are touched in", () => {
  const machine = machinePresets["x64-4gib"];
  const inOrder = new PhysicalMemory(machine, heavy);
  const expected = inOrder.frames.saveState().words;
  const reversed = new PhysicalMemory(machine, heavy);
  const regions = Math.ceil(reversed.frames.frameCount / REGION);
  assert.ok(reversed.frames instanceof LazyFrameBitmap);
  assert.equal(reversed.frames.pendingRegions, regions, "building draws nothing");
  for (let r = regions - 1; r >= 0; r -= 3) reversed.frames.isFree(r * REGION + 5);
  const run = reversed.frames.findRun(8, 100 * REGION + 17, 400 * REGION);
  assert.ok(run >= 0);
  assert.ok(reversed.frames.pendingRegions > 0, "a search draws only what it reads");
  assert.deepEqual(reversed.frames.saveState().words, expected);
  assert.equal(reversed.occupiedAtStart, inOrder.occupiedAtStart);
  const other = new PhysicalMemory(machine, { ...heavy, seed: 8 });
  assert.notDeepEqual(other.frames.saveState().words, expected);
});

Deno.test("a first allocation gives the same frames whether the machine was drawn whole first or on demand", () => {
  using sim = new Simulator({ machine: "x64-64gib", fragmentation: 0.3, seed: 2 });
  using again = new Simulator({ machine: "x64-64gib", fragmentation: 0.3, seed: 2 });
  const first = sim.stream().allocatePagesForMdl(0xffff_ffff_ffffn, 1 << 20)!;
  assert.equal(first.byteCount, 1 << 20);
  // The other machine is drawn whole first (a snapshot), then allocates: the same frames.
  again.snapshot();
  const second = again.stream().allocatePagesForMdl(0xffff_ffff_ffffn, 1 << 20)!;
  assert.deepEqual([...second.pfns], [...first.pfns]);
});

Deno.test("lazy searches agree with an eagerly filled bitmap", () => {
  const fill = (region: number, occupy: (s: number, n: number) => void) => {
    for (let f = region * REGION; f < (region + 1) * REGION; f += 37) occupy(f, 1 + (f % 5));
  };
  const frames = 6 * REGION;
  const eager = new FrameBitmap(frames);
  eager.setRange(0, frames, true);
  for (let r = 0; r < 6; r++) fill(r, (s, n) => eager.setRange(s, Math.min(n, frames - s), false));
  for (
    const [count, lo, hi, alignment] of [
      [1, 0, frames, 1],
      [30, 5, frames, 1],
      [
        31,
        REGION - 20,
        frames,
        1,
      ],
      [32, 3, frames, 32],
      [200, 0, frames, 1],
      [30, 2 * REGION + 9, 5 * REGION, 2],
    ]
  ) {
    const lazy = new LazyFrameBitmap(frames, fill);
    lazy.setRange(0, frames, true);
    lazy.defer();
    assert.equal(
      lazy.findRun(count, lo, hi, alignment),
      eager.findRun(count, lo, hi, alignment),
      `${count} ${lo} ${hi} ${alignment}`,
    );
  }
  const lazy = new LazyFrameBitmap(frames, fill);
  lazy.setRange(0, frames, true);
  lazy.defer();
  const a: number[] = [];
  const b: number[] = [];
  assert.equal(
    lazy.takeAscending(REGION - 50, frames, 5000, a, 0),
    eager.takeAscending(REGION - 50, frames, 5000, b, 0),
  );
  assert.deepEqual(a, b);
  assert.equal(lazy.freeCount, eager.freeCount);
});

Deno.test("freeRunLength agrees with a frame-by-frame walk, eager and lazy", () => {
  const frames = 3 * REGION + 77;
  const fill = (region: number, occupy: (s: number, n: number) => void) => {
    for (let f = region * REGION + (region % 3); f < (region + 1) * REGION; f += 1 + (f % 97)) {
      if (f < frames) occupy(f, 1);
    }
  };
  const { eager, lazy } = eagerAndLazy(frames, 4, fill);
  for (let f = 0; f < frames; f += 7) {
    for (const max of [1, 5, 31, 64, 200]) {
      let n = 0;
      while (n < max && f + n < frames && eager.isFree(f + n)) n++;
      assert.equal(eager.freeRunLength(f, max), n, `${f} ${max}`);
      assert.equal(lazy.freeRunLength(f, max), n, `lazy ${f} ${max}`);
    }
  }
});
