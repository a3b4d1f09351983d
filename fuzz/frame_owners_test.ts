import assert from "node:assert/strict";
import type { Backend, Mdl } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import { FrameOwners } from "./frame_owners.ts";
import { InvariantViolation } from "./outcomes.ts";
import { SequenceChecker } from "./run_sequence.ts";
import type { SequenceStep } from "./sequence.ts";

Deno.test("frame owners: a frame is held by one MDL at a time, until released", () => {
  const owners = new FrameOwners();
  assert.equal(owners.claim([5, 6, 7]), -1);
  assert.equal(owners.claim([9, 7]), 1, "frame 7 is held");
  assert.equal(owners.claim([9]), -1, "a refused claim holds nothing");
  assert.equal(owners.claim([11, 12, 11]), 2, "a frame listed twice");
  assert.equal(owners.claim([11, 12]), -1);
  owners.release([5, 6, 7]);
  assert.equal(owners.claim([7]), -1, "freed frames may come back");
  assert.equal(owners.claim([1 << 22]), -1, "the bitmap grows as needed");
  assert.equal(owners.claim([1 << 22]), 0);
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
  checker.run(sim, twoAllocations, sink);
});
