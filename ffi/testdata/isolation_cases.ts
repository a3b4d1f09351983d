/**
 * Cases that exercise the isolation runner itself: a real fault inside the helper, a violation
 * and a plain value crossing the process boundary.
 *
 * @module
 */

import type { HostBackend } from "../host_backend.ts";

/**
 * Calls `wrt_host_query` with an invalid `info` pointer: the helper's memset faults (SIGSEGV)
 * inside native code, the crash the runner must turn into a failed case.
 */
export function crashInNativeCode(backend: HostBackend): void {
  const raw = Deno.dlopen(backend.library.path, {
    wrt_host_query: { parameters: ["pointer", "buffer", "u64"], result: "i32" },
  });
  try {
    const reason = new Uint8Array(64);
    raw.symbols.wrt_host_query(Deno.UnsafePointer.create(16n), reason, 64n);
  } finally {
    raw.close();
  }
}

/**
 * Frees an MDL twice: the child reports a `double-free` violation.
 */
export function freesTwice(backend: HostBackend): void {
  const stream = backend.stream();
  const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
  stream.freePagesFromMdl(mdl);
  stream.freePagesFromMdl(mdl);
}

/**
 * Returns the backend's name and page size with the input it was given.
 */
export function describesBackend(backend: HostBackend, input: unknown): unknown {
  return { name: backend.name, pageSize: backend.pageSize, input };
}

/**
 * Allocates and never frees: the runner's leak check fails the case.
 */
export function leaksAnMdl(backend: HostBackend): void {
  backend.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096);
}
