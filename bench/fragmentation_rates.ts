/**
 * How often a contiguous buffer can still be had on a fragmented machine, per fragmentation
 * model: 64 KiB, 1 MiB and 2 MiB below 1 GiB and below 4 GiB, at 30 %, 70 % and 95 % of RAM in
 * use, over 10 seeds of a 16 GiB machine (default `fragmentRunPages`, 4). Prints successes out of
 * 10 per cell, and per model the build and build + first 1 MiB allocation of a 64 GiB machine at
 * 30 %. Nothing is asserted.
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
  // Build + first 1 MiB allocation of a 64 GiB machine at 30 %, models alternating, 7 rounds.
  const times = new Map(models.map((m) => [m, { build: [] as number[], total: [] as number[] }]));
  for (let round = 0; round < 7; round++) {
    for (const model of models) {
      const start = performance.now();
      using sim = new Simulator({
        machine: "x64-64gib",
        fragmentation: 0.3,
        seed: 2 + round,
        fragmentModel: model,
      });
      const built = performance.now();
      sim.stream().allocatePagesForMdl(0xffff_ffff_ffffn, 1 << 20);
      const t = times.get(model)!;
      t.build.push(built - start);
      t.total.push(performance.now() - start);
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  for (const [model, t] of times) {
    console.log(
      `64 GiB at 30 %, ${model}: build median ${median(t.build).toFixed(1)} ms, build + first ` +
        `1 MiB median ${median(t.total).toFixed(1)} ms (best ${Math.min(...t.total).toFixed(1)})`,
    );
  }
}
