/**
 * The backends a case runs on: the simulator, configured from the case's conditions, and the
 * hardware, when this machine offers it. A backend that cannot run a case says why, and the case
 * shows as ignored there, never as passed.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import type { CostModel } from "../core/cost_model.ts";
import { hostMachine, type MachineLayout, machinePresets } from "../core/machine.ts";
import { Simulator } from "../core/simulator.ts";
import type { Conditions, SuiteCase } from "./define_suite.ts";
import { type BackendRun, ignoredRun } from "./results.ts";
import { runCase } from "./run_case.ts";

/** Names accepted by `--backend` and {@linkcode RunOptions.backends}. */
export const backendNames = ["simulator", "hardware"] as const;

/** One of {@linkcode backendNames}. */
export type BackendName = typeof backendNames[number];

/** Settings shared by every case of a run. */
export interface RunOptions {
  /** Seed for cases whose conditions fix none. */
  readonly seed: number;
  /**
   * A cost model calibrated on this machine's hardware. Without one the simulator's latencies are
   * order-of-magnitude defaults and are not compared with measured ones.
   */
  readonly calibratedCostModel?: Partial<CostModel>;
}

/**
 * Runs a case on one kind of backend, opening and closing the backend around it.
 *
 * @example
 * ```ts
 * const run = await simulatorProvider.run(suite.cases[0], { seed: 1 });
 * ```
 */
export interface BackendProvider {
  readonly name: BackendName;
  run(testCase: SuiteCase, options: RunOptions): Promise<BackendRun>;
}

/**
 * The simulator with the case's machine, fragmentation, seed, faults and memory cap. Its leak
 * check proves after every repetition that the runner freed everything.
 *
 * @example
 * ```ts
 * (await simulatorProvider.run(testCase, { seed: 7 })).status;
 * ```
 */
export const simulatorProvider: BackendProvider = {
  name: "simulator",
  run(testCase, options) {
    const { conditions } = testCase;
    let machine: MachineLayout;
    try {
      machine = conditions.machine === "host" ? hostMachine() : machinePresets[conditions.machine];
    } catch (error) {
      return Promise.resolve(
        ignoredRun("simulator", `the host memory map is unavailable: ${message(error)}`),
      );
    }
    const sim = new Simulator({
      machine,
      fragmentation: conditions.fragmentation,
      seed: conditions.seed ?? options.seed,
      faults: { ...conditions.faults, memoryCapBytes: conditions.memoryCapBytes },
      costModel: options.calibratedCostModel,
    });
    try {
      return Promise.resolve(runCase({
        backend: sim,
        machine: sim.machine,
        liveMdls: () => sim.leaks().length,
        assertNoLeaks: () => sim.assertNoLeaks(),
      }, testCase));
    } finally {
      sim.close();
    }
  },
};

/** What `ffi/host_backend.ts` is expected to export (issue 3). */
interface HostBackendModule {
  openHostBackend(): Backend | Promise<Backend>;
}

const hostBackendModule = new URL("../ffi/host_backend.ts", import.meta.url).href;

/**
 * This machine's memory through the native helper (`ffi/host_backend.ts`). Cases whose conditions
 * only the simulator can create (fragmentation, injected faults, a memory cap) are ignored here
 * with that reason, as is everything when the helper cannot be opened.
 *
 * @example
 * ```ts
 * const run = await hardwareProvider.run(testCase, { seed: 1 });
 * if (run.status === "ignored") console.log(run.reason);
 * ```
 */
export const hardwareProvider: BackendProvider = {
  name: "hardware",
  async run(testCase) {
    const simulatorOnly = simulatorOnlyConditions(testCase.conditions);
    if (simulatorOnly.length > 0) {
      return ignoredRun(
        "hardware",
        `conditions only the simulator can create: ${simulatorOnly.join(", ")}`,
      );
    }
    let backend: Backend;
    try {
      // Imported by computed URL: the hardware side is optional and must not break type checks or
      // module loading where it is missing.
      const module = await import(hostBackendModule) as Partial<HostBackendModule>;
      if (typeof module.openHostBackend !== "function") {
        throw new Error(`${hostBackendModule} does not export openHostBackend()`);
      }
      backend = await module.openHostBackend();
    } catch (error) {
      return ignoredRun("hardware", `hardware backend unavailable: ${message(error)}`);
    }
    try {
      return runCase({ backend, machine: hostMachineOrNull() }, testCase);
    } finally {
      backend.close();
    }
  },
};

/**
 * Providers by name, in the order tables and reports show them.
 *
 * @example
 * ```ts
 * providersFor(["simulator"]); // [simulatorProvider]
 * ```
 */
export function providersFor(names: readonly BackendName[]): BackendProvider[] {
  return [simulatorProvider, hardwareProvider].filter((p) => names.includes(p.name));
}

/**
 * The conditions of a case that real hardware cannot reproduce, as "name value" labels.
 *
 * @example
 * ```ts
 * simulatorOnlyConditions({ machine: "x64-16gib", fragmentation: 0.5 }); // ["fragmentation 0.5"]
 * ```
 */
export function simulatorOnlyConditions(conditions: Conditions): string[] {
  const labels: string[] = [];
  if (conditions.fragmentation > 0) labels.push(`fragmentation ${conditions.fragmentation}`);
  const faults = conditions.faults ?? {};
  if ((faults.probability ?? 0) > 0) labels.push(`fault probability ${faults.probability}`);
  if ((faults.failNth ?? []).length > 0) labels.push(`failNth [${faults.failNth!.join(", ")}]`);
  if (faults.systematic) labels.push("systematic faults");
  if (conditions.memoryCapBytes !== undefined) {
    labels.push(`memory cap ${conditions.memoryCapBytes} bytes`);
  }
  return labels;
}

function hostMachineOrNull(): MachineLayout | null {
  try {
    return hostMachine();
  } catch {
    // Without CAP_SYS_ADMIN /proc/iomem shows zeros: the map is then drawn without RAM ranges.
    return null;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
