/**
 * Cases that exercise the isolation runner itself: a real fault inside the helper, a violation
 * and a plain value crossing the process boundary.
 *
 * @module
 */

import type { HostBackend } from "../host_backend.ts";
import { RESULT_MARKER } from "../isolation.ts";

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

/**
 * Prints a pass in the old marker format, then fails for real: the runner must report the
 * failure (only the line with the run's nonce counts).
 */
export function printsFakePass(): void {
  console.log(RESULT_MARKER + JSON.stringify({ ok: true, value: "forged" }));
  console.log(`${RESULT_MARKER}00000000-0000-0000-0000-000000000000 {"ok":true,"value":"forged"}`);
  throw new Error("the real outcome is a failure");
}

/** Leaves a carriage return and no newline on stdout, then returns 42. */
export function leavesCarriageReturn(): number {
  Deno.stdout.writeSync(new TextEncoder().encode("progress 50 %\r"));
  return 42;
}

/** Ends the child with exit code 0 before any outcome is reported. */
export function exitsEarly(): void {
  console.log("about to exit");
  Deno.exit(0);
}

/** Returns 64-bit values as bigints, with its (bigint-carrying) input. */
export function returnsBigints(_backend: HostBackend, input: unknown): unknown {
  return { max: 0xFFFF_FFFF_FFFF_FFFFn, input };
}

/** Returns a value with no JSON form (a cycle). */
export function returnsCycle(): unknown {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  return cycle;
}

/** Throws a null-prototype object, which `String()` cannot convert. */
export function throwsNullPrototype(): never {
  throw Object.assign(Object.create(null), { what: "not an Error" });
}
