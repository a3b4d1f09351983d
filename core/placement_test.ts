import assert from "node:assert/strict";
import { Simulator } from "../mod.ts";
import { FrameBitmap } from "./frame_bitmap.ts";
import { createPlacement, type PlacementOption } from "./placement.ts";
import { geometric, seededRandom } from "./random.ts";
import {
  loadPlacementProfile,
  parsePlacementProfile,
  type PlacementProfile,
} from "./placement_profile.ts";
import { sampleProfile } from "./testdata/sample_profile.ts";

const ANY = -1n;
const FOUR_GIB_FRAME = 0x100000;

const profile: PlacementProfile = sampleProfile;

const profileV2: PlacementProfile = {
  ...profile,
  format: "wavert-bench.placement-profile/2",
  classes: [
    { pages: 16, first: [[1, 9], [2, 1]], reuse: [[1, 1]], reuseShare: 1 },
    { pages: 256, first: [[4, 1]], reuse: [[2, 1]], reuseShare: 1 },
  ],
};

function framesOf(options: ConstructorParameters<typeof Simulator>[0]): number[][] {
  using sim = new Simulator(options);
  const stream = sim.stream();
  const out: number[][] = [];
  for (const bytes of [65536, 1 << 20, 4096]) {
    const mdl = stream.allocatePagesForMdl(ANY, bytes)!;
    out.push([...mdl.pfns]);
    if (bytes !== 4096) stream.freePagesFromMdl(mdl);
  }
  return out;
}

Deno.test("same seed, same frames under every placement; another seed, other frames", () => {
  const placements: PlacementOption[] = [
    "running-system",
    "lowest-first",
    { profile },
    { profile: profileV2 },
  ];
  for (const placement of placements) {
    const a = framesOf({ seed: 9, placement, fragmentation: 0.2 });
    assert.deepEqual(framesOf({ seed: 9, placement, fragmentation: 0.2 }), a);
    if (placement !== "lowest-first") {
      assert.notDeepEqual(framesOf({ seed: 10, placement, fragmentation: 0.2 }), a);
    }
  }
});

Deno.test("running-system (the default): most pages above 4 GiB on x64-16gib, short scattered runs", () => {
  using sim = new Simulator({ machine: "x64-16gib", seed: 4 });
  const mdl = sim.stream().allocatePagesForMdl(ANY, 16 << 20)!;
  const pfns = [...mdl.pfns];
  const above = pfns.filter((f) => f >= FOUR_GIB_FRAME).length / pfns.length;
  assert.ok(above > 0.7 && above < 0.92, `share above 4 GiB ${above}`);
  let runs = 1;
  for (let i = 1; i < pfns.length; i++) if (pfns[i] !== pfns[i - 1] + 1) runs++;
  assert.ok(pfns.length / runs < 3, `mean run ${pfns.length / runs} pages`);
  assert.equal(new Set(pfns).size, pfns.length, "a frame handed out twice");
});

Deno.test("running-system: a 32-bit bound is not vacuous: a buffer below 4 GiB lies away from the bottom", () => {
  using sim = new Simulator({ machine: "x64-16gib", seed: 4 });
  const mdl = sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 1 << 20)!;
  assert.ok([...mdl.pfns].every((f) => f < FOUR_GIB_FRAME));
  assert.ok(Math.max(...mdl.pfns) > 0x10000, "all pages at the bottom of RAM, as lowest-first");
});

Deno.test("running-system: the pages freed last are reused first, last freed first", () => {
  using sim = new Simulator({ seed: 2 });
  const stream = sim.stream();
  const first = stream.allocatePagesForMdl(ANY, 8 * 4096)!;
  const frames = [...first.pfns];
  stream.freePagesFromMdl(first);
  const again = stream.allocatePagesForMdl(ANY, 4 * 4096)!;
  assert.deepEqual([...again.pfns], frames.slice(4).reverse());
  stream.freePagesFromMdl(again);
});

Deno.test("calibrated: the profile's share above 4 GiB and its run lengths", () => {
  using sim = new Simulator({ machine: "x64-16gib", seed: 5, placement: { profile } });
  const pfns = [...sim.stream().allocatePagesForMdl(ANY, 16 << 20)!.pfns];
  const above = pfns.filter((f) => f >= FOUR_GIB_FRAME).length / pfns.length;
  assert.ok(Math.abs(above - 0.5) < 0.1, `share above 4 GiB ${above}`);
  const lengths = new Set<number>();
  let run = 1;
  for (let i = 1; i <= pfns.length; i++) {
    if (i < pfns.length && pfns[i] === pfns[i - 1] + 1) run++;
    else (lengths.add(run), run = 1);
  }
  // Runs of 1 and 8 pages; two may touch by chance, nothing much longer.
  assert.ok(lengths.has(1) && lengths.has(8) && Math.max(...lengths) <= 16, `${[...lengths]}`);
});

Deno.test("calibrated v2: the nearest size's first runs, then runs starting at frames freed last", () => {
  using sim = new Simulator({ machine: "x64-16gib", seed: 5, placement: { profile: profileV2 } });
  const stream = sim.stream();
  const runsOf = (pfns: readonly number[]) => {
    const out: number[] = [];
    let run = 1;
    for (let i = 1; i < pfns.length; i++) {
      if (pfns[i] === pfns[i - 1] + 1) run++;
      else (out.push(run), run = 1);
    }
    return out;
  };
  const big = stream.allocatePagesForMdl(ANY, 200 * 4096)!; // nearest class: 256 pages
  const first = [...big.pfns];
  assert.ok(runsOf(first).every((n) => n === 4), `${runsOf(first)}`);
  stream.freePagesFromMdl(big);
  const again = [...stream.allocatePagesForMdl(ANY, 200 * 4096)!.pfns];
  assert.equal(again[0], first.at(-1), "the first run starts at the frame freed last");
  assert.ok(runsOf(again).every((n) => n === 2), `${runsOf(again)}`);
  const near = (f: number) => first.includes(f) || first.includes(f - 1) || first.includes(f + 1);
  assert.ok(again.every(near), "reused runs lie beside the freed frames");
});

Deno.test("placement: bad options and profiles are refused naming the problem", () => {
  assert.throws(
    () => new Simulator({ placement: "highest-first" as never }),
    /placement must be.*"highest-first"/,
  );
  assert.throws(
    () => new Simulator({ pageSize: 65536, placement: { profile } }),
    /RangeError: placement.profile was measured with 4096-byte pages/,
  );
  assert.throws(
    () => parsePlacementProfile({ ...profile, format: "wavert-bench.cost-profile/1" }, "x.json"),
    /x.json is not a valid placement profile: format/,
  );
  assert.throws(
    () => parsePlacementProfile({ ...profile, runLengths: [[2, 1], [1, 1]] }, "y.json"),
    /y.json .*runLengths: run lengths must be ascending/,
  );
  assert.throws(
    () => parsePlacementProfile({ ...profile, above4GiBShare: 1.5 }, "z.json"),
    /z.json .*above4GiBShare/,
  );
  assert.throws(
    () => parsePlacementProfile({ ...profileV2, classes: [...profileV2.classes].reverse() }, "w"),
    /w .*classes must be ascending/,
  );
});

Deno.test("loadPlacementProfile names the file for unreadable, non-JSON and wrong files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.throws(() => loadPlacementProfile(`${dir}/missing.json`), /missing.json: cannot read/);
    await Deno.writeTextFile(`${dir}/bad.json`, "{ not json");
    assert.throws(() => loadPlacementProfile(`${dir}/bad.json`), /bad.json is not JSON/);
    await Deno.writeTextFile(`${dir}/wrong.json`, JSON.stringify({ ...profile, pages: 0 }));
    assert.throws(
      () => loadPlacementProfile(`${dir}/wrong.json`),
      /wrong.json is not a valid placement profile: pages/,
    );
    await Deno.writeTextFile(`${dir}/good.json`, JSON.stringify(profile));
    assert.deepEqual(loadPlacementProfile(`${dir}/good.json`), profile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("running-system: random runs draw as a plain start, length, start… loop, also when the range runs out", () => {
  const machine = {
    pageSize: 4096,
    ranges: [{ base: 4096n * 100n, length: 4096n * 3000n }, {
      base: 4096n * 5000n,
      length: 4096n * 2000n,
    }],
  };
  const frames = 7000;
  const fill = (bitmap: FrameBitmap) => {
    for (const r of machine.ranges) {
      bitmap.setRange(Number(r.base / 4096n), Number(r.length / 4096n), true);
    }
    for (let f = 0; f < frames; f += 1 + (f % 11)) bitmap.setRange(f, 1 + (f % 3), false);
  };
  // The loop before runs were fused: uniform start over the RAM in range, next free frame
  // (wrapping to lo), then a geometric length, from the placement's own stream.
  const random = seededRandom((9 ^ 0x5eed_91ac) >>> 0);
  const plain = (bitmap: FrameBitmap, lo: number, hi: number, max: number, out: number[]) => {
    const spans = machine.ranges.map((r) => {
      const a = Math.max(lo, Number(r.base / 4096n));
      return [a, Math.min(hi, Number((r.base + r.length) / 4096n)) - a];
    }).filter(([, n]) => n > 0);
    const total = spans.reduce((sum, [, n]) => sum + n, 0);
    let taken = 0;
    while (taken < max && total > 0) {
      let k = Math.floor(random() * total);
      let i = 0;
      while (k >= spans[i][1]) k -= spans[i++][1];
      const start = spans[i][0] + k;
      let frame = bitmap.findRun(1, start, hi);
      if (frame < 0 && start > lo) frame = bitmap.findRun(1, lo, start);
      if (frame < 0) break;
      const want = Math.min(geometric(random, 2), max - taken);
      let n = 0;
      while (n < Math.min(want, hi - frame) && bitmap.isFree(frame + n)) n++;
      bitmap.takeRun(frame, Math.max(1, n), out, taken);
      taken += Math.max(1, n);
    }
    return taken;
  };
  const placement = createPlacement("running-system", machine, 9);
  const a = new FrameBitmap(frames);
  const b = new FrameBitmap(frames);
  fill(a);
  fill(b);
  // The last requests ask for more than the range holds: the search ends on a start that finds
  // nothing free, and the requests after it must draw on from there.
  for (
    const [lo, hi, max] of [[0, frames, 300], [200, 2500, 40], [0, 1 << 20, 7], [150, 400, 900], [
      150,
      400,
      5,
    ], [0, frames, 1200]]
  ) {
    const got: number[] = [];
    const expected: number[] = [];
    const n = placement.take(a, lo, Math.min(hi, frames), max, got, 0);
    assert.equal(n, plain(b, lo, Math.min(hi, frames), max, expected), `${lo} ${hi} ${max}`);
    assert.deepEqual(got, expected, `${lo} ${hi} ${max}`);
  }
  assert.equal(a.freeCount, b.freeCount);
});
