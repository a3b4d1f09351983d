import assert from "node:assert/strict";
import type { Backend, Mdl } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import { FrameOwners } from "./frame_owners.ts";
import { InvariantViolation } from "./outcomes.ts";
import { SequenceChecker } from "./run_sequence.ts";
import type { SequenceStep } from "./sequence.ts";

Deno.test("frame owners: a frame is held once, until released or cleared", () => {
  const owners = new FrameOwners();
  assert.deepEqual([5, 6, 7].map((f) => owners.take(f)), [true, true, true]);
  assert.equal(owners.take(7), false, "frame 7 is held");
  assert.equal(owners.take(1 << 22), true, "the bitmap grows as needed");
  owners.release([5, 6, 7], 2);
  assert.deepEqual([5, 6, 7].map((f) => owners.take(f)), [true, true, false]);
  owners.release([5, 6, 7]);
  assert.equal(owners.take(7), true, "freed frames may come back");
  owners.clear();
  assert.deepEqual([7, 1 << 22].map((f) => owners.take(f)), [true, true]);
});

/** `target` with `overrides` in place of some of its members; the rest bound to it. */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (key in overrides) return overrides[key as keyof T];
      const value = Reflect.get(t, key, t);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** A simulator whose second allocation returns the first MDL again: two live MDLs, one frame. */
function handsOutOneMdlTwice(sim: Simulator): Backend {
  const stream = sim.stream();
  let first: Mdl | null = null;
  const broken = overriding(stream, {
    allocatePagesForMdl: (high, bytes) => first ??= stream.allocatePagesForMdl(high, bytes),
  });
  return overriding<Backend>(sim, { stream: () => broken, freePageCount: undefined });
}

const twoAllocations: SequenceStep[] = [
  { call: "allocatePagesForMdl", handle: "a", highAddress: 0xffffffffn, totalBytes: 8192 },
  { call: "allocatePagesForMdl", handle: "b", highAddress: 0xffffffffn, totalBytes: 8192 },
];

Deno.test("the checker flags a frame held by two live MDLs, and not after a run ends", () => {
  const checker = new SequenceChecker();
  using sim = new Simulator({ machine: "x64-4gib", seed: 3 });
  const sink = { step: () => {} };
  for (let run = 0; run < 3; run++) checker.run(sim, twoAllocations, sink);
  using other = new Simulator({ machine: "x64-4gib", seed: 3 });
  const broken = handsOutOneMdlTwice(other);
  assert.throws(
    () => checker.run(broken, twoAllocations, sink),
    (e) =>
      e instanceof InvariantViolation && /frame \d+ belongs to two live MDLs \(b\)/.test(e.message),
  );
  // Shrinking reruns sequences on the same checker, on restored machines: the frames of an MDL
  // a check refused are not held in the next run, which gets them again.
  const built = other.snapshot();
  const tooFar: SequenceStep[] = [
    { call: "allocatePagesForMdl", handle: "a", highAddress: 0xfffffn, totalBytes: 8192 },
  ];
  assert.throws(() => checker.run(outOfRange(other), tooFar, sink), /outside the requested range/);
  other.restore(built, {});
  checker.run(other, twoAllocations, sink);
});

/** A simulator whose allocations ignore HighAddress. */
function outOfRange(sim: Simulator): Backend {
  const stream = sim.stream();
  const broken = overriding(stream, {
    allocatePagesForMdl: (_high, bytes) => stream.allocatePagesForMdl(0xffffffffn, bytes),
  });
  return overriding<Backend>(sim, { stream: () => broken, freePageCount: undefined });
}
