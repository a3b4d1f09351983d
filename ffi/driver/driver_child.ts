/**
 * Entry point of the long-lived child process the isolated runner starts: reads one job a line
 * on stdin (`child_protocol.ts`), runs each case in turn as it arrives and prints, for each, a
 * marked line when it starts and one with its result. It ends when stdin closes. The driver
 * library stays loaded between cases, so a sweep pays for the process and the library once.
 *
 * @module
 */

import { CHILD_MARKER, readLines } from "./child_protocol.ts";
import { type DriverCaseOptions, runDriverCaseInProcess } from "./run_case.ts";

if (import.meta.main) {
  const encoder = new TextEncoder();
  const write = (line: string) => {
    // writeSync may write part of a large result to a full pipe: write the rest too.
    const bytes = encoder.encode(line + "\n");
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
  };
  for await (const line of readLines(Deno.stdin.readable)) {
    if (line === "") continue;
    const { id, job } = JSON.parse(line) as { id: number; job: DriverCaseOptions };
    write(`${CHILD_MARKER}start ${id}`);
    try {
      write(`${CHILD_MARKER}result ${id} ${JSON.stringify(runDriverCaseInProcess(job))}`);
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      write(`${CHILD_MARKER}error ${id} ${JSON.stringify(error)}`);
    }
  }
}
