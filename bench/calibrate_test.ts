import assert from "node:assert/strict";
import { allocationNs } from "../core/cost_model.ts";
import { Simulator } from "../core/simulator.ts";
import { loadCostProfile } from "../core/cost_profile.ts";
import { parseOutput } from "../results/read_output.ts";
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
  assert.equal(profile.schema, "wavert-bench.cost-profile/2");
  assert.equal(profile.host.denoVersion.value, Deno.version.deno);
  assert.equal(profile.command[1], Deno.mainModule);
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

Deno.test("a fitted profile written as JSON loads back, host facts and command line included", () => {
  const profile = fitCostProfile("test", "linux-host", [
    { bytes: 4096, pages: 1, medianNs: 3400 },
    { bytes: 1 << 20, pages: 256, medianNs: 105_400 },
  ], { pageSize: 4096, zeroBytesPerSecond: 20e9 });
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/p.json`, JSON.stringify(profile, null, 1));
    const loaded = loadCostProfile(`${dir}/p.json`);
    assert.deepEqual(loaded, profile);
    // The strict envelope schema of results/ accepts it too: its host block is the full facts.
    assert.equal(parseOutput(loaded, "cost-profile", "p.json").host.os.value, Deno.build.os);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
