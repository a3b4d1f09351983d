/**
 * The hardware backend's speed figures for the README, computed from per-call times the helper
 * measures itself (`deno bench` cannot time calls this short one by one):
 *
 * 1. Deno round-trip overhead over the in-helper time of a one-page allocation, median of
 *    batches (raw symbols, and the full stream surface with argument checks and the MDL object).
 * 2. The same allocate/free loop in plain C (`bench/native/alloc_loop.c`) and through Deno:
 *    in-helper medians and their difference.
 * 3. Per-page allocation cost against memset of the same size (the zeroing floor).
 *
 * ```sh
 * deno task build:ffi
 * deno run --allow-read --allow-env --allow-ffi --allow-run --allow-write bench/ffi_report.ts
 * ```
 *
 * @module
 */

import { build, buildTargets, isOutdated } from "../ffi/build.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { ResultWord } from "../ffi/symbols.ts";

const ITERATIONS = 20_000;
const REPETITIONS = 5;
const BATCHES = 400;
const BATCH = 50;
const HIGH = 0xFFFF_FFFFn;

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The C loop's medians for `pages`-page allocations and memset of the same size. */
async function cLoop(pages: number): Promise<{ helperMedianNs: number; memsetMedianNs: number }> {
  const target = buildTargets.benchLoop;
  if (await isOutdated(target)) await build(target);
  const { success, stdout, stderr } = await new Deno.Command(target.output, {
    args: [String(ITERATIONS), String(pages), String(REPETITIONS)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`alloc_loop failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

using backend = openHostBackend();
const page = backend.pageSize;
const symbols = backend.library.symbols;
const { wrt_allocate_pages, wrt_free, wrt_context_open, wrt_context_close } = symbols;
const out = new BigUint64Array(ResultWord.length);
const frames = new BigUint64Array(256);
wrt_context_open(out);
const context = out[ResultWord.handle];

/** Median of {@linkcode REPETITIONS} loops' in-helper medians for `pages`-page allocations. */
function denoLoop(pages: number): number {
  const bytes = BigInt(pages * page);
  const capacity = BigInt(frames.length);
  const samples = new Float64Array(ITERATIONS);
  const medians: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    for (let i = 0; i < ITERATIONS; i++) {
      wrt_allocate_pages(context, HIGH, bytes, frames, capacity, out);
      samples[i] = Number(out[ResultWord.durationNs]);
      wrt_free(context, out[ResultWord.handle], out);
    }
    medians.push(median([...samples]));
  }
  return median(medians);
}

/** Median over batches of (JS elapsed − in-helper time) per raw allocation. */
function rawOverhead(): number {
  const handles = new Array<bigint>(BATCH);
  const perCall: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    let inHelper = 0;
    const start = performance.now();
    for (let k = 0; k < BATCH; k++) {
      wrt_allocate_pages(context, HIGH, BigInt(page), frames, 1n, out);
      inHelper += Number(out[ResultWord.durationNs]);
      handles[k] = out[ResultWord.handle];
    }
    const elapsed = (performance.now() - start) * 1e6;
    for (const h of handles) wrt_free(context, h, out);
    perCall.push((elapsed - inHelper) / BATCH);
  }
  return median(perCall);
}

/** The same through `stream.allocatePagesForMdl`: checks, FFI and the MDL object. */
function streamOverhead(): number {
  const stream = backend.stream();
  const mdls = new Array(BATCH);
  const perCall: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    let inHelper = 0;
    const start = performance.now();
    for (let k = 0; k < BATCH; k++) {
      mdls[k] = stream.allocatePagesForMdl(HIGH, page);
      inHelper += stream.lastCall!.durationNs;
    }
    const elapsed = (performance.now() - start) * 1e6;
    for (const m of mdls) stream.freePagesFromMdl(m);
    perCall.push((elapsed - inHelper) / BATCH);
  }
  return median(perCall);
}

try {
  denoLoop(1); // warm-up: JIT, page cache of the helper, pagemap file
  const raw = rawOverhead();
  const surface = streamOverhead();
  console.log(`## FFI round trip (1-page allocation, median of ${BATCHES} batches of ${BATCH})`);
  console.log(`- raw symbol call overhead over in-helper time: ${raw.toFixed(0)} ns`);
  console.log(`- stream surface overhead over in-helper time: ${surface.toFixed(0)} ns`);
  console.log(
    `\n## In-helper medians, plain C loop vs Deno loop (median of ${REPETITIONS} loops of ` +
      `${ITERATIONS} allocate/free)`,
  );
  console.log("| pages | C ns | Deno ns | Deno vs C | per page ns | memset ns | memset GB/s |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const pages of [1, 16, 256]) {
    const c = await cLoop(pages);
    const deno = denoLoop(pages);
    const diff = ((deno - c.helperMedianNs) / c.helperMedianNs * 100).toFixed(1);
    const perPage = (deno / pages).toFixed(0);
    const bandwidth = (pages * page / c.memsetMedianNs).toFixed(1);
    console.log(
      `| ${pages} | ${c.helperMedianNs} | ${deno} | ${diff} % | ${perPage} | ` +
        `${c.memsetMedianNs} | ${bandwidth} |`,
    );
  }
  console.log(
    `\nclock: CLOCK_MONOTONIC_RAW, resolution ${backend.capabilities.timing.reportedResolutionNs} ` +
      `ns, smallest measured step ${backend.capabilities.timing.resolutionNs} ns`,
  );
} finally {
  wrt_context_close(context, out);
}
