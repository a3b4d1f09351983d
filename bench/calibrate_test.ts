import assert from "node:assert/strict";
import { allocationNs } from "../core/cost_model.ts";
import { Simulator } from "../core/simulator.ts";
import { fitCostProfile, theilSen } from "./calibrate.ts";

Deno.test("Theil–Sen ignores a wild point that least squares would follow", () => {
  const { slope, intercept } = theilSen([[1, 3], [2, 5], [3, 7], [4, 9], [5, 1000]]);
  assert.equal(slope, 2);
  assert.equal(intercept, 1);
  assert.throws(() => theilSen([[1, 1]]), /at least two points/);
  assert.throws(() => theilSen([[1, 1], [1, 2]]), /two distinct x/);
});

Deno.test("a fitted profile makes the simulator predict the measured line", () => {
  // Measurements that follow 3000 ns + 400 ns/page exactly, with zeroing at 20 GB/s.
  const points = [1, 4, 16, 64, 256, 1024].map((pages) => ({
    bytes: pages * 4096,
    pages,
    medianNs: 3000 + 400 * pages,
  }));
  const profile = fitCostProfile("test", "linux-host", points, {
    pageSize: 4096,
    zeroBytesPerSecond: 20e9,
  });
  assert.equal(profile.schema, "wavert-bench.cost-profile/1");
  assert.equal(profile.costModel.allocateCallNs, 3000);
  assert.ok(Math.abs(profile.costModel.allocatePageNs! - (400 - 204.8)) < 1e-9);
  using sim = new Simulator({ costModel: profile.costModel, freshPages: profile.freshPages });
  const stream = sim.stream();
  for (const { pages, medianNs } of points) {
    const mdl = stream.allocatePagesForMdl(0xffffffffn, pages * 4096)!;
    assert.ok(Math.abs(stream.lastCall!.durationNs - medianNs) < 1e-6, `${pages} pages`);
    stream.freePagesFromMdl(mdl);
    assert.ok(allocationNs(sim.costModel, pages, pages * 4096) - medianNs < 1e-6);
  }
});
