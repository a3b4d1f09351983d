/**
 * What a call site costs to capture in this runtime, against the allocation it would be recorded
 * for: a 1 MiB allocate + free recording no site (the denominator), the same pair recording
 * every allocation's stack (`captureAllocationSites: true`), and each way of capturing a stack
 * (the simulator's own `captureSite`, `new Error` at `Error.stackTraceLimit` 10, 1 and 0,
 * `Error.captureStackTrace` on a plain object, with and without a function whose frames it
 * skips), each made 12 frames below the loop as a test's call is, so the runtime has frames to
 * walk. A capture costs its share of a
 * recorded pair: `1 + capture ÷ pair` is the least "every site recorded ÷ none" can be with it.
 * The variants alternate within each round and each ratio is taken within its round; the table
 * gives the median and 10th–90th percentiles over the rounds. Nothing is asserted.
 *
 * Run: `npx --yes deno@2 run bench/stack_capture.ts`
 *
 * @module
 */

import { Simulator } from "../mod.ts";
import { captureSite } from "../core/call_site.ts";
import { median } from "./batch_timing.ts";
import { percentile } from "../stats/latency.ts";

const OPTIONS = { machine: "x64-4gib", fragmentation: 0.3, seed: 5 } as const;
const CALLS = 2_000;
const ROUNDS = 15;
/** Frames between the timing loop and the capture, as a driver's call sits below a test's. */
const DEPTH = 12;

/** Where results go, so that no call is optimized away. */
const sink: unknown[] = [undefined];

/** Calls `leaf` `DEPTH` frames down (the calls are not inlined away: each keeps a result). */
function below(depth: number, leaf: () => unknown): unknown {
  if (depth === 0) return leaf();
  const result = below(depth - 1, leaf);
  sink[0] = depth;
  return result;
}

function atLimit(limit: number): () => unknown {
  return () => {
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = limit;
    const site = new Error("allocated here");
    Error.stackTraceLimit = saved;
    return site;
  };
}

function skipping(): unknown {
  const site = {};
  Error.captureStackTrace(site, skipping);
  return site;
}

function pairOf(sites: boolean): { pair: () => unknown; close: () => void } {
  const sim = new Simulator({ ...OPTIONS, captureAllocationSites: sites });
  const stream = sim.stream();
  return {
    pair: () => stream.freePagesFromMdl(stream.allocatePagesForMdl(0xFFFFFFFFn, 1 << 20)!),
    close: () => sim.close(),
  };
}

const none = pairOf(false);
const every = pairOf(true);
/** Bare captures: each adds itself to a pair. */
const variants: Record<string, () => unknown> = {
  "new Error, stackTraceLimit 10": atLimit(10),
  "captureSite (new Error, stackTraceLimit 6)": captureSite,
  "new Error, stackTraceLimit 1": atLimit(1),
  "new Error, stackTraceLimit 0": atLimit(0),
  "Error.captureStackTrace({})": () => {
    const site = {};
    Error.captureStackTrace(site);
    return site;
  },
  "Error.captureStackTrace({}, fn) skipping fn's frames": skipping,
};

function nsPerCall(leaf: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) sink[0] = below(DEPTH, leaf);
  return (performance.now() - start) * 1e6 / CALLS;
}

for (const leaf of [none.pair, every.pair, ...Object.values(variants)]) nsPerCall(leaf); // warm-up
const RECORDED = "a pair, every site recorded";
const pairs: number[] = [];
const perRound = new Map<string, { ns: number[]; ratio: number[] }>();
const note = (name: string, ns: number, ratio: number) => {
  const row = perRound.get(name) ?? { ns: [], ratio: [] };
  row.ns.push(ns);
  row.ratio.push(ratio);
  perRound.set(name, row);
};
for (let round = 0; round < ROUNDS; round++) {
  const pairNs = nsPerCall(none.pair);
  pairs.push(pairNs);
  const recordedNs = nsPerCall(every.pair);
  note(RECORDED, recordedNs, recordedNs / pairNs);
  for (const [name, leaf] of Object.entries(variants)) {
    const ns = nsPerCall(leaf);
    note(name, ns, 1 + ns / pairNs);
  }
}
none.close();
every.close();

const at = (values: number[], p: number) => (percentile(values, p) ?? NaN).toFixed(2);
console.log(
  `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}: ${CALLS} calls a variant per round, ` +
    `${ROUNDS} rounds, ${DEPTH} frames below the loop`,
);
console.table([
  {
    variant: "a pair, no site",
    "ns per call": Math.round(median(pairs)),
    "a recorded pair ÷ none": "1×",
  },
  ...[...perRound].map(([variant, { ns, ratio }]) => ({
    variant,
    "ns per call": Math.round(median(ns)),
    "a recorded pair ÷ none": `${at(ratio, 50)}× (${at(ratio, 10)}–${at(ratio, 90)})`,
  })),
]);
