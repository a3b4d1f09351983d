/**
 * Deno.bench figures for the simulator's own speed on the reference machine: 64 GiB,
 * 30 % fragmented. Run with `npx --yes deno@2 task bench`; the medians against the targets are
 * printed by `bench/simulator_targets.ts`.
 */
import { Simulator } from "../mod.ts";

const ANY = 0x7fffffffffffffffn;
const FOUR_GIB = 0xffffffffn;
const sim = new Simulator({ machine: "x64-64gib", fragmentation: 0.3, seed: 1 });
const stream = sim.stream();
const clean = new Simulator({ machine: "x64-64gib", seed: 1 });
const cleanStream = clean.stream();

Deno.bench("1 MiB allocate + free, unlimited", { group: "1 MiB pair", baseline: true }, () => {
  stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 1 << 20)!);
});

Deno.bench("1 MiB allocate + free, HighAddress 4 GiB", { group: "1 MiB pair" }, () => {
  stream.freePagesFromMdl(stream.allocatePagesForMdl(FOUR_GIB, 1 << 20)!);
});

Deno.bench("1 GiB allocate + free", { n: 50 }, () => {
  stream.freePagesFromMdl(stream.allocatePagesForMdl(ANY, 1n << 30n)!);
});

Deno.bench("contiguous 2 MiB search, 30 % fragmented (no run exists)", () => {
  stream.allocateContiguousPagesForMdl(0n, ANY, 2 << 20);
});

Deno.bench("contiguous 2 MiB allocate + free, unfragmented", () => {
  cleanStream.freePagesFromMdl(cleanStream.allocateContiguousPagesForMdl(0n, ANY, 2 << 20)!);
});

Deno.bench("build the 64 GiB machine at 30 % fragmentation", { n: 20 }, () => {
  new Simulator({ machine: "x64-64gib", fragmentation: 0.3, seed: 2 });
});
