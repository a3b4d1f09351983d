/**
 * What naming a leak's line costs a test: one driver run (a 4 GiB machine built, 10,000 1 MiB
 * allocate + free pairs, one buffer leaked) without sites, with `withLeakSites` (no stack in the
 * run, a replay that records the leaked one's), and with every allocation's stack recorded
 * (`captureAllocationSites: true`); the same run without the leak under `withLeakSites` too. The
 * variants alternate, each round timing all of them back to back, and each ratio is taken within
 * its round; the table gives the median and 10th–90th percentiles over the rounds. Nothing is
 * asserted.
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

/** A driver's start and stop: many buffers freed, one forgotten when `leak` says so. */
function driverRun(sim: Simulator, leak: boolean) {
  const stream = sim.stream();
  for (let i = 0; i < PAIRS; i++) {
    stream.freePagesFromMdl(stream.allocatePagesForMdl(0xFFFFFFFFn, 1 << 20)!);
  }
  const position = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
  if (!leak) stream.freePagesFromMdl(position);
}

/** Runs the driver on its own simulator, recording `sites`, and returns the leak report. */
function plainRun(sites: boolean): string {
  using sim = new Simulator({ ...OPTIONS, captureAllocationSites: sites });
  driverRun(sim, true);
  return sim.leaks()[0].allocatedAt;
}

async function replayRun(leak: boolean): Promise<string> {
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
  if (!/driverRun/.test(await replayRun(true))) throw new Error("the replay did not name the line");
  const times = { none: [] as number[], replay: [] as number[], every: [] as number[] };
  const clean: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const none = await msOf(() => plainRun(false));
    const replay = await msOf(() => replayRun(true));
    const every = await msOf(() => plainRun(true));
    const cleanReplay = await msOf(() => replayRun(false));
    if (round === 0) continue; // warm-up
    times.none.push(none);
    times.replay.push(replay);
    times.every.push(every);
    clean.push(cleanReplay);
  }
  const ratio = (of: number[]) => {
    const r = of.map((t, i) => t / times.none[i]);
    const at = (p: number) => (percentile(r, p) ?? NaN).toFixed(2);
    return `${at(50)}× (${at(10)}–${at(90)})`;
  };
  const ms = (of: number[]) => `${median(of).toFixed(1)} ms`;
  console.table([
    { run: "leak, no site recorded", time: ms(times.none), "÷ no site": "1×" },
    {
      run: "leak named by withLeakSites",
      time: ms(times.replay),
      "÷ no site": ratio(times.replay),
    },
    { run: "leak, every site recorded", time: ms(times.every), "÷ no site": ratio(times.every) },
    { run: "no leak, under withLeakSites", time: ms(clean), "÷ no site": ratio(clean) },
  ]);
}
