import assert from "node:assert/strict";
import { Simulator } from "./simulator.ts";

const ONE_GIB = (1n << 30n) - 1n;

Deno.test("fragmentModel: heavy-tailed is the default, is seeded and keeps the fraction", () => {
  const options = { machine: "x64-4gib", fragmentation: 0.7, seed: 5 } as const;
  using a = new Simulator({ ...options, fragmentModel: "geometric" });
  using h1 = new Simulator(options);
  using h2 = new Simulator({ ...options, fragmentModel: "heavy-tailed" });
  assert.equal(h1.freePageCount, h2.freePageCount);
  const used = 1 - h1.freePageCount / h1.totalPageCount;
  assert.ok(Math.abs(used - 0.7) < 0.05, `used ${used}`);
  // Free memory survives in long runs: a 1 MiB contiguous buffer below 1 GiB, unlike geometric.
  assert.ok(h1.stream().allocateContiguousPagesForMdl(0n, ONE_GIB, 1 << 20) !== null);
  assert.equal(a.stream().allocateContiguousPagesForMdl(0n, ONE_GIB, 1 << 20), null);
});

Deno.test("fragmentModel must be a known model", () => {
  assert.throws(
    () => new Simulator({ fragmentModel: "buddy" as "geometric" }),
    /fragmentModel must be "geometric" or "heavy-tailed"/,
  );
});
