/**
 * One long-lived driver child process, from the parent's side: sends it jobs, reports the
 * protocol lines it answers with, and settles `exited` once it has ended and both of its output
 * streams are read (so no result is lost and nothing stays open).
 *
 * @module
 */

import { parseChildLine, readLines } from "./child_protocol.ts";
import type { DriverCaseOptions } from "./run_case.ts";

const CHILD = decodeURIComponent(new URL("./driver_child.ts", import.meta.url).pathname);
/** Enough of the child's stderr to hold the crash reporter's line and what led to it. */
const STDERR_TAIL = 16_384;

/**
 * How a child ended: `crash` is null for a clean exit, else how it died.
 *
 * @example
 * ```ts
 * const exit: ChildExit = { crash: "killed by SIGSEGV", stderr: "wrt-driver-crash: ..." };
 * ```
 */
export interface ChildExit {
  readonly crash: string | null;
  /** The end of what it wrote to stderr. */
  readonly stderr: string;
}

/**
 * What the child reports as it runs.
 *
 * @example
 * ```ts
 * const quiet: ChildListener = { start() {}, result() {}, error() {} };
 * ```
 */
export interface ChildListener {
  start(id: number): void;
  result(id: number, result: unknown): void;
  error(id: number, message: string): void;
}

/**
 * A running driver child. End it with `closeInput` (it finishes the jobs sent) or `kill`.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it starts a process.
 * const child = new DriverChild({ start() {}, result: console.log, error: console.error });
 * child.send(0, { library, requestedBytes: 4096 });
 * await child.closeInput();
 * await child.exited;
 * ```
 */
export class DriverChild {
  /** Settles when the process has ended and its output is read. */
  readonly exited: Promise<ChildExit>;
  readonly #process: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  #timedOut = false;

  constructor(listener: ChildListener) {
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", "--allow-ffi", "--allow-read", "--allow-env", CHILD],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#process = process;
    this.#stdin = process.stdin.getWriter();
    let stderr = "";
    const readStderr = (async () => {
      for await (const line of readLines(process.stderr)) {
        stderr = (stderr + line + "\n").slice(-STDERR_TAIL);
      }
    })();
    const readStdout = (async () => {
      for await (const line of readLines(process.stdout)) {
        const message = parseChildLine(line);
        if (message === null) {
          if (line !== "") console.log(line);
        } else if (message.kind === "start") listener.start(message.id);
        else if (message.kind === "result") listener.result(message.id, message.payload);
        else listener.error(message.id, String(message.payload));
      }
    })();
    this.exited = Promise.all([process.status, readStdout, readStderr]).then(
      ([status]) => {
        const crash = status.signal !== null
          ? `killed by ${status.signal}${this.#timedOut ? " (timeout)" : ""}`
          : status.success
          ? null
          : `exited with code ${status.code}`;
        return { crash, stderr };
      },
    );
  }

  /** Queues a job; the child runs them in the order sent. A dead child's `exited` tells. */
  send(id: number, job: DriverCaseOptions): void {
    const line = this.#encoder.encode(JSON.stringify({ id, job }) + "\n");
    this.#stdin.write(line).catch(() => {}); // a child that died: its exit is the outcome
  }

  /** Closes the child's stdin: it ends after the jobs already sent. */
  async closeInput(): Promise<void> {
    await this.#stdin.close().catch(() => {});
  }

  /** Ends the child now (SIGKILL); `timeout` marks its running case as timed out. */
  kill(timeout = false): void {
    this.#timedOut ||= timeout;
    try {
      this.#process.kill("SIGKILL");
    } catch {
      // already ended
    }
    this.closeInput();
  }
}
