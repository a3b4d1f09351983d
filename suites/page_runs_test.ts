import assert from "node:assert/strict";
import { pageExtent, pageRuns } from "./page_runs.ts";

Deno.test("frames split into runs of consecutive frames in MDL order", () => {
  assert.deepEqual(pageRuns([7, 8, 9, 20, 21, 3]), [
    { firstPfn: 7, pages: 3 },
    { firstPfn: 20, pages: 2 },
    { firstPfn: 3, pages: 1 },
  ]);
  assert.deepEqual(pageRuns([]), []);
});

Deno.test("extent counts pages whose base lies outside [LowAddress, HighAddress]", () => {
  // 24-bit DMA: pages 0xFFF (last inside) and 0x1000, 0x1001 (beyond).
  const runs = pageRuns([0xFFF, 0x1000, 0x1001]);
  assert.deepEqual(pageExtent(runs, 4096, 0n, 0xFF_FFFFn), {
    lowestAddress: 0xFFF000n,
    highestAddress: 0x1001FFFn,
    pagesBeyondBound: 2,
  });
  // The page holding HighAddress is eligible (inclusive policy): 0x1000 contains 0x1000800.
  assert.equal(pageExtent(runs, 4096, 0n, 0x100_0800n)!.pagesBeyondBound, 1);
  // Below LowAddress counts too.
  assert.equal(pageExtent(runs, 4096, 0x100_0000n, 0xFFFF_FFFFn)!.pagesBeyondBound, 1);
  assert.equal(pageExtent([], 4096, 0n, 1n), null);
});
