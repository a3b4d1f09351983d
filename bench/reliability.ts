/**
 * Reliability figures of the hardware backend through the public API: hostile inputs tried (each
 * must throw a TypeError, RangeError, DriverViolation or LockedBudgetError and lock nothing),
 * kill and crash scenarios (Workers terminated, closing themselves, throwing; an isolated child
 * crashing in native code and one killed by its timeout), then a soak of allocate/free cycles with
 * VmLck and RSS before and after. Exits 1 if anything stays locked.
 *
 * ```sh
 * npx --yes deno@2 task reliability            # 1,000,000 soak cycles
 * npx --yes deno@2 task reliability --soak 1000
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DriverViolation } from "../core/violations.ts";
import { openHostBackend } from "../ffi/host_backend.ts";
import { IsolatedCaseCrashed, runIsolated } from "../ffi/isolation.ts";
import { LockedBudgetError } from "../ffi/locked_budget.ts";

const { values } = parseArgs({ args: Deno.args, options: { soak: { type: "string" } } });
const soakCycles = values.soak === undefined ? 1_000_000 : Number(values.soak);
if (!Number.isSafeInteger(soakCycles) || soakCycles < 0) {
  console.error(`reliability: --soak must be a non-negative integer, got "${values.soak}"`);
  Deno.exit(2);
}

using probe = openHostBackend();
const vmLck = () => probe.processLockedBytes();
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const baseline = vmLck();

// --- hostile inputs ---
const sizes: unknown[] = [
  -1,
  NaN,
  Infinity,
  -Infinity,
  1.5,
  2 ** 32,
  2 ** 53,
  Number.MAX_VALUE,
  2n ** 64n,
  -1n,
  "4096",
  null,
  undefined,
  {},
  [],
  true,
  Symbol("s"),
  () => 4096,
];
const highs: unknown[] = [0n, 1n, 4094n, -1n, 2n ** 64n, 4096, "0xFFFFFFFF", null, undefined, NaN];
let hostile = 0;
let refusedRight = 0;
const accepted: string[] = [];
const expected = (e: unknown) =>
  e instanceof TypeError || e instanceof RangeError || e instanceof DriverViolation ||
  e instanceof LockedBudgetError;
function attempt(call: () => unknown): void {
  hostile++;
  try {
    const result = call();
    if (result === null) refusedRight++; // NULL is a legal answer (HighAddress too low)
    else accepted.push(call.toString());
  } catch (e) {
    if (expected(e)) refusedRight++;
    else throw e;
  }
}
{
  using backend = openHostBackend({ lockedBudgetBytes: 64 << 20 });
  const stream = backend.stream();
  for (const size of sizes) {
    attempt(() => stream.allocatePagesForMdl(0xFFFFFFFFn, size as number));
    attempt(() => stream.allocateContiguousPagesForMdl(0n, 0xFFFFFFFFn, size as number));
  }
  for (const high of highs) attempt(() => stream.allocatePagesForMdl(high as bigint, 4096));
  attempt(() => stream.allocatePagesForMdl(0xFFFFFFFFn, 128 << 20)); // over the budget
  const forged: unknown[] = [
    null,
    undefined,
    {},
    { byteCount: 4096, pfns: [1] },
    Object.create(null),
    42,
    "mdl",
    new Proxy({}, { get: () => 1 }),
  ];
  const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
  const va = stream.mapAllocatedPages(mdl, 2)!;
  for (const fake of forged) {
    attempt(() => stream.mapAllocatedPages(fake as never, 2));
    attempt(() => stream.unmapAllocatedPages(va, fake as never));
    attempt(() => stream.freePagesFromMdl(fake as never));
    attempt(() => stream.getPhysicalPageAddress(fake as never, 0));
  }
  for (const index of [-1, 1, 1.5, NaN, 2 ** 53, "0"]) {
    attempt(() => stream.getPhysicalPageAddress(mdl, index as number));
  }
  for (const cache of [-1, 3, 1.5, "Cached", null]) {
    attempt(() => stream.mapAllocatedPages(mdl, cache as never));
  }
  attempt(() => stream.unmapAllocatedPages(va + 4096n, mdl)); // wrong address
  attempt(() => stream.freePagesFromMdl(mdl)); // still mapped
  stream.unmapAllocatedPages(va, mdl);
  attempt(() => stream.unmapAllocatedPages(va, mdl)); // not mapped
  stream.freePagesFromMdl(mdl);
  attempt(() => stream.freePagesFromMdl(mdl)); // double free
  attempt(() => stream.mapAllocatedPages(mdl, 2)); // use after free
  using other = openHostBackend();
  const foreign = other.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
  attempt(() => stream.freePagesFromMdl(foreign)); // foreign MDL
  other.stream().freePagesFromMdl(foreign);
}
const afterHostile = vmLck();

// --- kill and crash scenarios ---
const worker = new URL("../ffi/testdata/locking_worker.ts", import.meta.url);
const scenarios: string[] = [];
for (const mode of ["terminate", "close", "throw"]) {
  const w = new Worker(worker, { type: "module" });
  w.onerror = (event) => event.preventDefault();
  const locked = await new Promise<number>((resolve) => {
    w.onmessage = (event) => resolve(event.data.locked);
    w.postMessage({ mode, bytes: 16 << 20 });
  });
  if (mode === "terminate") w.terminate();
  else w.postMessage("end");
  const deadline = Date.now() + 5000;
  while (vmLck() > baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  w.terminate();
  scenarios.push(`Worker ${mode} after locking ${mib(locked)}: ${vmLck() - baseline} bytes left`);
}
const cases = new URL("../ffi/testdata/isolation_cases.ts", import.meta.url);
for (
  const [name, options] of [
    ["crashInNativeCode", { ffi: "all" as const }],
    ["exitsEarly", {}],
  ] as const
) {
  const outcome = await runIsolated(cases, name, options).then(
    () => "no error (unexpected)",
    (e) =>
      e instanceof IsolatedCaseCrashed ? `crashed (${e.signal ?? `exit ${e.exitCode}`})` : e.name,
  );
  scenarios.push(`isolated child ${name}: ${outcome}, ${vmLck() - baseline} bytes left`);
}
const afterScenarios = vmLck();

// --- soak ---
const rssBefore = Deno.memoryUsage().rss;
const lockBefore = vmLck();
const started = performance.now();
{
  using backend = openHostBackend();
  const stream = backend.stream();
  for (let i = 0; i < soakCycles; i++) {
    const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096 * (1 + (i & 3)));
    if (mdl === null) throw new Error(`cycle ${i}: allocation returned NULL`);
    stream.freePagesFromMdl(mdl);
  }
  if (backend.stats().allocations !== 0) throw new Error("allocations left after the soak");
}
const seconds = (performance.now() - started) / 1000;
const rssAfter = Deno.memoryUsage().rss;
const lockAfter = vmLck();

console.log(
  `hostile inputs tried: ${hostile}; refused with the right error or NULL: ${refusedRight}`,
);
console.log(`  VmLck above baseline afterwards: ${afterHostile - baseline} bytes`);
for (const call of accepted) console.log(`  accepted: ${call}`);
console.log(`kill/crash scenarios: ${scenarios.length}`);
for (const line of scenarios) console.log(`  ${line}`);
console.log(
  `soak: ${soakCycles.toLocaleString("en")} allocate/free cycles (1-4 pages) in ${
    seconds.toFixed(1)
  } s`,
);
console.log(`  VmLck before ${lockBefore} bytes, after ${lockAfter} bytes`);
console.log(`  RSS before ${mib(rssBefore)}, after ${mib(rssAfter)}`);
const left = Math.max(afterHostile, afterScenarios, lockAfter) - baseline;
console.log(`locked bytes left afterwards: ${left}`);
if (left !== 0 || refusedRight !== hostile) Deno.exit(1);
