import assert from "node:assert/strict";
import { CacheType, MmAllocateFlags, Simulator } from "../mod.ts";
import { FrameBitmap } from "./frame_bitmap.ts";
import { Parking } from "./parking.ts";
import { seededRandom } from "./random.ts";
import type { Mdl } from "./backend.ts";
import { SummarizedWords } from "./summarized_words.ts";
import { WordGroups } from "./word_groups.ts";

const ANY = 0x7fffffffffffffffn;

/**
 * Everything a driver can see after each step of a random default-placement run: the frames and
 * whether each is zeroed, free pages, the clock, and probes of frames freed last (free? zeroed?).
 * Allocations mix sizes, HighAddress 4 GiB, DONT_ZERO_ALLOCATION, FULLY_REQUIRED beyond the cap
 * and contiguous ones; frees are mostly of the MDL allocated last; snapshots are restored.
 */
function trace(
  freshPages: "zeroed" | "stale",
  seed: number,
  placement: "running-system" | "lowest-first",
): unknown[] {
  const options = { machine: "x64-4gib", fragmentation: 0.3, seed, freshPages, placement } as const;
  using sim = new Simulator(options);
  const stream = sim.stream();
  const random = seededRandom(seed * 31 + 1);
  const live: Mdl[] = [];
  const steps: unknown[] = [];
  const built = sim.snapshot();
  let lastFreed: number[] = [];
  const probe = () => lastFreed.slice(0, 8).map((f) => [sim.isFrameZeroed(f), sim.isFrameFree(f)]);
  for (let step = 0; step < 2000; step++) {
    const r = random();
    if (r < 0.02) {
      for (const mdl of live.splice(0)) stream.freePagesFromMdl(mdl);
      sim.restore(built);
      steps.push(["restore", sim.freePageCount, probe()]);
      continue;
    }
    if (live.length > 0 && (live.length > 10 || r < 0.45)) {
      const at = random() < 0.8 ? live.length - 1 : Math.floor(random() * live.length);
      const [mdl] = live.splice(at, 1);
      lastFreed = [...mdl.pfns].map(Number);
      stream.freePagesFromMdl(mdl);
      // Reading the bitmap now writes the batch back: only some frees are looked at at once.
      steps.push(["free", sim.clockNs, random() < 0.3 ? [sim.freePageCount, probe()] : null]);
      continue;
    }
    const pages = [1, 5, 64, 256, 256, 256, 700][Math.floor(random() * 7)];
    let mdl: Mdl | null;
    if (random() < 0.05) {
      mdl = stream.allocateContiguousPagesForMdl(0n, ANY, pages * 4096);
    } else {
      const flags = (random() < 0.2 ? MmAllocateFlags.DONT_ZERO_ALLOCATION : 0) |
        (random() < 0.05 ? MmAllocateFlags.FULLY_REQUIRED : 0);
      // FULLY_REQUIRED below a high bound with too few pages fails after taking some.
      const high = random() < 0.3 ? 0xffffffffn : random() < 0.05 ? 0x3fffffn : ANY;
      const request = {
        lowAddress: 0n,
        highAddress: high,
        skipBytes: 0n,
        flags,
        cacheType: CacheType.Cached,
      };
      mdl = sim.mm.allocatePagesForMdlEx({ ...request, totalBytes: pages * 4096 }).value;
    }
    if (mdl === null) {
      steps.push(["null", sim.freePageCount, sim.clockNs, probe()]);
      continue;
    }
    const frames = [...mdl.pfns].map(Number);
    steps.push([frames, frames.map((f) => sim.isFrameZeroed(f)), sim.freePageCount, sim.clockNs]);
    live.push(mdl);
  }
  return steps;
}

Deno.test("a parked free gives the same frames, zeroing, free pages, clock and probes as a release", () => {
  const park = FrameBitmap.prototype.park;
  const takers = ["takeBack", "takeBackLowest"] as const;
  const originals = takers.map((name) => Parking.prototype[name]);
  for (const placement of ["running-system", "lowest-first"] as const) {
    for (const freshPages of ["zeroed", "stale"] as const) {
      for (const seed of [3, 8]) {
        // Parked and at once written back: a release.
        FrameBitmap.prototype.park = function (...args) {
          park.apply(this, args);
          this.settle();
        };
        let released: unknown[];
        try {
          released = trace(freshPages, seed, placement);
        } finally {
          FrameBitmap.prototype.park = park;
        }
        let unparked = 0;
        takers.forEach((name, i) => {
          const original = originals[i] as (this: Parking, ...args: unknown[]) => number;
          (Parking.prototype[name] as unknown) = function (this: Parking, ...args: unknown[]) {
            const taken = original.apply(this, args);
            if (taken >= 0) unparked++;
            return taken;
          };
        });
        let parked: unknown[];
        try {
          parked = trace(freshPages, seed, placement);
        } finally {
          takers.forEach((name, i) => (Parking.prototype[name] as unknown) = originals[i]);
        }
        assert.equal(parked.length, released.length);
        const at = `${placement}, ${freshPages}, seed ${seed}`;
        // Step by step: a diff of the whole trace takes minutes to print.
        parked.forEach((step, i) => assert.deepEqual(step, released[i], `${at}: step ${i}`));
        // With stale fresh pages only the unzeroed MDLs park: a zeroed one's contents are marked.
        const least = freshPages === "zeroed" ? 100 : 20;
        assert.ok(unparked > least, `${at}: ${unparked} batches taken back while parked`);
      }
    }
  }
});

Deno.test("a parked batch is written back before anything reads the bitmap", () => {
  using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.3, seed: 5 });
  const stream = sim.stream();
  const before = sim.freePageCount;
  const mdl = stream.allocatePagesForMdl(ANY, 256 * 4096)!;
  const frames = [...mdl.pfns].map(Number);
  stream.freePagesFromMdl(mdl);
  // Each read settles it: the frames are stale and free, the count is whole.
  assert.equal(sim.isFrameZeroed(frames[0]), false);
  assert.equal(sim.isFrameFree(frames[0]), true);
  assert.equal(sim.freePageCount, before);
  assert.ok(frames.every((f) => sim.isFrameFree(f) && !sim.isFrameZeroed(f)));
  // A snapshot taken while a batch is parked holds the frames free.
  const again = stream.allocatePagesForMdl(ANY, 256 * 4096)!;
  stream.freePagesFromMdl(again);
  const snapshot = sim.snapshot();
  stream.allocatePagesForMdl(ANY, 4096);
  sim.restore(snapshot);
  assert.equal(sim.freePageCount, before);
});

Deno.test("a lowest-first take-back needs the whole batch, in range, lowest free and ascending", () => {
  const groupsOf = (list: number[]) => {
    const groups = new WordGroups();
    groups.group(list, list.length);
    return groups;
  };
  const attempt = (list: number[], lo: number, hi: number, max: number, firstFree: number) => {
    const parking = new Parking(new SummarizedWords(64), 64);
    parking.hold(list, list.length, groupsOf(list));
    const out: number[] = [];
    return [parking.takeBackLowest(new WordGroups(), lo, hi, max, firstFree, out, 0), out];
  };
  assert.deepEqual(attempt([3, 4, 40], 0, 64, 3, -1), [3, [3, 4, 40]]);
  assert.deepEqual(attempt([3, 4, 40], 0, 64, 8, 41), [3, [3, 4, 40]]);
  assert.equal(attempt([3, 4, 40], 0, 64, 2, -1)[0], -1, "more than asked for");
  assert.equal(attempt([3, 4, 40], 4, 64, 3, -1)[0], -1, "below lo");
  assert.equal(attempt([3, 4, 40], 0, 40, 3, -1)[0], -1, "at or above hi");
  assert.equal(attempt([3, 4, 40], 0, 64, 3, 9)[0], -1, "a lower free frame");
  assert.equal(attempt([40, 3, 4], 0, 64, 3, -1)[0], -1, "not ascending");
  const parking = new Parking(new SummarizedWords(64), 64);
  parking.hold([3], 1, groupsOf([3]));
  const busy = new WordGroups();
  busy.push(9, 1);
  assert.equal(parking.takeBackLowest(busy, 0, 64, 1, -1, [], 0), -1, "taken after other takes");
});

Deno.test("a lowest-first take-back goes on into regions not drawn yet as a plain take does", () => {
  const frames = (settleAtOnce: boolean) => {
    const park = FrameBitmap.prototype.park;
    if (settleAtOnce) {
      FrameBitmap.prototype.park = function (...args) {
        park.apply(this, args);
        this.settle();
      };
    }
    try {
      const options = { machine: "x64-64gib", fragmentation: 0.3, seed: 2 } as const;
      using sim = new Simulator({ ...options, placement: "lowest-first" });
      const stream = sim.stream();
      // The first allocation draws the regions it reaches; the second goes beyond them.
      stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 3000 * 4096)!);
      return [...stream.allocatePagesForMdl(ANY, 9000 * 4096)!.pfns];
    } finally {
      FrameBitmap.prototype.park = park;
    }
  };
  assert.deepEqual(frames(false), frames(true));
});
