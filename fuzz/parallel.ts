/**
 * `fuzz` on several Workers: the run's shards ({@linkcode shardTasks}) go to whichever worker is
 * free, and the results merge in shard order ({@linkcode ShardMerge}). The report of a seed and
 * a number of runs is therefore the same for 1 and N workers; only `seconds` budgets, which stop
 * when the time is up, depend on speed. A failure names its shard's seed and path, which
 * `fuzz({ seed, path })` replays in one thread.
 *
 * @module
 */

import { fuzz, type FuzzOptions, type FuzzProgress, shardTasks } from "./fuzz.ts";
import type { FuzzReport, ShardResult } from "./fuzz_report.ts";
import type { WorkerRequest } from "./fuzz_worker.ts";
import { ShardMerge } from "./shard_merge.ts";

/**
 * Options of {@linkcode fuzzParallel}: {@linkcode FuzzOptions} without a custom backend (workers
 * build their own simulators), plus the number of workers and a progress callback.
 *
 * @example
 * ```ts
 * const options: ParallelFuzzOptions = { runs: 4000, seed: 1, workers: 2 };
 * ```
 */
export interface ParallelFuzzOptions extends Omit<FuzzOptions, "backend"> {
  /** Workers to start. Default: `navigator.hardwareConcurrency`. */
  readonly workers?: number;
  /** Called after each shard. */
  readonly onProgress?: (progress: FuzzProgress) => void;
}

type WorkerReply =
  | { type: "result"; result: ShardResult }
  | { type: "error"; index: number; message: string }
  | { type: "closed" };

/**
 * Runs the fuzzer's shards on `workers` Workers and merges one report. A replay (`path`) runs in
 * this thread. Every worker is closed and terminated before the promise settles.
 *
 * @example
 * ```ts ignore
 * const report = await fuzzParallel({ runs: 20_000, seed: 7, workers: 2 });
 * report.steps; // the same as fuzz({ runs: 20_000, seed: 7 }).steps
 * ```
 */
export async function fuzzParallel(options: ParallelFuzzOptions = {}): Promise<FuzzReport> {
  if (options.path !== undefined) return fuzz(options);
  const { seconds, maxSteps = 12, faults = true } = options;
  const count = Math.max(1, options.workers ?? navigator.hardwareConcurrency ?? 1);
  const runs = options.runs ?? (seconds === undefined ? 10_000 : Infinity);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const started = performance.now();
  const deadline = seconds === undefined ? Infinity : started + seconds * 1000;
  const tasks = shardTasks({ seed, runs, maxSteps, faults });
  const merge = new ShardMerge();
  let firstFailure = Infinity;
  let runsDone = 0, stepsDone = 0, findings = 0;
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL("./fuzz_worker.ts", import.meta.url).href, { type: "module" }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let busy = 0;
      const next = (worker: Worker) => {
        const left = deadline - performance.now();
        const task = left > 0 ? tasks.next() : undefined;
        if (task === undefined || task.done || task.value.index > firstFailure) {
          if (busy === 0) resolve();
          return;
        }
        busy++;
        const timeLimitMs = Number.isFinite(left) ? Math.ceil(left) : undefined;
        const request: WorkerRequest = { type: "shard", task: { ...task.value, timeLimitMs } };
        worker.postMessage(request);
      };
      for (const worker of workers) {
        worker.onmessage = (event: MessageEvent<WorkerReply>) => {
          const reply = event.data;
          if (reply.type === "closed") return;
          busy--;
          if (reply.type === "error") {
            reject(new Error(`fuzz worker, shard ${reply.index}: ${reply.message}`));
            return;
          }
          const result = reply.result;
          merge.add(result);
          runsDone += result.runs;
          stepsDone += result.steps;
          if (result.failure !== undefined) {
            findings++;
            firstFailure = Math.min(firstFailure, result.index);
          }
          const elapsedMs = performance.now() - started;
          options.onProgress?.({ runs: runsDone, steps: stepsDone, findings, elapsedMs });
          next(worker);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(`fuzz worker failed: ${event.message}`));
        };
      }
      for (const worker of workers) next(worker);
    });
  } finally {
    await Promise.all(workers.map((worker) => closeWorker(worker)));
  }
  return merge.report(seed);
}

/** Asks a worker to close its machines, then terminates it (also if it does not answer). */
function closeWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, 2000);
    function done() {
      clearTimeout(timer);
      worker.terminate();
      resolve();
    }
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      if (event.data.type === "closed") done();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      done();
    };
    const request: WorkerRequest = { type: "close" };
    worker.postMessage(request);
  });
}
