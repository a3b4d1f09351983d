/**
 * The simulator against a C reference allocator (`bench/native/ref_alloc.c`) doing the same work
 * on the same free-frame bitmap, under both placements: the simulator's 64 GiB machine at 30 %
 * fragmentation is built, its bitmap read back frame by frame (`isFrameFree`, so the layout is
 * identical whatever the fragmentation model) and handed to the C side, and both run the same
 * requests. Each simulator batch runs right after a C batch of the same case and the ratio is
 * taken per pair (5 rounds of 7–21 pairs per case), so each ratio shares the load of its moment on
 * a possibly busy machine; the table gives their median and 10th–90th percentiles. Rows "freed
 * list written back" read the bitmap after each free, so that the simulator cannot take the
 * freed list back whole (`core/parking.ts`) and does the take and release the C side does. Also
 * measures the cost of recording call sites (`captureAllocationSites`). Nothing is asserted.
 *
 * Run: `npx --yes deno@2 task bench:c-reference` (builds the library into bench/native/build/).
 *
 * @module
 */

import { Simulator } from "../mod.ts";
import { median, nsPerBatch, nsPerCall, pairedBatches } from "./batch_timing.ts";
import { percentile } from "../stats/latency.ts";

const ANY = 0x7fffffffffffffffn;
const FOUR_GIB = 0xffffffffn;
const here = new URL(".", import.meta.url);
const source = new URL("native/ref_alloc.c", here).pathname;
const library = new URL("native/build/libref_alloc.so", here).pathname;

/**
 * Builds the reference library when it is missing or older than its source; returns its path.
 *
 * @example
 * ```ts ignore
 * const path = await buildReference(); // ".../bench/native/build/libref_alloc.so"
 * ```
 */
export async function buildReference(): Promise<string> {
  const built = await Deno.stat(library).catch(() => null);
  const src = await Deno.stat(source);
  if (built?.mtime && src.mtime && built.mtime >= src.mtime) return library;
  await Deno.mkdir(new URL("native/build/", here), { recursive: true });
  const cc = Deno.env.get("CC") ?? "cc";
  const args = [
    ...["-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o", library, source, "-lm"],
  ];
  const { code, stderr } = await new Deno.Command(cc, { args, stderr: "piped" }).output();
  if (code !== 0) throw new Error(`${cc} failed: ${new TextDecoder().decode(stderr)}`);
  return library;
}

/**
 * The simulator's free-frame bitmap as 32-frame words (1 = free), read through `isFrameFree`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ machine: "x64-4gib" });
 * exportBitmap(sim, 1 << 20).length; // 32768
 * ```
 */
export function exportBitmap(sim: Simulator, frameCount: number): Uint32Array {
  const words = new Uint32Array(Math.ceil(frameCount / 32));
  for (let f = 0; f < frameCount; f++) if (sim.isFrameFree(f)) words[f >>> 5] |= 1 << (f & 31);
  return words;
}

if (import.meta.main) {
  const lib = Deno.dlopen(await buildReference(), {
    ref_load: { parameters: ["buffer", "usize"], result: "i32" },
    ref_alloc_free: { parameters: ["u64", "u64", "u32", "buffer"], result: "f64" },
    ref_contiguous_alloc_free: { parameters: ["u64", "u32", "buffer"], result: "f64" },
    ref_default_alloc_free: { parameters: ["u64", "u64", "u32", "buffer"], result: "f64" },
    ref_placement_reset: { parameters: ["u32", "buffer", "buffer", "u64"], result: "i32" },
  });
  const options = { machine: "x64-64gib", fragmentation: 0.3, seed: 1 } as const;
  const sim = new Simulator({ ...options, captureAllocationSites: false });
  // The C side implements both placements: `lowest-first` (a cursor and count-trailing-zeros) and
  // the default `running-system` (recent frees first, then short runs from random RAM frames, with
  // the simulator's random generator and draws: bench/c_reference_test.ts checks the frames).
  const lowest = new Simulator({
    ...options,
    captureAllocationSites: false,
    placement: "lowest-first",
  });
  const sites = new Simulator({ ...options, captureAllocationSites: true });
  const last = sim.machine.ranges.at(-1)!;
  const frameCount = Number((last.base + last.length) / BigInt(sim.pageSize));
  const bitmap = exportBitmap(sim, frameCount);
  if (lib.symbols.ref_load(bitmap, BigInt(bitmap.length)) !== 0) throw new Error("ref_load");
  const page = BigInt(sim.pageSize);
  const starts = BigUint64Array.from(sim.machine.ranges, (r) => r.base / page);
  const ends = BigUint64Array.from(sim.machine.ranges, (r) => (r.base + r.length) / page);
  if (lib.symbols.ref_placement_reset(options.seed, starts, ends, BigInt(starts.length)) !== 0) {
    throw new Error("ref_placement_reset");
  }
  const out = new Uint32Array(1 << 18);
  const stream = sim.stream();
  const lowestStream = lowest.stream();
  const siteStream = sites.stream();
  const rounds = 5;
  const sizes = [
    { name: "1 MiB allocate + free", bytes: 1 << 20, high: ANY, batch: 200, samples: 21 },
    { name: "1 MiB, HighAddress 4 GiB", bytes: 1 << 20, high: FOUR_GIB, batch: 200, samples: 21 },
    { name: "1 GiB allocate + free", bytes: 1 << 30, high: ANY, batch: 1, samples: 7 },
    { name: "1 GiB, HighAddress 4 GiB", bytes: 1 << 30, high: FOUR_GIB, batch: 1, samples: 7 },
  ];
  // A freed list is parked out of the bitmap and taken back whole by the next allocation when
  // it can be (`core/parking.ts`), work the C side does not skip; a read of the bitmap between
  // the pairs writes it back, so these rows time the take and the release themselves.
  const writtenBack = (k: typeof sizes[number], settle: Simulator) => ({
    ...k,
    name: `${k.name}, freed list written back`,
    settle,
  });
  const cases: (typeof sizes[number] & {
    settle?: Simulator;
    on: typeof stream;
    c: typeof lib.symbols.ref_alloc_free;
  })[] = [
    ...sizes.map((k) => ({
      ...k,
      name: `${k.name} (lowest-first)`,
      on: lowestStream,
      c: lib.symbols.ref_alloc_free,
    })),
    ...[sizes[0], sizes[2]].map((k) => ({
      ...writtenBack({ ...k, name: `${k.name} (lowest-first)` }, lowest),
      on: lowestStream,
      c: lib.symbols.ref_alloc_free,
    })),
    ...sizes.map((k) => ({
      ...k,
      name: `${k.name} (default placement)`,
      on: stream,
      c: lib.symbols.ref_default_alloc_free,
    })),
    {
      ...writtenBack({ ...sizes[0], name: `${sizes[0].name} (default placement)` }, sim),
      on: stream,
      c: lib.symbols.ref_default_alloc_free,
    },
  ];
  const ratios = new Map<string, { sim: number[]; c: number[] }>();
  const add = (name: string, { times, references }: { times: number[]; references: number[] }) => {
    const r = ratios.get(name) ?? { sim: [], c: [] };
    r.sim.push(...times);
    r.c.push(...references);
    ratios.set(name, r);
  };
  const checked = (name: string, ns: number) => {
    if (ns === 0) throw new Error(`the C side could not do ${name}`);
    return ns;
  };
  for (let round = 0; round < rounds; round++) {
    for (const k of cases) {
      const pages = BigInt(k.bytes / sim.pageSize);
      const hiFrame = k.high === ANY ? BigInt(frameCount) : (k.high + 1n) / BigInt(sim.pageSize);
      const on = k.on;
      add(
        k.name,
        pairedBatches(k.samples, k.batch, () => {
          on.freePagesFromMdl(on.allocatePagesForMdl(k.high, k.bytes)!);
          k.settle?.isFrameFree(0);
        }, () => checked(k.name, k.c(pages, hiFrame, k.batch, out))),
      );
    }
    // The lowest 2 MiB run, found, taken and given back (on the lowest-first machine, so that the
    // default one's recent frees stay those of its own cases).
    const contiguous = "contiguous 2 MiB allocate + free";
    add(
      contiguous,
      pairedBatches(21, 20, () => {
        lowestStream.freePagesFromMdl(
          lowestStream.allocateContiguousPagesForMdl(0n, ANY, 2 << 20)!,
        );
      }, () => checked(contiguous, lib.symbols.ref_contiguous_alloc_free(512n, 20, out))),
    );
    const none = () => stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 1 << 20)!);
    nsPerCall(1, 200, none); // its warm-up
    add(
      "1 MiB, every call site recorded (vs none)",
      pairedBatches(21, 200, () => {
        siteStream.freePagesFromMdl(siteStream.allocatePagesForMdl(ANY, 1 << 20)!);
      }, () => nsPerBatch(200, none)),
    );
  }
  const rows = [...ratios].map(([name, r]) => {
    const ratio = r.sim.map((s, i) => s / r.c[i]);
    const at = (p: number) => (percentile(ratio, p) ?? NaN).toFixed(2);
    return {
      case: name,
      simulator: `${(median(r.sim) / 1000).toFixed(1)} µs`,
      reference: `${(median(r.c) / 1000).toFixed(1)} µs`,
      "ratio: median (p10–p90)": `${at(50)}× (${at(10)}–${at(90)})`,
    };
  });
  console.table(rows);
  sim.close();
  lowest.close();
  sites.close();
  lib.close();
}
