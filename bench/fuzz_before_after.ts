/**
 * Fuzzing throughput of this checkout against an older one in one process: each side runs the
 * same shards (1,000 sequences each, seeds as `deno task fuzz --seed 77` gives them) on its own
 * machine pool, alternating shard by shard, so that a ratio shares the load of its moment on a
 * busy machine. The older tree needs its `core/` and `fuzz/` (e.g.
 * `git archive <commit> core fuzz | tar -x -C /tmp/base`). Prints steps per second of each and
 * the ratio of their times, and the time to build each tree's machine pool; nothing is asserted.
 *
 * Run: `npx --yes deno@2 run --allow-read bench/fuzz_before_after.ts /tmp/base [shards]`
 *
 * @module
 */

import { FUZZ_MACHINE, MACHINE_SEEDS, runShard, shardSeed } from "../fuzz/fuzz.ts";
import { MachinePool } from "../fuzz/machine_pool.ts";
import { SequenceChecker } from "../fuzz/run_sequence.ts";
import { median } from "./batch_timing.ts";

/** Runs shard `index` of seed 77 on one tree; returns its milliseconds and steps. */
type ShardRunner = (index: number) => { ms: number; steps: number };

function runner(
  run: typeof runShard,
  Pool: typeof MachinePool,
  Checker: typeof SequenceChecker,
): ShardRunner {
  const pool = new Pool(FUZZ_MACHINE);
  const checker = new Checker();
  return (index) => {
    const task = { index, seed: shardSeed(77, index), runs: 1000, maxSteps: 12, faults: true };
    const start = performance.now();
    const { steps } = run(task, { pool, checker });
    return { ms: performance.now() - start, steps };
  };
}

/** Milliseconds to build a pool's every machine (each fragmentation and seed), then closed. */
function poolBuildMs(Pool: typeof MachinePool): number {
  const start = performance.now();
  const pool = new Pool(FUZZ_MACHINE);
  for (const fragmentation of [0, 0.3, 0.9]) {
    for (let seed = 1; seed <= MACHINE_SEEDS; seed++) {
      pool.acquire({ fragmentation, seed, faults: {} });
    }
  }
  const ms = performance.now() - start;
  pool.close();
  return ms;
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (dir === undefined) throw new Error("usage: fuzz_before_after.ts <older tree> [shards]");
  const shards = Number(Deno.args[1] ?? 20);
  if (!Number.isInteger(shards) || shards < 1) {
    throw new RangeError(`shards must be a whole number ≥ 1, got ${Deno.args[1]}`);
  }
  const root = `file://${Deno.realPathSync(dir)}/fuzz/`;
  const older = await import(`${root}fuzz.ts`);
  const olderPool = (await import(`${root}machine_pool.ts`)).MachinePool;
  const olderChecker = (await import(`${root}run_sequence.ts`)).SequenceChecker;
  // Building the pools, alternately, three times each (the first run of a fuzz pays it once).
  const builds = { before: [] as number[], after: [] as number[] };
  for (let i = 0; i < 3; i++) {
    builds.before.push(poolBuildMs(olderPool));
    builds.after.push(poolBuildMs(MachinePool));
  }
  const before = runner(older.runShard, olderPool, olderChecker);
  const after = runner(runShard, MachinePool, SequenceChecker);
  // Warm-up: the pools' machines built, the code compiled.
  for (let i = 0; i < 3; i++) (before(shards + i), after(shards + i));
  const totals = { before: { ms: 0, steps: 0 }, after: { ms: 0, steps: 0 } };
  const ratios: number[] = [];
  for (let i = 0; i < shards; i++) {
    const b = before(i);
    const a = after(i);
    totals.before.ms += b.ms;
    totals.before.steps += b.steps;
    totals.after.ms += a.ms;
    totals.after.steps += a.steps;
    ratios.push(a.ms / b.ms);
  }
  const perSecond = (t: { ms: number; steps: number }) => Math.round(t.steps / t.ms * 1000);
  console.table([{
    shards,
    "steps/s before": perSecond(totals.before),
    "steps/s after": perSecond(totals.after),
    "same steps": totals.before.steps === totals.after.steps,
    "pool build ms before": Math.round(median(builds.before)),
    "pool build ms after": Math.round(median(builds.after)),
    "time after ÷ before": `${(totals.after.ms / totals.before.ms).toFixed(3)} (median shard ${
      median(ratios).toFixed(3)
    })`,
  }]);
}
