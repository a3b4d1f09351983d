/**
 * A first look: a few typical WaveRT buffer requests on the default simulated machine, as a table.
 * Run: `npx --yes deno@2 task demo`
 */
import { CacheType, Simulator } from "./mod.ts";

const sim = new Simulator({ machine: "x64-16gib", fragmentation: 0.3, seed: 1 });
const stream = sim.stream();
const requests = [
  { what: "48 kHz 2 ch 16-bit, 10 ms", high: 0xffffffffn, bytes: 1920 },
  { what: "96 kHz 2 ch 24-in-32, 20 ms", high: 0xffffffffn, bytes: 15360 },
  { what: "192 kHz 8 ch 32-bit, 10 ms", high: 0xffffffffn, bytes: 61440 },
  { what: "2 s offload buffer, 48 kHz stereo", high: 0xffffffffn, bytes: 384000 },
  { what: "4 MiB, 31-bit DMA", high: 0x7fffffffn, bytes: 4 << 20 },
];
const rows = requests.map(({ what, high, bytes }) => {
  const mdl = stream.allocatePagesForMdl(high, bytes);
  const allocNs = stream.lastCall?.durationNs ?? 0;
  if (mdl === null) return { request: what, asked: bytes, allocated: "NULL" };
  const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
  const pfns = [...mdl.pfns];
  const runs = pfns.filter((p, i) => i === 0 || pfns[i - 1] + 1 !== p).length;
  const maxAddress = BigInt(Math.max(...pfns) + 1) * BigInt(sim.pageSize) - 1n;
  if (va !== null) stream.unmapAllocatedPages(va, mdl);
  stream.freePagesFromMdl(mdl);
  return {
    request: what,
    asked: bytes,
    allocated: mdl.byteCount,
    pages: pfns.length,
    runs,
    "max address": "0x" + maxAddress.toString(16),
    "modeled µs": (allocNs / 1000).toFixed(1),
  };
});
console.log(`simulator: x64-16gib, 30 % fragmented, seed 1, page ${sim.pageSize} bytes`);
console.table(rows);
sim.assertNoLeaks();
