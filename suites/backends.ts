/**
 * The backends a case runs on: the simulator, configured from the case's conditions, and the
 * hardware, when this machine offers it. A backend that cannot run a case says why, and the case
 * shows as ignored there, never as passed.
 *
 * @module
 */

import type { CostProfile } from "../core/cost_profile.ts";
import { hostMachine, type MachineLayout, machinePresets } from "../core/machine.ts";
import type { PlacementOption } from "../core/placement.ts";
import { Simulator } from "../core/simulator.ts";
import { runIsolated } from "../ffi/isolation.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { helperAvailability } from "../ffi/library.ts";
import type { Conditions, SuiteCase } from "./suite_model.ts";
import { hardwareCaseModule } from "./hardware_case.ts";
import { type BackendRun, failedRun, ignoredRun } from "./results.ts";
import { runCase, type RunCaseOptions } from "./run_case.ts";
import { fromTaggedJson, toTaggedJson } from "./tagged_json.ts";

/**
 * Backends a case can run on, in the order tables show them.
 *
 * @example
 * ```ts
 * import type { RegisterOptions } from "../mod.ts";
 * const options: RegisterOptions = { backends: backendNames.filter((b) => b !== "hardware") };
 * options.backends; // ["simulator"]
 * ```
 */
export const backendNames = ["simulator", "hardware"] as const;

/** One of {@linkcode backendNames}. */
export type BackendName = typeof backendNames[number];

/** Settings shared by every case of a run. */
export interface RunOptions extends RunCaseOptions {
  /** Seed for cases whose conditions fix none. */
  readonly seed: number;
  /**
   * A cost profile calibrated on this machine's hardware (`bench/calibrate.ts`). Without one the
   * simulator's latencies are order-of-magnitude defaults and are not compared with measured ones.
   */
  readonly costProfile?: Pick<CostProfile, "name" | "costModel" | "freshPages">;
  /** The simulator's placement policy (`core/placement.ts`); default `"running-system"`. */
  readonly placement?: PlacementOption;
}

/**
 * Runs a case on one kind of backend, opening and closing the backend around it.
 *
 * @example
 * ```ts
 * import { commonFormats } from "./bundled.ts";
 * const provider: BackendProvider = simulatorProvider;
 * const run = await provider.run(commonFormats.cases[0], { seed: 1 });
 * run.status; // "passed"
 * ```
 */
export interface BackendProvider {
  /** Which kind of backend this provides; runs and tables are labelled with it. */
  readonly name: BackendName;
  /** Runs `testCase` on a backend opened for it; a case it cannot run comes back ignored. */
  run(testCase: SuiteCase, options: RunOptions): Promise<BackendRun>;
}

/**
 * The simulator with the case's machine, fragmentation, seed, faults and memory cap. Its leak
 * check proves after every repetition that the runner freed everything.
 *
 * @example
 * ```ts
 * import { dmaLimited } from "./bundled.ts";
 * (await simulatorProvider.run(dmaLimited.cases[0], { seed: 7 })).status; // "passed"
 * ```
 */
export const simulatorProvider: BackendProvider = {
  name: "simulator",
  run(testCase, options) {
    const { conditions } = testCase;
    let machine: MachineLayout;
    try {
      machine = conditions.machine === "host" ? hostLayout() : machinePresets[conditions.machine];
    } catch (error) {
      return Promise.resolve(
        ignoredRun("simulator", `the host memory map is unavailable: ${message(error)}`),
      );
    }
    const sim = new Simulator({
      machine,
      fragmentation: conditions.fragmentation,
      fragmentRunPages: conditions.fragmentRunPages,
      fragmentModel: conditions.fragmentModel,
      seed: conditions.seed ?? options.seed,
      faults: { ...conditions.faults, memoryCapBytes: conditions.memoryCapBytes },
      costModel: options.costProfile?.costModel,
      freshPages: options.costProfile?.freshPages,
      placement: options.placement,
    });
    try {
      return Promise.resolve(runCase(
        {
          name: "simulator",
          backend: sim,
          machine: sim.machine,
        },
        testCase,
        options,
      ));
    } finally {
      sim.close();
    }
  },
};

/**
 * This machine's memory through the native helper (`ffi/`), each case in an isolated child
 * process. Cases whose conditions only the simulator can create (fragmentation, injected faults, a
 * memory cap) are ignored here with that reason, as is everything when the helper cannot be loaded
 * or no child process may be started. A crash of the child fails the case.
 *
 * @example
 * ```ts
 * import { pressure } from "./bundled.ts";
 * const run = await hardwareProvider.run(pressure.cases[0], { seed: 1 });
 * if (run.status === "ignored") console.log(run.reason);
 * // "conditions only the simulator can create: memory cap 1048576 bytes"
 * ```
 */
export const hardwareProvider: BackendProvider = {
  name: "hardware",
  async run(testCase, options) {
    const simulatorOnly = simulatorOnlyConditions(testCase.conditions);
    if (simulatorOnly.length > 0) {
      return ignoredRun(
        "hardware",
        `conditions only the simulator can create: ${simulatorOnly.join(", ")}`,
      );
    }
    const unavailable = hardwareUnavailable();
    if (unavailable !== null) {
      return ignoredRun("hardware", `hardware backend unavailable: ${unavailable}`);
    }
    try {
      const output = await runIsolated(hardwareCaseModule, "runSuiteCase", {
        input: toTaggedJson({
          testCase,
          options: { measuredLatencyBudgets: options.measuredLatencyBudgets },
        }),
      });
      return fromTaggedJson<BackendRun>(output as string);
    } catch (error) {
      return failedRun("hardware", `the isolated hardware case failed: ${message(error)}`);
    }
  },
};

/** Why hardware cases cannot run here, or null when they can. */
function hardwareUnavailable(): string | null {
  if (Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state !== "granted") {
    return "each hardware case runs in a child process, which needs --allow-run";
  }
  try {
    const helper = helperAvailability();
    return helper.available ? null : helper.reason;
  } catch (error) {
    return message(error);
  }
}

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

/**
 * This machine's RAM layout for the simulator's `"host"` machine: from `/proc/iomem` where Deno
 * allows reading it (only under --allow-all), otherwise from the native helper, which reads it
 * with no more than --allow-ffi. Throws, naming both reasons, when neither can.
 */
function hostLayout(): MachineLayout {
  try {
    return hostMachine();
  } catch (direct) {
    const helper = helperAvailability();
    if (!helper.available) {
      throw new Error(`${message(direct)}; the native helper is unavailable: ${helper.reason}`);
    }
    using backend = openHostBackend();
    const layout = backend.ramLayout();
    if (layout === null) {
      throw new Error(`${message(direct)}; the helper cannot read physical addresses either`);
    }
    return layout;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
