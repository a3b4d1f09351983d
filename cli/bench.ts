/**
 * The latency sweep from the command line (`deno task bench` runs it after the Deno.bench files):
 * every size on the simulator and, where it can be opened, the hardware backend; the machine's
 * zeroing floor; a cost profile fitted to the hardware; JSON and HTML output; and a comparison
 * against a saved baseline that exits non-zero on a significant regression.
 *
 * Options: see {@linkcode usage} (`--help` prints it and runs nothing). `--deno-bench` (what
 * `deno task bench` passes) first runs the Deno.bench files under bench/, after the options have
 * been checked, so `deno task bench --help` or a bad option answers at once.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ComparisonRow, comparisonTable, sweepTable } from "../report/bench_table.ts";
import { progressBar } from "../report/progress_bar.ts";
import type { Backend } from "../core/backend.ts";
import { allocationNs } from "../core/cost_model.ts";
import { Simulator } from "../core/simulator.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { type CostProfile, loadCostProfile } from "../core/cost_profile.ts";
import { fitCostProfile } from "../bench/calibrate.ts";
import { compareSamples } from "../bench/compare.ts";
import { latencyReportHtml, type Prediction } from "../report/latency_report.ts";
import { harnessOverheadNs } from "../bench/sampler.ts";
import { defaultSweepSizes, type SweepBackend, sweepBackend } from "../bench/sweep.ts";
import { bigintAsHex, type Envelope, envelopeFor } from "../results/envelope.ts";
import { readOutputSync } from "../results/read_output.ts";
import { encodeSamples } from "../stats/hdr.ts";
import { measureZeroing } from "../bench/zeroing.ts";

// Types of the report this command writes.
export { SWEEP_SCHEMA, type SweepBackend, type SweepCase } from "../bench/sweep.ts";
export type { Prediction } from "../report/latency_report.ts";
export type {
  CalibrationPoint,
  CostProfile,
  CostProfileFact,
  CostProfileV1,
  CostProfileV2,
} from "../core/cost_profile.ts";
export type { CostModel } from "../core/cost_model.ts";
export type { LatencySamples, SampleRequest } from "../bench/sampler.ts";
export type { HistogramBucket, LatencySummary } from "../stats/latency.ts";
export type { Envelope, OutputKind, SCHEMAS } from "../results/envelope.ts";
export type { Fact, HostFacts } from "../results/host_facts.ts";

/**
 * The JSON a sweep run writes (and a baseline is), schema {@linkcode SWEEP_SCHEMA}
 * (`wavert-bench.latency-sweep/2`): the envelope (tag, createdAt, host facts, command line), then
 * each case with its raw samples and HDR histogram. `--baseline` validates it with zod and
 * rejects any other tag or a missing field.
 *
 * @example
 * ```ts ignore
 * const report: SweepReport = JSON.parse(Deno.readTextFileSync("dist/bench/latency.json"));
 * report.backends[0].cases[0].hdr; // "HISTFAAA…"
 * ```
 */
export interface SweepReport extends Envelope<"latency-sweep"> {
  /** The machine's zeroing floor: memset throughput of a 64 MiB buffer, and ns per 4 KiB page. */
  readonly zeroing: { bytesPerSecond: number; nsPerPage: number };
  /** Wall-clock cost the sampler adds per simulator sample, in nanoseconds. */
  readonly harnessOverheadNs: number;
  /** Smallest step `performance.now()` showed, in nanoseconds. */
  readonly jsTimerResolutionNs: number;
  /** Backends that could not be opened, by name, with why. */
  readonly skipped: Record<string, string>;
  /** Every size on each backend that ran, each case with its HDR histogram (`hdr`). */
  readonly backends: readonly (SweepBackend & { cases: { hdr: string | null }[] })[];
  /** The cost profile given with `--profile` or fitted to the hardware; null without either. */
  readonly profile: CostProfile | null;
  /** The calibrated simulator against the hardware, per size; empty without both. */
  readonly predictions: readonly Prediction[];
}

/** Smallest step `performance.now()` can show, in nanoseconds. */
function jsTimerResolutionNs(): number {
  let best = Infinity;
  for (let i = 0; i < 1000; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best * 1e6;
}

/**
 * The bench CLI's help text.
 *
 * @example
 * ```ts
 * usage.startsWith("Usage: deno task bench"); // true
 * ```
 */
export const usage = `Usage: deno task bench [options]

Runs the Deno.bench files under bench/ (with --deno-bench, as the task does), then the latency
sweep: every size on the simulator and, where it opens, the hardware backend; writes JSON and HTML.

Options:
  --out <dir>             where latency.json, latency.html and cost-profile.json go (default dist/bench)
  --samples <n>           samples per size (default 200)
  --largest <bytes>       largest size swept (default 67108864)
  --save-baseline <file>  also write the report as a baseline
  --baseline <file>       compare with a saved baseline; exit 1 on a significant regression
  --threshold <fraction>  smallest regression that counts (default 0.05)
  --profile <file>        use a saved cost profile instead of fitting one
  --deno-bench            run \`deno bench bench/\` first
  -h, --help              show this help and run nothing

Exit status: 0, 1 on a regression against --baseline, 2 on bad usage.`;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  Deno.exit(2);
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    fail(`--${name} must be a positive number, got ${text}`);
  }
  return value;
}

/** The permissions the Deno.bench files need, for `--deno-bench`. */
const DENO_BENCH_ARGS = [
  "bench",
  "--allow-read=.",
  "--allow-env=WAVERT_HELPER_PATH,WAVERT_LOCKED_BUDGET,NO_COLOR",
  "--allow-ffi=ffi/native/build/libwavert_helper.so",
  "--allow-run=cc,gcc,clang",
  "bench/",
];

async function main(args: readonly string[]): Promise<void> {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        help: { type: "boolean", short: "h" },
        "deno-bench": { type: "boolean" },
        out: { type: "string", default: "dist/bench" },
        samples: { type: "string" },
        largest: { type: "string" },
        "save-baseline": { type: "string" },
        baseline: { type: "string" },
        threshold: { type: "string" },
        profile: { type: "string" },
      },
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const samples = positive("samples", values.samples, 200);
  const threshold = positive("threshold", values.threshold, 0.05);
  const largest = positive("largest", values.largest, 64 << 20);
  const baseline = values.baseline === undefined ? undefined : readReport(values.baseline);
  const savedProfile = values.profile === undefined ? null : readProfile(values.profile);
  // Every output is checked (and created) before the sweep, which takes minutes.
  try {
    Deno.mkdirSync(values.out!, { recursive: true });
    for (const path of [`${values.out}/latency.json`, values["save-baseline"]]) {
      if (path) Deno.openSync(path, { write: true, create: true }).close();
    }
  } catch (e) {
    fail(`cannot write the outputs: ${(e as Error).message}`);
  }

  if (values["deno-bench"]) {
    const { code } = await new Deno.Command(Deno.execPath(), { args: DENO_BENCH_ARGS }).output();
    if (code !== 0) fail(`deno ${DENO_BENCH_ARGS.join(" ")} exited with ${code}`);
  }

  const zeroing = measureZeroing();
  const skipped: Record<string, string> = {};
  const backends: Backend[] = [new Simulator({ machine: "x64-16gib" })];
  try {
    backends.push(openHostBackend());
  } catch (e) {
    skipped["linux-host"] = `unavailable: ${(e as Error).message}`;
  }
  const results: SweepBackend[] = [];
  try {
    for (const backend of backends) {
      const sizes = defaultSweepSizes(backend.pageSize, largest);
      const bar = progressBar(Deno.stderr);
      const result = sweepBackend(
        backend,
        sizes,
        { samples, timeBudgetMs: 3000 },
        (done, total) => bar.update(done, total, `${backend.name} sizes`),
      );
      bar.clear();
      results.push(result);
    }
  } finally {
    for (const backend of backends) backend.close();
  }
  const overhead = (() => {
    using sim = new Simulator({ captureAllocationSites: false });
    return harnessOverheadNs(sim, {
      call: "allocatePagesForMdl",
      totalBytes: 4096,
      highAddress: 0xffffffffn,
    });
  })();

  const hardware = results.find((r) => r.source === "measured");
  let profile: CostProfile | null = null;
  if (savedProfile) profile = savedProfile;
  else if (hardware) {
    const points = hardware.cases
      .filter((c) => c.summary && c.bytes <= 4 << 20)
      .map((c) => ({ bytes: c.bytes, pages: c.pages, medianNs: c.summary!.p50 }));
    profile = fitCostProfile(`${hardware.backend}-${Deno.hostname()}`, hardware.backend, points, {
      pageSize: 4096,
      zeroBytesPerSecond: zeroing.bytesPerSecond,
    });
  }
  const predictions = hardware && profile ? predict(hardware, profile) : [];

  const report: SweepReport = {
    ...(await envelopeFor("latency-sweep")),
    zeroing: { bytesPerSecond: zeroing.bytesPerSecond, nsPerPage: zeroing.nsPerPage },
    harnessOverheadNs: overhead,
    jsTimerResolutionNs: jsTimerResolutionNs(),
    skipped,
    backends: results.map((b) => ({
      ...b,
      cases: b.cases.map((c) => ({
        ...c,
        hdr: c.samples.durationsNs.length ? encodeSamples(c.samples.durationsNs) : null,
      })),
    })),
    profile,
    predictions,
  };
  await Deno.mkdir(values.out!, { recursive: true });
  const json = `${values.out}/latency.json`;
  const html = `${values.out}/latency.html`;
  Deno.writeTextFileSync(json, JSON.stringify(report, bigintAsHex, 1));
  Deno.writeTextFileSync(
    html,
    latencyReportHtml({
      title: "wavert-bench latency sweep",
      backends: results,
      predictions,
      notes: notes(report),
    }),
  );
  if (profile && !values.profile) {
    Deno.writeTextFileSync(`${values.out}/cost-profile.json`, JSON.stringify(profile, null, 1));
  }
  if (values["save-baseline"]) {
    Deno.writeTextFileSync(values["save-baseline"], JSON.stringify(report, bigintAsHex, 1));
  }

  printTable(report);
  for (const note of notes(report)) console.log(note);
  console.log(`wrote ${json} and ${html}`);
  if (baseline && compareWithBaseline(baseline, report, threshold)) Deno.exit(1);
}

/** The calibrated simulator's prediction for every measured size. */
function predict(hardware: SweepBackend, profile: CostProfile): Prediction[] {
  using sim = new Simulator({
    machine: "x64-16gib",
    costModel: profile.costModel,
    freshPages: profile.freshPages,
  });
  return hardware.cases.filter((c) => c.summary).map((c) => {
    const predictedNs = allocationNs(
      sim.costModel,
      c.pages,
      profile.freshPages === "stale" ? c.pages * sim.pageSize : 0,
    );
    const measuredNs = c.summary!.p50;
    return {
      bytes: c.bytes,
      measuredNs,
      predictedNs,
      error: (predictedNs - measuredNs) / measuredNs,
    };
  });
}

function notes(report: SweepReport): string[] {
  const lines = [
    `zeroing floor: ${(report.zeroing.bytesPerSecond / 1e9).toFixed(1)} GB/s, ` +
    `${report.zeroing.nsPerPage.toFixed(0)} ns per 4 KiB page (memset of a 64 MiB buffer)`,
    `harness overhead per simulator sample: ${report.harnessOverheadNs.toFixed(0)} ns; ` +
    `JS timer resolution ${report.jsTimerResolutionNs.toFixed(0)} ns`,
    ...report.backends.map((b) =>
      `${b.backend}: durations ${b.source}${
        b.source === "measured" ? ` in native code, clock resolution ${b.resolutionNs} ns` : ""
      }`
    ),
    ...Object.entries(report.skipped).map(([name, why]) => `${name}: skipped, ${why}`),
  ];
  if (report.predictions.length) {
    const inRange = report.predictions.filter((p) => p.bytes <= 4 << 20);
    const worst = Math.max(...inRange.map((p) => Math.abs(p.error)));
    lines.push(
      `calibrated simulator: worst prediction error ${(worst * 100).toFixed(0)} % for 4 KiB–4 MiB`,
    );
  }
  return lines;
}

function printTable(report: SweepReport): void {
  console.log(sweepTable(report.backends, report.zeroing.nsPerPage));
}

/** Prints the comparison; returns whether any case regressed beyond the threshold. */
function compareWithBaseline(
  baseline: SweepReport,
  current: SweepReport,
  threshold: number,
): boolean {
  let regressed = false;
  const rows: ComparisonRow[] = [];
  for (const b of current.backends) {
    const old = baseline.backends.find((x) => x.backend === b.backend);
    if (!old || b.source === "modeled") continue;
    for (const c of b.cases) {
      const before = old.cases.find((x) => x.bytes === c.bytes);
      if (!before?.samples.durationsNs.length || !c.samples.durationsNs.length) continue;
      const cmp = compareSamples(before.samples.durationsNs, c.samples.durationsNs, { threshold });
      const wide = (c.summary?.medianCiRelativeWidth ?? 0) > 0.1;
      regressed ||= cmp.regression;
      rows.push({
        backend: b.backend,
        bytes: c.bytes,
        medianRatio: cmp.medianRatio,
        p: cmp.test.p,
        effect: cmp.test.effect,
        verdict: wide ? `${cmp.verdict} (CI too wide to conclude)` : cmp.verdict,
        regression: cmp.regression,
      });
    }
  }
  console.log(`\ncompared with the baseline of ${baseline.createdAt}:`);
  console.log(comparisonTable(rows));
  if (regressed) console.error(`bench: significant regression beyond ${threshold * 100} %`);
  return regressed;
}

function readReport(path: string): SweepReport {
  // Validated before any work: a wrong or truncated baseline is refused in one line, exit 2.
  try {
    return readOutputSync(path, "latency-sweep") as unknown as SweepReport;
  } catch (e) {
    fail(`--baseline ${(e as Error).message}`);
  }
}

function readProfile(path: string): CostProfile {
  // Validated before any work, like the baseline: one line, exit 2.
  try {
    return loadCostProfile(path);
  } catch (e) {
    fail(`--profile ${(e as Error).message}`);
  }
}

if (import.meta.main) await main(Deno.args);
