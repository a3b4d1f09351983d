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
