/**
 * A Worker that locks memory through the public API when told `{ mode, bytes }`, answers
 * `{ locked }`, and at the next message ends the way `mode` says: `"terminate"` waits to be
 * terminated, `"close"` calls `self.close()`, `"throw"` throws an uncaught error. It never frees
 * or closes anything itself.
 *
 * @module
 */

/// <reference lib="deno.worker" />
import { openHostBackend } from "../host_backend.ts";

/** Keeps the backend reachable: its finalizer would otherwise close it after a GC. */
const held: unknown[] = [];

let mode = "terminate";

self.onmessage = (event: MessageEvent<{ mode: string; bytes: number } | "end">) => {
  if (event.data === "end") {
    if (mode === "close") self.close();
    if (mode === "throw") throw new Error("the worker fails after locking memory");
    return;
  }
  mode = event.data.mode;
  const { bytes } = event.data;
  const backend = openHostBackend();
  held.push(backend);
  const stream = backend.stream();
  let locked = 0;
  // In 1 MiB pieces, so an RLIMIT_MEMLOCK below the total still locks what it allows.
  for (let done = 0; done < bytes; done += 1 << 20) {
    const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1 << 20);
    if (mdl === null || mdl.byteCount === 0) break;
    locked += mdl.byteCount;
    if (mdl.byteCount < 1 << 20) break;
  }
  self.postMessage({ locked });
};
