/**
 * Finding the caller's frame in a stack: the first frame outside the simulator's own modules, so
 * that leak reports and systematic fault injection name the driver code, not the simulator.
 *
 * @module
 */

const INTERNAL_MODULES = ["call_site.ts", "faults.ts", "mm.ts", "port_stream.ts", "simulator.ts"]
  .map((file) => new URL(file, import.meta.url).href + ":");

/**
 * The first frame of `stack` (an `Error.stack`) outside the simulator, trimmed, or "unknown".
 *
 * @example
 * ```ts
 * callerFrame(new Error().stack); // "at file:///work/suites/my_test.ts:12:5"
 * ```
 */
export function callerFrame(stack: string | undefined): string {
  const frames = (stack ?? "").split("\n").slice(1).map((line) => line.trim());
  return frames.find((line) => !INTERNAL_MODULES.some((m) => line.includes(m))) ?? "unknown";
}

/**
 * A stack for the leak report. Six frames reach past the Mm (at most three) and PortCls layers
 * to the caller, so only those are kept (this saves memory, not time: Deno's cost of creating an
 * Error does not depend on the limit).
 *
 * @example
 * ```ts
 * callerFrame(captureSite().stack); // "at file:///work/suites/my_test.ts:12:5"
 * ```
 */
export function captureSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 6;
  const site = new Error("allocated here");
  Error.stackTraceLimit = limit;
  return site;
}

/**
 * Where allocation `id` was made, for a leak report: the caller's frame of its captured stack,
 * else why none was captured (`captured`: how many allocations capture one).
 *
 * @example
 * ```ts
 * allocationSite(undefined, 12, 10); // "not captured: allocation #12 came after the first 10 …"
 * ```
 */
export function allocationSite(error: Error | undefined, id: number, captured: number): string {
  if (error !== undefined) return callerFrame(error.stack);
  return captured === 0
    ? "not captured (captureAllocationSites is false)"
    : `not captured: allocation #${id} came after the first ${captured} ` +
      "(set captureAllocationSites: true to capture all)";
}
