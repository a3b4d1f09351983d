/**
 * What naming a leak's line costs a test: one driver run (a 4 GiB machine built, 10,000 1 MiB
 * allocate + free pairs, one page leaked) without sites, with `withLeakSites` (no stack in the
 * run, then a replay that records the leaked one's and stops right after it), and with every
 * allocation's stack recorded (`captureAllocationSites: true`). The leaked page is allocated
 * last (the worst case: the replay runs the whole body again) or first (a buffer forgotten at
 * start: the replay stops at once); the same run without the leak under `withLeakSites` too. The
 * variants alternate, each round timing all of them back to back, and each ratio is taken within
 * its round against the run without sites; the table gives the median and 10th–90th percentiles
 * over the rounds. Nothing is asserted.
 *
 * Run: `npx --yes deno@2 run bench/leak_sites.ts`
 *
 * @module
 */

import { DriverViolation, Simulator, withLeakSites } from "../mod.ts";
import { median } from "./batch_timing.ts";
import { percentile } from "../stats/latency.ts";

const OPTIONS = { machine: "x64-4gib", fragmentation: 0.3, seed: 5 } as const;
const PAIRS = 10_000;
const ROUNDS = 10;

/** Where the driver leaks its position page, if it does. */
type Leak = "none" | "first" | "last";

/** A driver's start and stop: many buffers freed, a position page forgotten as `leak` says. */
function driverRun(sim: Simulator, leak: Leak) {
  const stream = sim.stream();
  if (leak === "first") stream.allocatePagesForMdl(0xFFFFFFFFn, 4096);
  for (let i = 0; i < PAIRS; i++) {
    stream.freePagesFromMdl(stream.allocatePagesForMdl(0xFFFFFFFFn, 1 << 20)!);
  }
  if (leak === "first") return;
  const position = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
  if (leak === "none") stream.freePagesFromMdl(position);
}

/** Runs the driver on its own simulator, recording `sites`, and returns the leak report. */
function plainRun(sites: boolean, leak: Leak): string {
  using sim = new Simulator({ ...OPTIONS, captureAllocationSites: sites });
  driverRun(sim, leak);
  return sim.leaks()[0]?.allocatedAt ?? "no leak";
}

async function replayRun(leak: Leak): Promise<string> {
  try {
    await withLeakSites(OPTIONS, (sim) => driverRun(sim, leak));
    return "no leak";
  } catch (e) {
    if (!(e instanceof DriverViolation)) throw e;
    return e.message;
  }
}

async function msOf(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

if (import.meta.main) {
  for (const leak of ["first", "last"] as const) {
    if (!/driverRun/.test(await replayRun(leak))) throw new Error("the replay named no line");
  }
  const variants = {
    "leak last, no site recorded": () => plainRun(false, "last"),
    "leak last, named by withLeakSites": () => replayRun("last"),
    "leak last, every site recorded": () => plainRun(true, "last"),
    "leak first, no site recorded": () => plainRun(false, "first"),
    "leak first, named by withLeakSites": () => replayRun("first"),
    "no leak, under withLeakSites": () => replayRun("none"),
  };
  const times = new Map(Object.keys(variants).map((name) => [name, [] as number[]]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const ms = await msOf(run);
      if (round > 0) times.get(name)!.push(ms); // round 0 warms up
    }
  }
  const baseline = (name: string) =>
    times.get(
      name.startsWith("leak first")
        ? "leak first, no site recorded"
        : "leak last, no site recorded",
    )!;
  console.table([...times].map(([name, of]) => {
    const base = baseline(name);
    const r = of.map((t, i) => t / base[i]);
    const at = (p: number) => (percentile(r, p) ?? NaN).toFixed(2);
    return {
      run: name,
      time: `${median(of).toFixed(1)} ms`,
      "÷ the same run without sites": `${at(50)}× (${at(10)}–${at(90)})`,
    };
  }));
}
