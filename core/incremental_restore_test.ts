import assert from "node:assert/strict";
import { CacheType, MmAllocateFlags } from "./constants.ts";
import type { Mdl } from "./backend.ts";
import { machinePresets } from "./machine.ts";
import { PhysicalMemory } from "./physical_memory.ts";
import { seededRandom } from "./random.ts";
import { Simulator, type SimulatorOptions } from "./simulator.ts";
import type { SimulatorSnapshot } from "./snapshot.ts";

const ANY = 0x7fffffffffffffffn;
const FOUR_GIB = 0xffffffffn;

/** A copy of a snapshot with its own bitmap state object: restoring it copies every array. */
function fullCopy(snapshot: SimulatorSnapshot): SimulatorSnapshot {
  return { ...snapshot, memory: { ...snapshot.memory, frames: { ...snapshot.memory.frames } } };
}

/** Random allocations (every strategy), maps, unmaps and frees, some left live and mapped. */
function churn(sim: Simulator, seed: number): number[] {
  const random = seededRandom(seed);
  const stream = sim.stream();
  const live: { mdl: Mdl; address: bigint | null }[] = [];
  const frames: number[] = [];
  const steps = 20 + Math.floor(random() * 60);
  for (let i = 0; i < steps; i++) {
    const r = random();
    if (r < 0.35 || live.length === 0) {
      // Now and then most of the machine, so that restores copy everything natively too.
      const pages = random() < 0.03 ? 400_000 : 1 + Math.floor(random() ** 3 * 3000);
      const high = random() < 0.5 ? ANY : FOUR_GIB;
      const kind = Math.floor(random() * 4);
      const mdl = kind === 0
        ? stream.allocatePagesForMdl(high, pages * 4096)
        : kind === 1
        ? stream.allocateContiguousPagesForMdl(0n, high, pages * 4096)
        : sim.mm.allocatePagesForMdlEx({
          lowAddress: BigInt(Math.floor(random() * 2 ** 20)) * 4096n,
          highAddress: high,
          skipBytes: kind === 2 ? 0n : 16n * 4096n,
          totalBytes: pages * 4096,
          cacheType: CacheType.Cached,
          flags: kind === 2
            ? MmAllocateFlags.DONT_ZERO_ALLOCATION | MmAllocateFlags.PREFER_CONTIGUOUS
            : MmAllocateFlags.REQUIRE_CONTIGUOUS_CHUNKS,
        }).value;
      if (mdl !== null) {
        live.push({ mdl, address: null });
        for (const f of mdl.pfns) frames.push(f);
      }
    } else if (r < 0.5) {
      const entry = live[Math.floor(random() * live.length)];
      if (entry.address === null) entry.address = stream.mapAllocatedPages(entry.mdl, 1);
      else (stream.unmapAllocatedPages(entry.address, entry.mdl), entry.address = null);
    } else {
      const [entry] = live.splice(Math.floor(random() * live.length), 1);
      if (entry.address !== null) stream.unmapAllocatedPages(entry.address, entry.mdl);
      stream.freePagesFromMdl(entry.mdl);
    }
  }
  return frames;
}

function assertSameState(a: SimulatorSnapshot, b: SimulatorSnapshot, what: string): void {
  const [x, y] = [a.memory, b.memory];
  for (const level of ["words", "anyFree", "anyFree2", "full"] as const) {
    assert.deepEqual(x.frames[level], y.frames[level], `${what}: ${level}`);
  }
  assert.equal(x.frames.freeCount, y.frames.freeCount, `${what}: freeCount`);
  assert.deepEqual(x.stale, y.stale, `${what}: stale bits`);
  assert.deepEqual(x.differs, y.differs, `${what}: contents marks`);
}

const machines: SimulatorOptions[] = [
  { machine: "x64-4gib", fragmentation: 0.3, seed: 3 },
  { machine: "x64-4gib", fragmentation: 0.6, seed: 4, fragmentModel: "geometric" },
  { machine: "x64-16gib", fragmentation: 0.3, seed: 5, placement: "lowest-first" },
  { machine: "x64-4gib", fragmentation: 0.1, seed: 6, freshPages: "stale" },
];

for (const options of machines) {
  Deno.test(`an incremental restore leaves every array as a full copy does (${JSON.stringify(options)})`, () => {
    using incremental = new Simulator({ ...options, captureAllocationSites: false });
    using copied = new Simulator({ ...options, captureAllocationSites: false });
    const built = incremental.snapshot();
    const copiedBase = copied.snapshot();
    assertSameState(built, copiedBase, "built");
    // Each round restores the snapshot taken last (the incremental path: the comparison's own
    // snapshot starts the next round); the copy always restores a fresh object (a full copy).
    let base = built;
    for (let round = 0; round < 12; round++) {
      const frames = churn(incremental, round);
      assert.deepEqual(churn(copied, round), frames, `round ${round}: same frames before restore`);
      incremental.restore(base);
      copied.restore(fullCopy(copiedBase));
      const now = incremental.snapshot();
      assertSameState(now, copied.snapshot(), `round ${round}`);
      assertSameState(now, base, `round ${round}, against the snapshot`);
      base = now;
    }
    churn(incremental, 99);
    incremental.restore(built);
    assertSameState(incremental.snapshot(), built, "an older snapshot (a full copy)");
  });
}

Deno.test("an incremental restore of the physical memory undoes every write path, frames held across the save included", () => {
  const options = [
    { fraction: 0.3, meanRunPages: 4, seed: 8 },
    { fraction: 0.5, meanRunPages: 4, seed: 9, model: "geometric" },
  ] as const;
  for (const fragmentation of options) {
    // Fresh pages zeroed and stale: each marks other contents (`differs`).
    const memory = new PhysicalMemory(
      machinePresets["x64-4gib"],
      fragmentation,
      fragmentation.seed === 8 ? "zeroed" : "stale",
    );
    const frames = memory.frames;
    const random = seededRandom(fragmentation.seed);
    // Held lists and runs, each with whether it was zeroed when taken.
    let held: [Uint32Array, boolean][] = [];
    let runs: [number, number, boolean][] = [];
    const take = (what: (out: Uint32Array) => number, max: number, zero: boolean) => {
      const out = new Uint32Array(max);
      memory.beginTakes(max);
      const n = what(out);
      memory.endTakes(zero, n);
      memory.takenGroups();
      return out.subarray(0, n);
    };
    const step = () => {
      const r = random();
      const at = Math.floor(random() * frames.frameCount);
      const zero = random() < 0.6;
      if (r < 0.3) {
        const max = 1 + Math.floor(random() * 600);
        const list = take(
          (out) => frames.takeAscending(at, frames.frameCount, max, out, 0),
          max,
          zero,
        );
        if (list.length > 0) held.push([list, zero]);
      } else if (r < 0.45) {
        const list = take((out) => frames.takeFrame(at) ? (out[0] = at, 1) : 0, 1, zero);
        if (list.length > 0) held.push([list, zero]);
      } else if (r < 0.5) {
        // Others take a frame of a free run: never one of the held frames.
        const run = frames.findRun(1 + Math.floor(random() * 100), at, frames.frameCount);
        if (run >= 0) frames.setRange(run, 1, false);
      } else if (r < 0.6) {
        // A run taken whole, or one held (perhaps since before the save) freed whole.
        if (r < 0.55 || runs.length === 0) {
          const count = 1 + Math.floor(random() * 700);
          const start = frames.findRun(count, at, frames.frameCount);
          if (start >= 0) {
            take((out) => (frames.takeRun(start, count, out, 0), count), count, zero);
            runs.push([start, count, zero]);
          }
        } else {
          const [[start, count, zeroed]] = runs.splice(Math.floor(random() * runs.length), 1);
          memory.releaseRun(start, count, zeroed);
        }
      } else if (held.length > 0) {
        const [[list, zeroed]] = held.splice(Math.floor(random() * held.length), 1);
        memory.release(list, list.length, zeroed);
      }
    };
    for (let trial = 0; trial < 20; trial++) {
      for (let i = 0; i < 30; i++) step();
      const saved = memory.saveState();
      const heldAtSave = [...held];
      const runsAtSave = [...runs];
      for (let i = 0; i < 60; i++) step();
      memory.restoreState(saved);
      held = heldAtSave;
      runs = runsAtSave;
      const now = memory.saveState();
      for (const level of ["words", "anyFree", "anyFree2", "full"] as const) {
        assert.deepEqual(now.frames[level], saved.frames[level], `trial ${trial}: ${level}`);
      }
      assert.equal(now.frames.freeCount, saved.frames.freeCount, `trial ${trial}: freeCount`);
      assert.deepEqual(now.stale, saved.stale, `trial ${trial}: stale bits`);
      assert.deepEqual(now.differs, saved.differs, `trial ${trial}: contents marks`);
    }
  }
});

Deno.test("a simulator that snapshots only after running (writes unmarked until then) still restores exactly", () => {
  for (const options of machines) {
    using late = new Simulator({ ...options, captureAllocationSites: false });
    using copied = new Simulator({ ...options, captureAllocationSites: false });
    // Both run unsnapshotted first, freeing what they allocated, so nothing was marked.
    for (const sim of [late, copied]) {
      churn(sim, 41);
      sim.mm.releaseAll();
    }
    const saved = late.snapshot();
    const copiedBase = copied.snapshot();
    assertSameState(saved, copiedBase, "after running");
    for (let round = 0; round < 4; round++) {
      assert.deepEqual(churn(late, round), churn(copied, round), `round ${round}: same frames`);
      late.restore(saved);
      copied.restore(fullCopy(copiedBase));
      assertSameState(late.snapshot(), copied.snapshot(), `round ${round}`);
    }
    const now = late.snapshot();
    assertSameState(now, saved, "against the snapshot taken after running");
  }
});
