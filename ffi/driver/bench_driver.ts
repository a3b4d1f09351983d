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
 * 2. The sweep of the bundled example (every call site failing, every partial-size class, no
 *    random runs), in a child process as the tests run it, for a 100 ms and a 1 s buffer
 *    (target < 2 s).
 *
 * @module
 */

import type { WaveRtStream } from "../../core/backend.ts";
import { CacheType } from "../../core/constants.ts";
import { Simulator } from "../../core/simulator.ts";
import { buildDriverLibrary, exampleDrivers } from "./build_driver.ts";
import { runDriverCaseInProcess } from "./run_case.ts";
import { sweepDriverCase } from "./sweep.ts";

const REPEATS = 100;
/** The settings the harness runs the simulator with. */
const SIMULATOR = { captureAllocationSites: false } as const;

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
  for (const [label, requestedBytes] of [["100 ms", 19_200], ["1 s", 192_000]] as const) {
    for (const library of [correct, buggy]) {
      for (const shrink of [false, true]) {
        const report = await sweepDriverCase(
          { library, requestedBytes, notificationCount: 2 },
          { random: false, shrink },
        );
        console.log(
          `sweep of ${library.split("/").pop()} (${label}, ${requestedBytes} bytes): ` +
            `${report.runs} runs, ${report.failures.length} failing rules` +
            `${shrink ? " shrunk" : ""}, ${report.elapsedMs.toFixed(0)} ms (target < 2000 ms)`,
        );
        if (report.failures.length === 0) break;
      }
    }
  }
}
