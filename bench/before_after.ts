/**
 * Two copies of the simulator side by side in one process, alternating case by case: this
 * checkout's `core/` and an older one (e.g. `git archive <commit> core | tar -x -C /tmp/base`),
 * so that a speed-up is a ratio measured on the same, possibly busy, machine. Nothing is asserted.
 *
 * Run: `npx --yes deno@2 run --allow-read bench/before_after.ts /tmp/base/core [case filter]`
 *
 * @module
 */

import { Simulator } from "../core/simulator.ts";
import { median, nsPerCall } from "./batch_timing.ts";

type SimulatorClass = typeof Simulator;
const ANY = 0x7fffffffffffffffn;

/** µs per call of `body` (see {@linkcode nsPerCall}). */
function micros(samples: number, batch: number, body: () => void): number {
  return nsPerCall(samples, batch, body) / 1000;
}

/** The cases, each a function of a simulator class returning µs per call. */
const cases: Record<string, (Sim: SimulatorClass) => number> = {
  "1 MiB allocate + free (lowest-first)": (Sim) => pair(Sim, "lowest-first", 1 << 20, 200, 21),
  "1 MiB allocate + free (default placement)": (Sim) => pair(Sim, undefined, 1 << 20, 200, 21),
  "1 GiB allocate + free (lowest-first)": (Sim) => pair(Sim, "lowest-first", 1 << 30, 1, 5),
  "1 GiB allocate + free (default placement)": (Sim) => pair(Sim, undefined, 1 << 30, 1, 3),
  "1 GiB, HighAddress 4 GiB (default placement)": (Sim) =>
    pair(Sim, undefined, 1 << 30, 1, 3, 0xFFFFFFFFn),
  "contiguous 64 KiB, 90 % fragmented 16 GiB": (Sim) => {
    const sim = machine(Sim, "x64-16gib", 0.9, "lowest-first");
    const stream = sim.stream();
    return micros(7, 20, () => {
      const mdl = stream.allocateContiguousPagesForMdl(0n, ANY, 16 * 4096);
      if (mdl) stream.freePagesFromMdl(mdl);
    });
  },
  "restore 4 GiB at 30 % after 16 × 64 KiB allocated + freed (the restore only)": (Sim) => {
    const sim = machine(Sim, "x64-4gib", 0.3);
    const snapshot = sim.snapshot();
    const stream = sim.stream();
    const times: number[] = [];
    for (let s = 0; s < 21; s++) {
      let total = 0;
      for (let i = 0; i < 50; i++) {
        for (let k = 0; k < 16; k++) {
          stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 65536)!);
        }
        const start = performance.now();
        sim.restore(snapshot);
        total += performance.now() - start;
      }
      times.push(total * 1000 / 50);
    }
    return median(times);
  },
  "map + unmap 1 MiB (default placement, 64 GiB at 30 %)": (Sim) => {
    const stream = machine(Sim, "x64-64gib", 0.3).stream();
    const mdl = stream.allocatePagesForMdl(ANY, 1 << 20)!;
    return micros(21, 200, () => {
      stream.unmapAllocatedPages(stream.mapAllocatedPages(mdl, 1)!, mdl);
    });
  },
  "build 64 GiB at 30 %": (Sim) => micros(3, 1, () => void machine(Sim, "x64-64gib", 0.3)),
};

const built = new Map<string, Simulator>();
function machine(
  Sim: SimulatorClass,
  name: "x64-4gib" | "x64-16gib" | "x64-64gib",
  fragmentation: number,
  placement?: "lowest-first",
): Simulator {
  return new Sim({
    machine: name,
    fragmentation,
    seed: 1,
    captureAllocationSites: false,
    placement,
  });
}

function pair(
  Sim: SimulatorClass,
  placement: "lowest-first" | undefined,
  bytes: number,
  batch: number,
  samples: number,
  high = ANY,
): number {
  const key = `${Sim === Simulator ? "new" : "old"}-${placement}`;
  let sim = built.get(key);
  if (sim === undefined) built.set(key, sim = machine(Sim, "x64-64gib", 0.3, placement));
  const stream = sim.stream();
  return micros(samples, batch, () => {
    stream.freePagesFromMdl(stream.allocatePagesForMdl(high, bytes)!);
  });
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (dir === undefined) throw new Error("usage: before_after.ts <directory of the old core/>");
  const old = (await import(new URL(`file://${Deno.realPathSync(dir)}/simulator.ts`).href))
    .Simulator as SimulatorClass;
  // An optional second argument keeps only the cases whose name contains it.
  const only = Deno.args[1] ?? "";
  // An optional third, how many rounds of before and after alternate (5 unless told).
  const rounds = Number(Deno.args[2] ?? 5);
  const rows = [];
  for (const [name, run] of Object.entries(cases).filter(([name]) => name.includes(only))) {
    const before: number[] = [];
    const after: number[] = [];
    for (let r = 0; r < rounds; r++) {
      before.push(run(old));
      after.push(run(Simulator));
    }
    const ratios = before.map((b, i) => b / after[i]).sort((a, b) => a - b);
    rows.push({
      case: name,
      before: `${median(before).toFixed(1)} µs`,
      after: `${median(after).toFixed(1)} µs`,
      "before ÷ after": `${median(ratios).toFixed(2)}× (${ratios[0].toFixed(2)}–${
        ratios.at(-1)!.toFixed(2)
      })`,
    });
  }
  console.table(rows);
}
