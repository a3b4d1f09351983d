/**
 * How often a contiguous buffer can still be had on a fragmented machine, per fragmentation
 * model: 64 KiB, 1 MiB and 2 MiB below 1 GiB and below 4 GiB, at 30 %, 70 % and 95 % of RAM in
 * use, over 10 seeds of a 16 GiB machine (default `fragmentRunPages`, 4). Prints successes out of
 * 10 per cell and the build time of a 64 GiB machine at 30 % per model. Nothing is asserted.
 *
 * Run: `npx --yes deno@2 run --allow-read bench/fragmentation_rates.ts`
 *
 * @module
 */

import { Simulator } from "../core/simulator.ts";

const models = ["geometric", "heavy-tailed"] as const;
const fractions = [0.3, 0.7, 0.95];
const sizes = [["64 KiB", 64 << 10], ["1 MiB", 1 << 20], ["2 MiB", 2 << 20]] as const;
const bounds = [["1 GiB", (1n << 30n) - 1n], ["4 GiB", (1n << 32n) - 1n]] as const;
const seeds = 10;

if (import.meta.main) {
  const rows = [];
  for (const model of models) {
    for (const fragmentation of fractions) {
      const row: Record<string, string | number> = { model, fragmentation };
      const ok = new Map<string, number>();
      for (let seed = 1; seed <= seeds; seed++) {
        using sim = new Simulator({
          machine: "x64-16gib",
          fragmentation,
          seed,
          fragmentModel: model,
        });
        const stream = sim.stream();
        for (const [bound, high] of bounds) {
          for (const [size, bytes] of sizes) {
            const mdl = stream.allocateContiguousPagesForMdl(0n, high, bytes);
            const key = `${size} < ${bound}`;
            ok.set(key, (ok.get(key) ?? 0) + (mdl === null ? 0 : 1));
            if (mdl !== null) stream.freePagesFromMdl(mdl);
          }
        }
      }
      for (const [key, n] of ok) row[key] = `${n}/${seeds}`;
      rows.push(row);
    }
  }
  console.table(rows);
  for (const model of models) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      new Simulator({ machine: "x64-64gib", fragmentation: 0.3, seed: 2, fragmentModel: model })
        .close();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `build 64 GiB at 30 %, ${model}: best ${times[0].toFixed(0)} ms, median ${
        times[2].toFixed(0)
      } ms`,
    );
  }
}
