/**
 * Built fuzz machines, kept and restored instead of rebuilt: one simulator per fragmentation and
 * seed, put back to its post-build snapshot (with the run's faults) before each sequence.
 *
 * @module
 */

import type { FaultOptions } from "../core/faults.ts";
import { Simulator } from "../core/simulator.ts";
import type { SimulatorSnapshot } from "../core/snapshot.ts";

/** What decides a pooled machine and its faults. */
export interface PoolConditions {
  readonly fragmentation: number;
  readonly seed: number;
  readonly faults: FaultOptions;
}

/**
 * Which pooled machine runs under `conditions`: one per fragmentation and seed (faults are set
 * at each acquire).
 *
 * @example
 * ```ts
 * machineKey({ fragmentation: 0.3, seed: 2 }); // "0.3/2"
 * ```
 */
export function machineKey(conditions: Omit<PoolConditions, "faults">): string {
  return `${conditions.fragmentation}/${conditions.seed}`;
}

/**
 * Simulators of one layout (`machine`), by fragmentation and seed, each restored to the state it
 * had when built: what a run sees is what a newly built simulator with the same options shows.
 *
 * @example
 * ```ts
 * using pool = new MachinePool("x64-4gib");
 * const sim = pool.acquire({ fragmentation: 0.3, seed: 1, faults: {} });
 * sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096); // left allocated: the next acquire frees it
 * pool.acquire({ fragmentation: 0.3, seed: 1, faults: { probability: 0.06 } }) === sim; // true
 * ```
 */
export class MachinePool {
  readonly machine: "x64-4gib" | "x64-16gib" | "x64-64gib";
  readonly #machines = new Map<string, { sim: Simulator; snapshot: SimulatorSnapshot }>();

  constructor(machine: "x64-4gib" | "x64-16gib" | "x64-64gib") {
    this.machine = machine;
  }

  /** Number of machines built so far. */
  get size(): number {
    return this.#machines.size;
  }

  /** The machine of these conditions, as newly built with their faults. */
  acquire(conditions: PoolConditions): Simulator {
    const key = machineKey(conditions);
    let entry = this.#machines.get(key);
    if (entry === undefined) {
      const sim = new Simulator({
        machine: this.machine,
        fragmentation: conditions.fragmentation,
        seed: conditions.seed,
        captureAllocationSites: false,
      });
      entry = { sim, snapshot: sim.snapshot() };
      this.#machines.set(key, entry);
    }
    entry.sim.restore(entry.snapshot, conditions.faults);
    return entry.sim;
  }

  /** Closes every machine and forgets them. */
  close(): void {
    for (const { sim } of this.#machines.values()) sim.close();
    this.#machines.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
