import assert from "node:assert/strict";
import { CacheType, MmAllocateFlags } from "./constants.ts";
import type { MachineLayout } from "./machine.ts";
import type { AllocatePagesRequest } from "./allocation_request.ts";
import { Simulator } from "./simulator.ts";

const PAGE = 4096;
const ANY = 0x7fffffffffffffffn;
const machine: MachineLayout = { pageSize: PAGE, ranges: [{ base: 0n, length: 0x400000n }] };

function request(partial: Partial<AllocatePagesRequest>): AllocatePagesRequest {
  return {
    lowAddress: 0n,
    highAddress: ANY,
    skipBytes: 0n,
    totalBytes: 16 * PAGE,
    cacheType: CacheType.Cached,
    flags: 0,
    ...partial,
  };
}

Deno.test("MmAllocatePagesForMdlEx returns NULL for the argument combinations Windows rejects", () => {
  using sim = new Simulator({ machine });
  const { REQUIRE_CONTIGUOUS_CHUNKS, FAST_LARGE_PAGES } = MmAllocateFlags;
  for (
    const [why, r] of [
      ["SkipBytes not a page multiple", request({ skipBytes: 100n })],
      ["an undefined flag", request({ flags: 0x80 })],
      ["FAST_LARGE_PAGES without REQUIRE_CONTIGUOUS_CHUNKS", request({ flags: FAST_LARGE_PAGES })],
      [
        "chunks whose size is not a power of two",
        request({ flags: REQUIRE_CONTIGUOUS_CHUNKS, skipBytes: 3n * 4096n, totalBytes: 12 * PAGE }),
      ],
      [
        "TotalBytes not a multiple of the chunk size",
        request({ flags: REQUIRE_CONTIGUOUS_CHUNKS, skipBytes: 65536n, totalBytes: 65536 + PAGE }),
      ],
    ] as const
  ) {
    assert.equal(sim.mm.allocatePagesForMdlEx(r).value, null, why);
  }
  assert.equal(sim.mm.liveMdlCount, 0);
});

Deno.test("FULLY_REQUIRED turns a shortfall into NULL and takes nothing", () => {
  using sim = new Simulator({ machine });
  const total = sim.freePageCount;
  const partial = sim.mm.allocatePagesForMdlEx(request({ totalBytes: (total + 1) * PAGE })).value!;
  assert.equal(partial.byteCount, total * PAGE);
  sim.stream().freePagesFromMdl(partial);
  const none = sim.mm.allocatePagesForMdlEx(
    request({ totalBytes: (total + 1) * PAGE, flags: MmAllocateFlags.FULLY_REQUIRED }),
  );
  assert.equal(none.value, null);
  assert.equal(sim.freePageCount, total);
});

Deno.test("REQUIRE_CONTIGUOUS_CHUNKS with SkipBytes gives aligned blocks of exactly SkipBytes", () => {
  using sim = new Simulator({
    machine,
    fragmentation: 0.2,
    seed: 3,
    fragmentRunPages: 2,
    fragmentModel: "geometric",
  });
  const mdl = sim.mm.allocatePagesForMdlEx(
    request({
      flags: MmAllocateFlags.REQUIRE_CONTIGUOUS_CHUNKS,
      skipBytes: 65536n,
      totalBytes: 4 * 65536,
    }),
  ).value!;
  assert.equal(mdl.byteCount, 4 * 65536);
  for (let block = 0; block < 4; block++) {
    const first = mdl.pfns[block * 16];
    assert.equal(first % 16, 0, "each block is 64 KiB aligned");
    for (let i = 1; i < 16; i++) assert.equal(mdl.pfns[block * 16 + i], first + i);
  }
  sim.stream().freePagesFromMdl(mdl);
});

Deno.test("PREFER_CONTIGUOUS takes one run when there is one, scattered pages otherwise", () => {
  using sim = new Simulator({
    machine,
    fragmentation: 0.3,
    seed: 4,
    fragmentRunPages: 1,
    fragmentModel: "geometric",
  });
  const scattered = sim.mm.allocatePagesForMdlEx(request({ totalBytes: 64 * PAGE })).value!;
  const runs = (pfns: ArrayLike<number>) =>
    Array.from(pfns).filter((p, i, a) => i === 0 || a[i - 1] + 1 !== p).length;
  assert.ok(runs(scattered.pfns) > 1);
  sim.stream().freePagesFromMdl(scattered);
  const preferred = sim.mm.allocatePagesForMdlEx(
    request({ totalBytes: 8 * PAGE, flags: MmAllocateFlags.PREFER_CONTIGUOUS }),
  ).value!;
  assert.equal(runs(preferred.pfns), 1);
  sim.stream().freePagesFromMdl(preferred);
});

Deno.test("when [Low, High] runs dry, further ranges are tried at Low + k·SkipBytes", () => {
  using sim = new Simulator({ machine, placement: "lowest-first" });
  const range = request({ highAddress: 0xfffffn, totalBytes: 0x100000 });
  const first = sim.mm.allocatePagesForMdlEx(range).value!;
  assert.equal(first.byteCount, 0x100000, "the first MiB is now used up");
  const noSkip = sim.mm.allocatePagesForMdlEx(request({ highAddress: 0xfffffn })).value;
  assert.equal(noSkip, null);
  const skipped = sim.mm.allocatePagesForMdlEx(
    request({ highAddress: 0xfffffn, skipBytes: 0x100000n }),
  ).value!;
  assert.equal(skipped.pfns[0], 0x100, "taken from [1 MiB, 2 MiB)");
  sim.stream().freePagesFromMdl(first);
  sim.stream().freePagesFromMdl(skipped);
});
