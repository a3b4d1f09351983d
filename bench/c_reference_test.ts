import assert from "node:assert/strict";
import { Simulator } from "../mod.ts";
import { buildReference, exportBitmap } from "./c_reference.ts";

const ANY = 0x7fffffffffffffffn;
const FOUR_GIB = 0xffffffffn;
const cc = Deno.env.get("CC") ?? "cc";
/** Whether a C compiler runs here (the reference is built from bench/native/ref_alloc.c). */
async function hasCompiler(): Promise<boolean> {
  try {
    const probe = new Deno.Command(cc, { args: ["--version"], stdout: "null", stderr: "null" });
    return (await probe.output()).success;
  } catch {
    return false;
  }
}
const compiler = await hasCompiler();

Deno.test({
  name: "the C reference's default placement takes the simulator's frames, draw for draw",
  // Ignored without a C compiler: there is no reference to compare with.
  ignore: !compiler,
  async fn() {
    const lib = Deno.dlopen(await buildReference(), {
      ref_load: { parameters: ["buffer", "usize"], result: "i32" },
      ref_placement_reset: { parameters: ["u32", "buffer", "buffer", "u64"], result: "i32" },
      ref_default_alloc: { parameters: ["u64", "u64", "buffer"], result: "u64" },
      ref_default_free: { parameters: ["buffer", "u64"], result: "void" },
    });
    try {
      for (const seed of [1, 7, 23]) {
        using sim = new Simulator({
          machine: "x64-16gib",
          fragmentation: 0.3,
          seed,
          captureAllocationSites: false,
        });
        const page = BigInt(sim.pageSize);
        const last = sim.machine.ranges.at(-1)!;
        const frameCount = Number((last.base + last.length) / page);
        const bitmap = exportBitmap(sim, frameCount);
        assert.equal(lib.symbols.ref_load(bitmap, BigInt(bitmap.length)), 0);
        const starts = BigUint64Array.from(sim.machine.ranges, (r) => r.base / page);
        const ends = BigUint64Array.from(sim.machine.ranges, (r) => (r.base + r.length) / page);
        assert.equal(lib.symbols.ref_placement_reset(seed, starts, ends, BigInt(starts.length)), 0);
        const stream = sim.stream();
        const held: { mdl: ReturnType<typeof stream.allocatePagesForMdl>; frames: Uint32Array }[] =
          [];
        const allocate = (pages: number, high: bigint, what: string) => {
          const mdl = stream.allocatePagesForMdl(high, pages * sim.pageSize)!;
          const out = new Uint32Array(pages);
          const hi = high === ANY ? frameCount : Number((high + 1n) / page);
          const got = Number(lib.symbols.ref_default_alloc(BigInt(pages), BigInt(hi), out));
          assert.deepEqual(
            out.subarray(0, got),
            Uint32Array.from(mdl.pfns),
            `seed ${seed}: ${what}`,
          );
          held.push({ mdl, frames: out.subarray(0, got) });
        };
        const free = (i: number) => {
          const [{ mdl, frames }] = held.splice(i, 1);
          stream.freePagesFromMdl(mdl!);
          lib.symbols.ref_default_free(frames, BigInt(frames.length));
        };
        allocate(256, ANY, "1 MiB, first");
        allocate(5000, FOUR_GIB, "5,000 pages below 4 GiB");
        allocate(3, ANY, "3 pages");
        free(0);
        allocate(100, ANY, "100 pages, reusing the 1 MiB freed");
        free(0);
        allocate(6000, FOUR_GIB, "6,000 pages below 4 GiB, reused and kept");
        for (let i = 0; i < 40; i++) {
          allocate(300 + 7 * i, i % 3 ? ANY : FOUR_GIB, `round ${i}`);
          free(i % held.length);
        }
        allocate(70_000, ANY, "past the capacity of recent frees");
        free(held.length - 1);
        allocate(256, ANY, "after forgetting");
        while (held.length > 0) free(0);
      }
    } finally {
      lib.close();
    }
  },
});
