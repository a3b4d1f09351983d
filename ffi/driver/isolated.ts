/**
 * Driver cases in a child Deno process, so that a crash of the driver's code (SIGSEGV, abort)
 * fails only the case that was running: it becomes a `driver-crash` finding naming the signal,
 * and the cases after it run in a fresh child. One long-lived child serves every case of an
 * {@linkcode IsolatedDriverRunner} (a whole sweep, its shrinking included), so the process start
 * and the library load are paid once, not once per batch. The kernel reclaims whatever a dead
 * child held.
 *
 * @module
 */

import { DriverChild } from "./child_process.ts";
import { DriverRules, findingOf } from "./findings.ts";
import type { DriverCaseOptions, DriverCaseResult } from "./run_case.ts";

/**
 * Options of {@linkcode runDriverBatch} and {@linkcode IsolatedDriverRunner}.
 *
 * @example
 * ```ts
 * const options: IsolationOptions = { timeoutMs: 30_000 };
 * ```
 */
export interface IsolationOptions {
  /** A case running longer than this has its child killed (SIGKILL) and fails as a crash.
   * Default 120 s. */
  readonly timeoutMs?: number;
}

/** The least time a child has to start and reach its first case. */
const STARTUP_MS = 60_000;

interface Job {
  readonly id: number;
  readonly options: DriverCaseOptions;
  readonly resolve: (result: DriverCaseResult) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Runs driver cases in one long-lived child process, replaced when a case crashes it. Close it
 * (or `await using` it) when done: that ends the child.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts a child process.
 * await using runner = new IsolatedDriverRunner();
 * const [plain, capped] = await runner.run([
 *   { library, requestedBytes: 19_200 },
 *   { library, requestedBytes: 19_200, faults: { memoryCapBytes: 8192 } },
 * ]);
 * ```
 */
export class IsolatedDriverRunner implements AsyncDisposable {
  /** Child processes started so far (1 + the crashes that replaced one). */
  spawned = 0;
  readonly #timeoutMs: number;
  /** Jobs sent to the current child and not answered, in the order sent. */
  readonly #pending = new Map<number, Job>();
  #child: DriverChild | null = null;
  #running: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 0;
  #closed = false;

  constructor(isolation: IsolationOptions = {}) {
    this.#timeoutMs = isolation.timeoutMs ?? 120_000;
  }

  /** Runs cases and resolves with their results in order. */
  run(jobs: readonly DriverCaseOptions[]): Promise<DriverCaseResult[]> {
    return Promise.all(jobs.map((options) =>
      new Promise<DriverCaseResult>((resolve, reject) => {
        if (this.#closed) throw new Error("the isolated driver runner is closed");
        const child = this.#childNow(); // throws when no child can start (no --allow-run)
        const job = { id: this.#nextId++, options, resolve, reject };
        this.#pending.set(job.id, job);
        child.send(job.id, options);
      })
    ));
  }

  /** Ends the child: after the jobs sent when none is pending, else at once. */
  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (child === null) return;
    if (this.#pending.size > 0) child.kill();
    else await child.closeInput();
    await child.exited;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #childNow(): DriverChild {
    if (this.#child !== null) return this.#child;
    const child: DriverChild = new DriverChild({
      start: (id) => {
        this.#running = id;
        this.#arm(child);
      },
      result: (id, result) => this.#settle(id, (job) => job.resolve(result as DriverCaseResult)),
      error: (id, message) =>
        this.#settle(id, (job) => job.reject(new Error(`driver case ${id}: ${message}`))),
    });
    this.#child = child;
    this.spawned++;
    // A child that never gets to its first case is ended too, given time to start on a loaded
    // machine whatever the cases' own timeout.
    this.#arm(child, Math.max(this.#timeoutMs, STARTUP_MS));
    child.exited.then(({ crash, stderr }) => this.#ended(child, crash, stderr));
    return child;
  }

  /** (Re)starts the clock of what `child` is about to do. */
  #arm(child: DriverChild, ms = this.#timeoutMs): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => child.kill(true), ms);
  }

  #settle(id: number, how: (job: Job) => void): void {
    const job = this.#pending.get(id);
    if (job === undefined) return;
    this.#pending.delete(id);
    this.#running = null;
    clearTimeout(this.#timer);
    how(job);
  }

  /** A child ended: its running case (or, if none started, the next) failed as a crash; the
   * rest go to a new child. */
  #ended(child: DriverChild, crash: string | null, stderr: string): void {
    if (this.#child !== child) return;
    this.#child = null;
    clearTimeout(this.#timer);
    const running = this.#running;
    this.#running = null;
    const waiting = [...this.#pending.values()];
    if (waiting.length === 0) return;
    if (crash === null || this.#closed) {
      const why = this.#closed ? "the runner was closed" : `it ended: ${stderr.trim()}`;
      this.#pending.clear();
      for (const job of waiting) {
        job.reject(new Error(`driver case ${job.id} has no result: ${why}`));
      }
      return;
    }
    const crashed = waiting.find((job) => job.id === running) ?? waiting[0];
    this.#pending.delete(crashed.id);
    crashed.resolve(crashResult(crash, stderr));
    for (const job of waiting) if (job !== crashed) this.#childNow().send(job.id, job.options);
  }
}

/**
 * Runs one case in a child process.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts a child process.
 * const result = await runDriverCase({ library, requestedBytes: 19_200, notificationCount: 2 });
 * if (!result.passed) console.log(result.findings.map(formatFinding).join("\n"));
 * ```
 */
export async function runDriverCase(
  options: DriverCaseOptions,
  isolation: IsolationOptions = {},
): Promise<DriverCaseResult> {
  return (await runDriverBatch([options], isolation))[0];
}

/**
 * Runs cases one after another in as few child processes as crashes allow, and returns their
 * results in order.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts child processes.
 * const [plain, capped] = await runDriverBatch([
 *   { library, requestedBytes: 19_200 },
 *   { library, requestedBytes: 19_200, faults: { memoryCapBytes: 8192 } },
 * ]);
 * ```
 */
export async function runDriverBatch(
  jobs: readonly DriverCaseOptions[],
  isolation: IsolationOptions = {},
): Promise<DriverCaseResult[]> {
  await using runner = new IsolatedDriverRunner(isolation);
  return await runner.run(jobs);
}

/** The shim's crash report: "wrt-driver-crash: <signal> at <site> address <address>". */
const CRASH_LINE = /^wrt-driver-crash: (.*) at (.*) address (\S+)$/m;

function crashResult(how: string, stderr: string): DriverCaseResult {
  const report = stderr.match(CRASH_LINE);
  const detail = report
    ? `the case's child process was ${how} (${report[1]} accessing ${report[3]})`
    : `the case's child process was ${how}: ${stderr.trim().split("\n").slice(-5).join("\n")}`;
  return {
    passed: false,
    findings: [
      findingOf(DriverRules.driverCrash, detail, {
        stopped: true,
        ...(report ? { callSite: report[2] } : {}),
      }),
    ],
    createStatus: 0,
    stopped: true,
    steps: [],
    sites: [],
    peakPages: 0,
    portCalls: 0,
    faultsInjected: 0,
    log: "",
  };
}
