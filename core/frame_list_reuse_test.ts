import assert from "node:assert/strict";
import { Simulator } from "../mod.ts";
import type { PlacementOption } from "./placement.ts";
import { seededRandom } from "./random.ts";
import { sampleProfile } from "./testdata/sample_profile.ts";

const PAGE = 4096;
const placements: PlacementOption[] = ["lowest-first", "running-system", {
  profile: {
    ...sampleProfile,
    format: "wavert-bench.placement-profile/2",
    reuseShare: 1,
    classes: [{ pages: 16, first: [[1, 9], [2, 1]], reuse: [[1, 1]], reuseShare: 1 }],
  },
}];

for (const placement of placements) {
  const name = typeof placement === "string" ? placement : "calibrated";
  Deno.test(`${name}: a live MDL's frames never change while freed lists are reused`, () => {
    using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.3, seed: 5, placement });
    const stream = sim.stream();
    const random = seededRandom(11);
    // Frames recorded through getPhysicalPageAddress, which reads the MDL's own list (a pfns
    // read would freeze a copy and hide a list handed to another MDL).
    const live: { mdl: ReturnType<typeof stream.allocatePagesForMdl>; frames: number[] }[] = [];
    for (let step = 0; step < 3000; step++) {
      if (live.length > 0 && (live.length > 40 || random() < 0.45)) {
        const [{ mdl, frames }] = live.splice(Math.floor(random() * live.length), 1);
        assert.deepEqual([...mdl!.pfns], frames, `step ${step}: the list changed while live`);
        stream.freePagesFromMdl(mdl!);
        continue;
      }
      const pages = [1, 3, 16, 16, 64, 256, 5000][Math.floor(random() * 7)];
      const high = random() < 0.3 ? 0xffffffffn : 0x7fffffffffffffffn;
      const mdl = stream.allocatePagesForMdl(high, pages * PAGE);
      assert.ok(mdl !== null);
      const count = stream.getPhysicalPagesCount(mdl);
      const frames = Array.from(
        { length: count },
        (_, i) => Number(stream.getPhysicalPageAddress(mdl, i) / BigInt(PAGE)),
      );
      for (const frame of frames) assert.equal(sim.isFrameFree(frame), false);
      live.push({ mdl, frames });
    }
    const held = new Set(live.flatMap((l) => l.frames));
    assert.equal(held.size, live.reduce((n, l) => n + l.frames.length, 0), "no frame held twice");
    for (const { mdl, frames } of live) assert.deepEqual([...mdl!.pfns], frames);
  });
}
