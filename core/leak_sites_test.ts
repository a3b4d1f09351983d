import assert from "node:assert/strict";
import { withLeakSites } from "./leak_sites.ts";
import { allocationSiteSelection, ReplayStopped } from "./call_site.ts";
import { Simulator } from "./simulator.ts";
import { DriverViolation, leakedPagesViolation } from "./violations.ts";
import type { Leak } from "./backend.ts";

const FOUR_GIB = 0xFFFF_FFFFn;
const OPTIONS = { machine: "x64-4gib", seed: 3 } as const;

// Each allocation on a line of its own function, so that a leak report names the function.
function allocateRingBuffer(sim: Simulator) {
  return sim.stream().allocatePagesForMdl(FOUR_GIB, 8192)!;
}
function allocatePositionPage(sim: Simulator) {
  return sim.stream().allocatePagesForMdl(FOUR_GIB, 4096)!;
}
function allocateScratch(sim: Simulator) {
  return sim.stream().allocatePagesForMdl(FOUR_GIB, 65536)!;
}

/** A driver that frees its scratch buffer and forgets the other two. */
function leakyStart(sim: Simulator, seen: Leak[][]) {
  allocateRingBuffer(sim);
  const scratch = allocateScratch(sim);
  allocatePositionPage(sim);
  seen.push(sim.leaks());
  sim.stream().freePagesFromMdl(scratch);
}

async function rejection(run: Promise<unknown>): Promise<DriverViolation> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DriverViolation, `expected a DriverViolation, got ${error}`);
  return error;
}

Deno.test("withLeakSites: a leak names the line that allocated it, found by a replay", async () => {
  const seen: Leak[][] = [];
  const e = await rejection(withLeakSites(OPTIONS, (sim) => leakyStart(sim, seen)));
  assert.equal(e.rule, "leaked-pages");
  const [, first, third] = e.message.split("\n");
  assert.match(
    first,
    /^ {2}MDL #1 \(8192 bytes\) at allocateRingBuffer \(.*leak_sites_test\.ts:\d+/,
  );
  assert.match(third, /^ {2}MDL #3 \(4096 bytes\) at allocatePositionPage \(.*leak_sites_test\.ts/);
  assert.doesNotMatch(e.message, /MDL #2/);
  // The first run recorded no stack; the replay stopped at the last leak, before `seen.push`.
  assert.equal(seen.length, 1);
  assert.ok(seen[0].every((l) => /captureAllocationSites is false/.test(l.allocatedAt)));
});

Deno.test("a replay records exactly the listed stacks and stops right after the last", () => {
  using sim = new Simulator({
    ...OPTIONS,
    captureAllocationSites: { ids: [1, 3], stopAfterLast: true },
  });
  allocateRingBuffer(sim);
  allocateScratch(sim);
  const stop = (() => {
    try {
      allocatePositionPage(sim);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(stop instanceof ReplayStopped, `expected a ReplayStopped, got ${stop}`);
  assert.deepEqual(stop.leaks.map((l) => l.mdlId), [1, 2, 3]);
  assert.match(stop.leaks[0].allocatedAt, /allocateRingBuffer/);
  assert.match(stop.leaks[1].allocatedAt, /#2 is not among those captureAllocationSites lists/);
  assert.match(stop.leaks[2].allocatedAt, /allocatePositionPage/);
  assert.equal(sim.leaks().length, 3); // the stopping allocation was made, and is freed at close
});

Deno.test("withLeakSites: the replay ends at the last leaked allocation, also when the body catches everything", async () => {
  const calls: number[] = [0, 0];
  let run = 0;
  const e = await rejection(withLeakSites(OPTIONS, (sim) => {
    const mine = run++;
    const stream = sim.stream();
    allocateRingBuffer(sim); // leaked at once
    calls[mine]++;
    for (let i = 0; i < 100; i++) {
      stream.freePagesFromMdl(stream.allocatePagesForMdl(FOUR_GIB, 4096)!);
      calls[mine]++;
    }
  }));
  assert.match(e.message, /MDL #1 \(8192 bytes\) at allocateRingBuffer \(/);
  assert.deepEqual(calls, [101, 0]);

  // One whose error path frees a buffer on the way out: the leaks are those live at the stop.
  const unwound = await rejection(withLeakSites(OPTIONS, (sim) => {
    const ring = allocateRingBuffer(sim);
    try {
      allocatePositionPage(sim);
    } catch (error) {
      sim.stream().freePagesFromMdl(ring);
      throw error;
    }
  }));
  assert.match(unwound.message, /2 MDL\(s\) never freed:\n {2}MDL #1 .* at allocateRingBuffer/);

  // A driver that swallows every error runs on past the stop; its leak is named all the same.
  const swallowed = await rejection(withLeakSites(OPTIONS, (sim) => {
    try {
      allocatePositionPage(sim);
    } catch {
      // the driver's own error path
    }
    sim.stream().freePagesFromMdl(allocateScratch(sim));
  }));
  assert.match(
    swallowed.message,
    /1 MDL\(s\) never freed:\n {2}MDL #1 \(4096 bytes\) at allocatePositionPage/,
  );
});

Deno.test("withLeakSites: the body's own assertNoLeaks, awaited calls, and leaks past 10,000", async () => {
  let runs = 0;
  const e = await rejection(withLeakSites(OPTIONS, async (sim) => {
    runs++;
    const stream = sim.stream();
    for (let i = 0; i < 10_001; i++) {
      stream.freePagesFromMdl(stream.allocatePagesForMdl(FOUR_GIB, 4096)!);
    }
    await Promise.resolve();
    allocateScratch(sim);
    sim.assertNoLeaks();
  }));
  assert.equal(runs, 2);
  assert.match(e.message, /MDL #10002 \(65536 bytes\) at allocateScratch \(/);
});

Deno.test("withLeakSites: no leak, one run and its value; another error, rethrown without a replay", async () => {
  let runs = 0;
  const value = await withLeakSites(OPTIONS, (sim) => {
    runs++;
    sim.stream().freePagesFromMdl(allocateScratch(sim));
    return 42;
  });
  assert.deepEqual([value, runs], [42, 1]);

  let held: Simulator | undefined;
  const failure = new Error("the driver's own assertion");
  await assert.rejects(
    withLeakSites(OPTIONS, (sim) => {
      runs++;
      held = sim;
      allocateRingBuffer(sim);
      throw failure;
    }),
    (e) => e === failure,
  );
  assert.equal(runs, 2);
  assert.throws(() => held!.stream(), /the simulator is closed/); // and its pages freed

  // A leaked-pages violation of another simulator, this one holding nothing: rethrown as is.
  const inner = leakedPagesViolation([]);
  await assert.rejects(withLeakSites(OPTIONS, () => Promise.reject(inner)), (e) => e === inner);
});

Deno.test("withLeakSites: a body that leaks differently on the replay is named as such", async () => {
  let runs = 0;
  const e = await rejection(withLeakSites(OPTIONS, (sim) => {
    runs++;
    if (runs === 1) allocateRingBuffer(sim);
    else allocateScratch(sim);
  }));
  assert.match(e.message, /MDL #1 \(8192 bytes\) not captured/);
  assert.match(e.message, /sites not named: the replay leaked #1 \(65536 bytes\)/);
});

Deno.test("withLeakSites: bad arguments are refused, naming the parameter and the value", async () => {
  await assert.rejects(
    withLeakSites(OPTIONS, 7 as never),
    /withLeakSites: body must be a function, got number/,
  );
  await assert.rejects(
    withLeakSites({ ...OPTIONS, captureAllocationSites: true } as never, () => {}),
    /options\.captureAllocationSites is chosen by withLeakSites.*got true/,
  );
  await assert.rejects(withLeakSites({ seed: 0.5 }, () => {}), /seed must be an integer/);
});

Deno.test("captureAllocationSites: a list records exactly those allocation numbers", () => {
  using sim = new Simulator({ ...OPTIONS, captureAllocationSites: [2] });
  for (let i = 0; i < 3; i++) allocateRingBuffer(sim);
  const sites = sim.leaks().map((l) => /allocateRingBuffer/.test(l.allocatedAt));
  assert.deepEqual(sites, [false, true, false]);
  assert.throws(
    () => new Simulator({ captureAllocationSites: [2, 0] }),
    /captureAllocationSites must list allocation numbers ≥ 1, got 0 in \[2,0\]/,
  );
  assert.throws(
    () => new Simulator({ captureAllocationSites: "all" as never }),
    /captureAllocationSites must be a boolean, a count ≥ 0, a list .*got all/,
  );
  // A replay of a run that leaked 300,000 MDLs (more than a call's arguments can hold).
  const many = Array.from({ length: 300_000 }, (_, i) => i + 1);
  assert.equal(allocationSiteSelection({ ids: many, stopAfterLast: true }).stopAfter, 300_000);
  assert.throws(
    () => new Simulator({ captureAllocationSites: { ids: [], stopAfterLast: true } }),
    /captureAllocationSites as a replay must be \{ ids: .*got ids , stopAfterLast true/,
  );
});
