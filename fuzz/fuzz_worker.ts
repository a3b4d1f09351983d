/**
 * A fuzz worker: runs the shards its parent sends with a machine pool of its own and posts each
 * {@linkcode ShardResult} back. `{ type: "close" }` closes the pool and ends the worker.
 *
 * @module
 */

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

/** The worker's global scope, typed here rather than through the `deno.worker` lib. */
const worker = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};

const pool = new MachinePool(FUZZ_MACHINE);
const checker = new SequenceChecker({ otherBackend: otherSimulator });

worker.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === "close") {
    pool.close();
    worker.postMessage({ type: "closed" });
    worker.close();
    return;
  }
  try {
    worker.postMessage({ type: "result", result: runShard(request.task, { pool, checker }) });
  } catch (e) {
    worker.postMessage({ type: "error", index: request.task.index, message: String(e) });
  }
};
