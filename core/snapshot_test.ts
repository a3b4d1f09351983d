import assert from "node:assert/strict";
import { Simulator } from "./simulator.ts";

const HIGH = 0xffffffffn;

function trace(sim: Simulator): unknown[] {
  const stream = sim.stream();
  const out: unknown[] = [];
  const held = [];
  for (let i = 0; i < 40; i++) {
    const mdl = i % 5 === 4
      ? stream.allocateContiguousPagesForMdl(0n, HIGH, 8192 * (i % 3 + 1))
      : stream.allocatePagesForMdl(i % 2 ? HIGH : 0x7fffffffffffffffn, 4096 * (i + 1) + 7);
    out.push(mdl === null ? null : [...mdl.pfns], stream.lastCall?.durationNs);
    if (mdl && i % 3 === 0) out.push(stream.mapAllocatedPages(mdl, 1));
    if (mdl) held.push(mdl);
  }
  return out;
}

Deno.test("restore gives the frames, addresses and durations of a newly built simulator", () => {
  const faults = { probability: 0.2, failNth: [3], memoryCapBytes: 1 << 20 };
  const options = {
    machine: "x64-4gib",
    fragmentation: 0.3,
    seed: 11,
    fragmentModel: "geometric",
  } as const;
  using fresh = new Simulator({ ...options, faults });
  const expected = trace(fresh);
  using sim = new Simulator(options);
  const built = sim.snapshot();
  trace(sim); // leaves MDLs live and mapped, with other faults
  const free = sim.freePageCount;
  sim.restore(built, faults);
  assert.notEqual(free, sim.freePageCount);
  assert.deepEqual(trace(sim), expected);
  sim.restore(built, faults);
  assert.deepEqual(trace(sim), expected, "a second restore too");
  assert.equal(sim.leaks().length > 0, true);
});

Deno.test("a snapshot restores only its own simulator, and only with nothing live", () => {
  using a = new Simulator({ machine: "x64-4gib" });
  using b = new Simulator({ machine: "x64-4gib" });
  assert.throws(() => b.restore(a.snapshot()), /another simulator/);
  const stream = a.stream();
  const mdl = stream.allocatePagesForMdl(HIGH, 4096)!;
  assert.throws(() => a.snapshot(), /freed first/);
  stream.freePagesFromMdl(mdl);
  a.restore(a.snapshot());
});
