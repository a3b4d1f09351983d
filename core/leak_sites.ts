/**
 * Naming the line of every leak without a stack at every allocation. A stack costs 3–4 µs in
 * Deno whatever `Error.stackTraceLimit` says (the runtime also captures ten frames for uncaught
 * exceptions), three times a 1 MiB allocation. So the body runs once with no stacks; if it
 * leaks, it runs again on a fresh simulator of the same options, deterministic for the same
 * calls, that records the stacks of exactly the leaked allocation numbers and stops right after
 * the last of them, and the leak report comes from that replay. A run without leaks pays nothing;
 * one with leaks pays one more run of its body as far as its last leaked allocation.
 *
 * @module
 */

import type { Leak } from "./backend.ts";
import { ReplayStopped, type SiteReplay } from "./call_site.ts";
import { Simulator, type SimulatorOptions } from "./simulator.ts";
import { DriverViolation, leakedPagesViolation, ViolationRules } from "./violations.ts";

/** The options of {@linkcode withLeakSites}: a simulator's, which chooses the stacks itself. */
export type LeakSitesOptions = Omit<SimulatorOptions, "captureAllocationSites">;

/** How one run of the body ended: its value or its error, and what it left allocated. */
interface RunOutcome<T> {
  readonly value?: T;
  readonly error?: unknown;
  readonly threw: boolean;
  readonly leaks: Leak[];
}

/**
 * Runs `body` on a new simulator of `options` and returns its value; if the body leaves MDLs
 * allocated (or its own `assertNoLeaks` throws), rejects with the `leaked-pages` violation naming
 * the line that allocated each, found by a replay. If the replay leaks differently (the body
 * depends on more than the simulator: time, `Math.random`, outside state), the violation lists
 * the first run's leaks and says the sites could not be named. Any other error of the body is
 * rethrown as it is, without a replay. Every simulator is closed, its pages freed, on every path.
 *
 * @example
 * ```ts
 * import { withLeakSites } from "../mod.ts";
 * Deno.test("the driver frees its buffer on stop", () =>
 *   withLeakSites({ machine: "x64-16gib", seed: 7 }, (sim) => {
 *     const stream = sim.stream();
 *     const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920);
 *     if (mdl !== null) stream.freePagesFromMdl(mdl);
 *   }));
 * ```
 */
export async function withLeakSites<T>(
  options: LeakSitesOptions,
  body: (sim: Simulator) => T | Promise<T>,
): Promise<T> {
  if (typeof body !== "function") {
    throw new TypeError(`withLeakSites: body must be a function, got ${typeof body}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(`withLeakSites: options must be an object, got ${String(options)}`);
  }
  if ("captureAllocationSites" in options) {
    throw new RangeError(
      "withLeakSites: options.captureAllocationSites is chosen by withLeakSites (none, then the " +
        `leaked ones on a replay), got ${String(options.captureAllocationSites)}`,
    );
  }
  const first = await runOnce(options, false, body);
  const otherError = first.threw && !isLeakViolation(first.error);
  if (otherError || first.leaks.length === 0) {
    if (first.threw) throw first.error;
    return first.value as T;
  }
  const ids = first.leaks.map((leak) => leak.mdlId);
  const replay = await runOnce(options, { ids, stopAfterLast: true }, body);
  // Stopped after the last leaked allocation, MDLs the first run freed later may still be live.
  const leaked = new Set(ids);
  const named = replay.leaks.filter((leak) => leaked.has(leak.mdlId));
  if (sameLeaks(first.leaks, named)) throw leakedPagesViolation(named);
  throw leakedPagesViolation(
    first.leaks,
    `\n  (sites not named: the replay ${describeReplay(replay)}, so the body does not make the ` +
      "same calls on the same options; keep time, Math.random and outside state out of it)",
  );
}

/**
 * Runs the body once on a fresh simulator recording the stacks `sites` selects; a replay's stop
 * ends it with the MDLs live then.
 */
async function runOnce<T>(
  options: LeakSitesOptions,
  sites: false | SiteReplay,
  body: (sim: Simulator) => T | Promise<T>,
): Promise<RunOutcome<T>> {
  // Closed in `finally`, not with `using`: the Node bundle runs on Node versions without it.
  const sim = new Simulator({ ...options, captureAllocationSites: sites });
  try {
    const value = await body(sim);
    return { value, threw: false, leaks: sim.leaks() };
  } catch (error) {
    if (error instanceof ReplayStopped) return { threw: false, leaks: [...error.leaks] };
    return { error, threw: true, leaks: sim.leaks() };
  } finally {
    sim.close();
  }
}

function isLeakViolation(error: unknown): boolean {
  return error instanceof DriverViolation && error.rule === ViolationRules.leakedPages.id;
}

/** Whether two runs leaked the same MDLs: numbers, sources and sizes. */
function sameLeaks(a: readonly Leak[], b: readonly Leak[]): boolean {
  return a.length === b.length &&
    a.every((leak, i) =>
      leak.mdlId === b[i].mdlId && leak.source === b[i].source &&
      leak.byteCount === b[i].byteCount && leak.pages === b[i].pages
    );
}

function describeReplay(replay: RunOutcome<unknown>): string {
  if (replay.threw && !isLeakViolation(replay.error)) {
    return `threw ${replay.error instanceof Error ? replay.error.message : String(replay.error)}`;
  }
  const list = replay.leaks.map((l) => `#${l.mdlId} (${l.byteCount} bytes)`).join(", ");
  return `leaked ${replay.leaks.length === 0 ? "nothing" : list}`;
}
