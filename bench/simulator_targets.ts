/**
 * Medians of the simulator's speed targets on a 64 GiB machine at 30 % fragmentation, printed as
 * a table against each target: issue 2's for the pairs and the searches, issue 15's for building
 * the machine (≤ 20 ms) and its state (≤ 1.5 bytes per physical page). Timing here is wall-clock
 * per call over many calls; nothing is asserted, the figures are reported.
 *
 * Run: `npx --yes deno@2 run --allow-read bench/simulator_targets.ts`
 */
import { Simulator } from "../mod.ts";

const ANY = 0x7fffffffffffffffn;
const FOUR_GIB = 0xffffffffn;

/** Median of `samples` timings of `body`, each timing averaging `batch` calls, in µs. */
function medianMicros(samples: number, batch: number, body: () => void): number {
  for (let i = 0; i < batch * 3; i++) body();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) body();
    times.push((performance.now() - start) * 1000 / batch);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows: { case: string; median: string; target: string; verdict: string }[] = [];
function report(name: string, micros: number, targetMicros: number, unit: "µs" | "ms") {
  const scale = unit === "ms" ? 1000 : 1;
  rows.push({
    case: name,
    median: `${(micros / scale).toFixed(2)} ${unit}`,
    target: `≤ ${+(targetMicros / scale).toFixed(2)} ${unit}`,
    verdict: micros <= targetMicros
      ? "meets"
      : `misses by ${(micros / targetMicros - 1) * 100 | 0} %`,
  });
}

// The default records the stack of a simulator's first 10,000 allocations only; `true` records
// every one, which shows what a stack costs per allocation.
for (const capture of [undefined, true, false]) {
  const sim = new Simulator({
    machine: "x64-64gib",
    fragmentation: 0.3,
    seed: 1,
    captureAllocationSites: capture,
  });
  const stream = sim.stream();
  // The default's steady state: past the first 10,000 allocations, whose stacks it records.
  if (capture === undefined) {
    for (let i = 0; i < 10_000; i++) {
      stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 4096)!);
    }
  }
  const label = capture === undefined
    ? " (default, after the first 10,000 allocations)"
    : ` (captureAllocationSites: ${capture})`;
  const pair = medianMicros(101, 200, () => {
    stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 1 << 20)!);
  });
  report(`1 MiB allocate + free${label}`, pair, 5, "µs");
  const limited = medianMicros(101, 200, () => {
    stream.freePagesFromMdl(stream.allocatePagesForMdl(FOUR_GIB, 1 << 20)!);
  });
  report(`same, HighAddress 4 GiB${label}`, limited, 2 * pair, "µs");
  if (capture !== undefined) continue;
  const gib = medianMicros(21, 1, () => {
    stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 1n << 30n)!);
  });
  report("1 GiB allocate + free", gib, 20_000, "ms");
  const contiguous = medianMicros(51, 10, () => {
    stream.allocateContiguousPagesForMdl(0n, ANY, 2 << 20);
  });
  report("contiguous 2 MiB search", contiguous, 1000, "ms");
  const build = medianMicros(11, 1, () => {
    new Simulator({ machine: "x64-64gib", fragmentation: 0.3, seed: 2 });
  });
  report("build the machine", build, 20_000, "ms");
  rows.push({
    case: "state per physical page",
    median: `${sim.stateBytesPerPage.toFixed(2)} bytes`,
    target: "≤ 1.5 bytes",
    verdict: sim.stateBytesPerPage <= 1.5 ? "meets" : "misses",
  });
}
console.table(rows);
