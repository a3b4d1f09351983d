/**
 * The simulator for Node.js: what `deno task build:node` bundles into one ESM file,
 * `dist/node/wavert-simulator.mjs` with its types (`.d.mts`). Only the simulator, its constants and
 * `withLeakSites`: the hardware backend needs Deno's FFI, and the suite runner `deno test`. In the
 * bundle every frame of the bundle is the simulator's, so a leak names the first line outside it.
 *
 * ```sh
 * npx --yes deno@2 task build:node
 * node --input-type=module -e 'import { Simulator } from "./dist/node/wavert-simulator.mjs";
 *   console.log(new Simulator({ seed: 1 }).stream().allocatePagesForMdl(-1n, 4096).pfns[0]);'
 * ```
 *
 * @example
 * ```ts
 * import { CacheType, Simulator } from "./simulator.ts";
 * using sim = new Simulator({ seed: 1 });
 * const mdl = sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096);
 * if (mdl !== null) sim.stream().freePagesFromMdl(mdl);
 * CacheType.WriteCombined; // 2
 * ```
 *
 * @module
 */

export { Simulator, type SimulatorOptions } from "../core/simulator.ts";
export { CacheType, Irql, MdlFlags, MmAllocateFlags } from "../core/constants.ts";
export { type MachineLayout, machinePresets } from "../core/machine.ts";
export { DriverViolation, ViolationRules } from "../core/violations.ts";
export { type LeakSitesOptions, withLeakSites } from "../core/leak_sites.ts";
export type { Mdl, WaveRtStream } from "../core/backend.ts";
