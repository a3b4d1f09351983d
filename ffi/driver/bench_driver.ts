/**
 * Speed of the driver harness:
 *
 * ```sh
 * npx --yes deno@2 run --allow-read --allow-write --allow-run --allow-env --allow-ffi \
 *   ffi/driver/bench_driver.ts
 * ```
 *
 * 1. The bridge's cost per `IPortWaveRTStream` call over the simulator's own time: a C driver
 *    makes 1,000 allocate/map/unmap/free cycles (4,000 calls) through the bridge, against the same
 *    calls made on a simulator stream directly from TypeScript; and 1,000
 *    GetPhysicalPageAddress calls likewise (target ≤ 1 µs per call). Each figure is the fastest of
 *    100 runs (the least disturbed by other work on the machine); the median is shown beside it.
 * 2. Where a sweep's time goes: starting a child (with its first case), loading the library,
 *    building a simulator, one case in process.
 * 3. The sweep of the bundled example (every call site failing, every partial-size class, no
 *    random runs, the buggy one also shrunk) for a 100 ms and a 1 s buffer (target < 2 s), by
 *    one long-lived child (as `sweepDriverCase` runs it) and, side by side in the same rounds,
 *    by one child per batch (how sweeps ran before), fastest–slowest of `ROUNDS` rounds.
 *
 * @module
 */

import type { WaveRtStream } from "../../core/backend.ts";
import { CacheType } from "../../core/constants.ts";
import { Simulator } from "../../core/simulator.ts";
import { buildDriverLibrary, exampleDrivers } from "./build_driver.ts";
import { IsolatedDriverRunner, runDriverBatch } from "./isolated.ts";
import { DriverLibrary } from "./library.ts";
import { type DriverCaseOptions, runDriverCaseInProcess } from "./run_case.ts";
import { sweepDriverCase, sweepWith } from "./sweep.ts";

const REPEATS = 100;
/** The settings the harness runs the simulator with. */
const SIMULATOR = { captureAllocationSites: false } as const;

const ROUNDS = 5;

/** Milliseconds of one run of `body`. */
async function timeOnce(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

/** The example sweeps: correct, buggy, buggy shrunk. */
const SWEEPS = (correct: string, buggy: string) =>
  [["correct", correct, false], ["buggy", buggy, false], ["buggy", buggy, true]] as const;

/** A sweep by one long-lived child, and by one child per batch as sweeps ran before. */
const RUNNERS = [
  [
    "one child",
    (options: DriverCaseOptions, shrink: boolean) =>
      sweepDriverCase(options, { random: false, shrink }),
  ],
  [
    "a child per batch",
    (options: DriverCaseOptions, shrink: boolean) =>
      sweepWith((jobs) => runDriverBatch(jobs), options, { random: false, shrink }),
  ],
] as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds of `body`: fastest and median of REPEATS runs after 5 warm-up runs. */
function time(body: () => void): { min: number; median: number } {
  for (let i = 0; i < 5; i++) body();
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    body();
    samples.push(performance.now() - start);
  }
  return { min: Math.min(...samples), median: median(samples) };
}

/** Per-call nanoseconds from a timed loop, a baseline and the call count. */
function perCall(
  loop: { min: number; median: number },
  base: { min: number; median: number },
  calls: number,
): { min: number; median: number } {
  return {
    min: (loop.min - base.min) * 1e6 / calls,
    median: (loop.median - base.median) * 1e6 / calls,
  };
}

/**
 * Per-call overhead of the bridge for one driver mode, in nanoseconds.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built test driver and --allow-ffi.
 * const { overheadNs } = bridgeOverhead(library, "bench-cycles", 4000, simulateCycles);
 * ```
 */
export function bridgeOverhead(
  library: string,
  mode: string,
  calls: number,
  direct: (stream: WaveRtStream) => void,
): { bridgeNs: number; simulatorNs: number; overheadNs: number; medianOverheadNs: number } {
  const run = (parameters: string) => () => {
    const result = runDriverCaseInProcess({ library, requestedBytes: 4096, parameters });
    if (!result.passed) throw new Error(`${parameters}: ${JSON.stringify(result.findings)}`);
  };
  const bridge = perCall(time(run(mode)), time(run("ok")), calls);
  using sim = new Simulator(SIMULATOR);
  const stream = sim.stream();
  const simulator = perCall(time(() => direct(stream)), { min: 0, median: 0 }, calls);
  return {
    bridgeNs: bridge.min,
    simulatorNs: simulator.min,
    overheadNs: bridge.min - simulator.min,
    medianOverheadNs: bridge.median - simulator.median,
  };
}

if (import.meta.main) {
  const contract = await buildDriverLibrary(exampleDrivers.contract);
  const cycles = bridgeOverhead(contract, "bench-cycles", 4000, (stream) => {
    for (let i = 0; i < 1000; i++) {
      const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096n)!;
      const va = stream.mapAllocatedPages(mdl, CacheType.Cached);
      if (va !== null) stream.unmapAllocatedPages(va, mdl);
      stream.freePagesFromMdl(mdl);
    }
  });
  const addresses = bridgeOverhead(contract, "bench-addresses", 1000, (stream) => {
    const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096n)!;
    for (let i = 0; i < 1000; i++) stream.getPhysicalPageAddress(mdl, 0);
    stream.freePagesFromMdl(mdl);
  });
  const ns = (n: number) => `${n.toFixed(0)} ns`;
  console.log("IPortWaveRTStream call through the bridge (fastest of 100 runs; median after):");
  for (
    const [name, r] of [["allocate/map/unmap/free", cycles], [
      "GetPhysicalPageAddress",
      addresses,
    ]] as const
  ) {
    console.log(
      `  ${name}: ${ns(r.bridgeNs)} per call, simulator alone ${ns(r.simulatorNs)}, ` +
        `bridge adds ${ns(r.overheadNs)} (target ≤ 1000 ns); median ${ns(r.medianOverheadNs)}`,
    );
  }
  const correct = await buildDriverLibrary(exampleDrivers.correct);
  const buggy = await buildDriverLibrary(exampleDrivers.buggy);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const oneCase = { library: contract, requestedBytes: 4096, parameters: "ok" };
  const first = await timeOnce(() => runDriverBatch([oneCase]));
  await using runner = new IsolatedDriverRunner();
  await runner.run([oneCase]);
  const again = await timeOnce(() => runner.run([oneCase]));
  const load = await timeOnce(() => Promise.resolve(DriverLibrary.open(buggy).close()));
  const simulator = time(() => new Simulator(SIMULATOR).close());
  const inProcess = time(() => runDriverCaseInProcess({ library: buggy, requestedBytes: 19_200 }));
  console.log(
    `where the time goes: a fresh child with one case ${ms(first)}, the same case in a running ` +
      `child ${ms(again)}; loading a driver library ${ms(load)}; new Simulator() ` +
      `${ms(simulator.min)} (median ${ms(simulator.median)}); a case of the example in process ` +
      `${ms(inProcess.min)} (median ${ms(inProcess.median)})`,
  );

  const rows = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, requestedBytes] of [["100 ms", 19_200], ["1 s", 192_000]] as const) {
      for (const [name, library, shrink] of SWEEPS(correct, buggy)) {
        for (const [how, run] of RUNNERS) {
          const report = await run({ library, requestedBytes, notificationCount: 2 }, shrink);
          const key = `${name}, ${label} (${report.runs} runs, ${report.failures.length} ` +
            `failing rules${shrink ? " shrunk" : ""}), ${how}`;
          rows.set(key, [...rows.get(key) ?? [], report.elapsedMs]);
        }
      }
    }
  }
  console.log(`sweeps of the example, fastest–slowest of ${ROUNDS} rounds (target < 2000 ms):`);
  for (const [key, times] of rows) {
    console.log(`  ${key}: ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)} ms`);
  }
}
