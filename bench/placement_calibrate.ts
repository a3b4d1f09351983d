/**
 * Calibrates the simulator's placement on this machine and checks it with a protocol fixed before
 * any figure (README, "Page placement and its calibration"):
 *
 * 1. Three host samples A, B, C, each of 20 fresh processes (`placement_host_sample.ts`, started
 *    interleaved A, B, C, A, …) running the same workload: 10 rounds of 64 KiB, 256 KiB, 1, 4 and
 *    16 MiB buffers held together, then freed (50 buffers a process, 1,000 a sample; the first
 *    round before any free, the rest reusing freed pages). Processes differ from each other (one
 *    long process is not representative: its state drifts), so a sample spans many.
 * 2. The profile is fitted on A only and written as JSON.
 * 3. Simulators (default `running-system`, and calibrated) run the same workload, 20 fresh
 *    simulators a sample (seeds 1–20, and 21–40 for a second calibrated sample), on this host's
 *    RAM layout.
 * 4. Each sample becomes one complete run per buffer (`onePerBuffer`, seed 1): n ≈ 1,000.
 * 5. Two-sample Kolmogorov–Smirnov at α = 0.01 against the held-out host samples B and C:
 *    host A (host-vs-host, the null is true by construction), calibrated, default.
 *
 * Pooled per-run tests (~90,000 runs a side, dependent runs) are printed too, for comparison
 * only.
 *
 * Run: `npx --yes deno@2 task calibrate:placement [out/placement-profile.json]`
 *
 * @module
 */

import { Simulator } from "../core/simulator.ts";
import type { MachineLayout } from "../core/machine.ts";
import { ksTwoSample } from "../stats/ks_test.ts";
import {
  measurePlacement,
  mergeMeasurements,
  onePerBuffer,
  PLACEMENT_SIZES,
  type PlacementMeasurement,
  profileFromMeasurement,
} from "./placement_measure.ts";
import { openHostBackend } from "../ffi/host_backend.ts";

const path = Deno.args[0] ?? "out/placement-profile.json";
const rounds = 10;
const processes = 20;
const workload = { sizes: PLACEMENT_SIZES, rounds };
const ALPHA = 0.01;

async function hostSample(): Promise<PlacementMeasurement> {
  const script = new URL("./placement_host_sample.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-ffi", script, `${rounds}`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) Deno.exit(out.code || 1);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

let machine: MachineLayout | "x64-16gib";
let pageSize: number;
{
  using host = openHostBackend();
  machine = host.ramLayout() ?? "x64-16gib";
  pageSize = host.pageSize;
}
const last = typeof machine === "string" ? undefined : machine.ranges.at(-1);
const highestFrame = last === undefined ? undefined : Number((last.base + last.length) / 4096n);
const parts: PlacementMeasurement[][] = [[], [], []];
for (let i = 0; i < processes; i++) for (const part of parts) part.push(await hostSample());
const [a, b, c] = parts.map(mergeMeasurements);
const profile = profileFromMeasurement(a, { name: "linux-host", pageSize }, workload);
await Deno.mkdir(new URL(".", new URL(path, `file://${Deno.cwd()}/`)), { recursive: true });
await Deno.writeTextFile(path, JSON.stringify(profile, null, 2) + "\n");

function simulated(placement: "running-system" | { profile: typeof profile }, firstSeed: number) {
  return mergeMeasurements(Array.from({ length: processes }, (_, i) => {
    using sim = new Simulator({ machine, seed: firstSeed + i, placement });
    return measurePlacement(sim, { ...workload, highestFrame });
  }));
}
const variants: [string, PlacementMeasurement][] = [
  ["host A (profile fitted on it)", a],
  ["simulator, calibrated on A (seeds 1–20)", simulated({ profile }, 1)],
  ["simulator, calibrated on A (seeds 21–40)", simulated({ profile }, 21)],
  ["simulator, running-system (default)", simulated("running-system", 1)],
];
const fmtP = (p: number) => p < 1e-4 ? p.toExponential(1) : +p.toFixed(4);
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const rows = [];
const pooled = [];
for (const [heldName, held] of [["B", b], ["C", c]] as const) {
  const heldSample = onePerBuffer(held, 1);
  for (const [name, m] of variants) {
    const ks = ksTwoSample(onePerBuffer(m, 1), heldSample, ALPHA);
    rows.push({
      "vs host": heldName,
      sample: name,
      n: ks.n,
      m: ks.m,
      "KS D": +ks.statistic.toFixed(4),
      p: fmtP(ks.pValue),
      [`α ${ALPHA}`]: ks.agree ? "agree" : "disagree",
      "mean run": +mean(m.runLengths).toFixed(3),
      "above 4 GiB": `${(m.above4GiBShare * 100).toFixed(1)} %`,
      reuse: `${(m.reuseShare * 100).toFixed(1)} %`,
    });
    const all = ksTwoSample(m.runLengths, held.runLengths, ALPHA);
    pooled.push({
      "vs host": heldName,
      sample: name,
      runs: all.n,
      "held runs": all.m,
      "KS D": +all.statistic.toFixed(4),
      p: fmtP(all.pValue),
    });
  }
}
console.log(`profile (fitted on host sample A) written to ${path}`);
console.log("Protocol test: one complete run per buffer, 1,000 buffers a side, KS at α = 0.01");
console.table(rows);
console.log("For comparison only: all runs pooled (dependent within a buffer)");
console.table(pooled);
