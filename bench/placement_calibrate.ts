/**
 * Calibrates the simulator's placement on this machine and checks it: measures the host through
 * the hardware backend (64 KiB–16 MiB buffers), saves a placement profile, measures a second,
 * held-out host sample, and compares the run-length distributions of the default simulator and
 * the calibrated one against it with a two-sample Kolmogorov–Smirnov test at α = 0.01.
 *
 * Run: `npx --yes deno@2 task calibrate:placement [out/placement-profile.json]`
 *
 * @module
 */

import { Simulator } from "../core/simulator.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { ksTwoSample } from "../stats/ks_test.ts";
import { measurePlacement, PLACEMENT_SIZES, profileFromMeasurement } from "./placement_measure.ts";

const path = Deno.args[0] ?? "out/placement-profile.json";
const rounds = 20;
const workload = { sizes: PLACEMENT_SIZES, rounds };

using host = openHostBackend();
if (!host.capabilities.frameNumbers.available) {
  console.error(`frame numbers unavailable: ${host.capabilities.frameNumbers.reason}`);
  Deno.exit(2);
}
const machine = host.ramLayout() ?? "x64-16gib";
const highestFrame = typeof machine === "string" ? undefined : Number(
  (machine.ranges.at(-1)!.base + machine.ranges.at(-1)!.length) / BigInt(host.pageSize),
);
// Warm-up rounds first, so that calibration and held-out samples both see a steady state.
measurePlacement(host, { ...workload, rounds: 5, highestFrame });
const calibration = measurePlacement(host, { ...workload, highestFrame });
const profile = profileFromMeasurement(calibration, host, workload);
await Deno.mkdir(new URL(".", new URL(path, `file://${Deno.cwd()}/`)), { recursive: true });
await Deno.writeTextFile(path, JSON.stringify(profile, null, 2) + "\n");
const heldOut = measurePlacement(host, { ...workload, highestFrame });

const rows = [];
const variants = [
  ["host (calibration sample)", calibration],
  ...(["running-system", "lowest-first"] as const).map((placement) => {
    using sim = new Simulator({ machine, seed: 1, placement });
    return [
      `simulator, ${placement}${placement === "running-system" ? " (default)" : ""}`,
      measurePlacement(sim, { ...workload, highestFrame }),
    ] as const;
  }),
  (() => {
    using sim = new Simulator({ machine, seed: 1, placement: { profile } });
    return ["simulator, calibrated", measurePlacement(sim, { ...workload, highestFrame })] as const;
  })(),
] as const;
for (const [name, m] of variants) {
  const ks = ksTwoSample(m.runLengths, heldOut.runLengths, 0.01);
  const mean = m.runLengths.reduce((a, b) => a + b, 0) / m.runLengths.length;
  rows.push({
    sample: name,
    runs: m.runLengths.length,
    "mean run": +mean.toFixed(2),
    "above 4 GiB": `${(m.above4GiBShare * 100).toFixed(1)} %`,
    spread: +m.spread.toFixed(2),
    "KS D": +ks.statistic.toFixed(4),
    "p-value": ks.pValue < 1e-6 ? ks.pValue.toExponential(1) : +ks.pValue.toFixed(4),
    "vs host (α 0.01)": ks.agree ? "agree" : "disagree",
  });
}
console.log(`profile written to ${path}; every sample compared with a held-out host sample`);
console.table(rows);
