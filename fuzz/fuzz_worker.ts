/**
 * A fuzz worker: runs the shards its parent sends with a machine pool of its own and posts each
 * {@linkcode ShardResult} back. `{ type: "close" }` closes the pool and ends the worker.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { FUZZ_MACHINE, otherSimulator, runShard, type ShardTask } from "./fuzz.ts";
import { MachinePool } from "./machine_pool.ts";
import { SequenceChecker } from "./run_sequence.ts";

/**
 * A message to a fuzz worker.
 *
 * @example
 * ```ts
 * const message: WorkerRequest = { type: "close" };
 * ```
 */
export type WorkerRequest = { readonly type: "shard"; readonly task: ShardTask } | {
  readonly type: "close";
};

const pool = new MachinePool(FUZZ_MACHINE);
const checker = new SequenceChecker({ otherBackend: otherSimulator });

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === "close") {
    pool.close();
    self.postMessage({ type: "closed" });
    self.close();
    return;
  }
  try {
    self.postMessage({ type: "result", result: runShard(request.task, { pool, checker }) });
  } catch (e) {
    self.postMessage({ type: "error", index: request.task.index, message: String(e) });
  }
};
