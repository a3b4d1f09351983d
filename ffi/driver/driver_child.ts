/**
 * Entry point of the child process `runDriverBatch` starts: reads `{ jobs: DriverCaseOptions[] }`
 * as JSON on stdin, runs each case in turn and prints, for each, a marked line when it starts and
 * one with its result, so that a crash is attributed to the case that was running.
 *
 * @module
 */

import { runDriverCaseInProcess } from "./run_case.ts";
import type { DriverCaseOptions } from "./run_case.ts";

/**
 * Marks the child's protocol lines on stdout.
 *
 * @example
 * ```ts
 * console.log(`${CHILD_MARKER}start 0`);
 * ```
 */
export const CHILD_MARKER = "\u001eWAVERT_DRIVER_CASE ";

if (import.meta.main) {
  const input = JSON.parse(await new Response(Deno.stdin.readable).text()) as {
    jobs: DriverCaseOptions[];
  };
  const write = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
  input.jobs.forEach((job, i) => {
    write(`${CHILD_MARKER}start ${i}`);
    try {
      write(`${CHILD_MARKER}result ${i} ${JSON.stringify(runDriverCaseInProcess(job))}`);
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      write(`${CHILD_MARKER}error ${i} ${JSON.stringify(error)}`);
    }
  });
}
