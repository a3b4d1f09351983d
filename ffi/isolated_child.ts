/**
 * Entry point of the child process {@linkcode runIsolated} starts: `isolated_child.ts <module>
 * <export>` with the case's JSON input on stdin. Opens a host backend, runs the case with it and
 * the input, fails the case if it leaked an MDL, and prints the outcome as one marked JSON line on
 * stdout.
 *
 * @module
 */

import { openHostBackend } from "./host_backend.ts";
import {
  decodeIsolated,
  encodeIsolated,
  type IsolatedOutcome,
  RESULT_MARKER,
} from "./isolation.ts";

async function runCase(
  module: string,
  exportName: string,
  input: unknown,
): Promise<IsolatedOutcome> {
  try {
    const cases = await import(module);
    const fn = cases[exportName];
    if (typeof fn !== "function") {
      throw new TypeError(`${module} has no exported case function ${exportName}`);
    }
    using backend = openHostBackend();
    const value = await fn(backend, input);
    backend.assertNoLeaks();
    encodeIsolated(value ?? null); // a value with no JSON form fails the case here, by name
    return { ok: true, value: value ?? null };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(safeString(e));
    const rule = (error as { rule?: unknown }).rule;
    return {
      ok: false,
      name: error.name,
      message: error.message,
      stack: error.stack,
      ...(typeof rule === "string" ? { rule } : {}),
    };
  }
}

/** `String(value)`, or a description when even that throws (a null-prototype object). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

if (import.meta.main) {
  const [module, exportName] = Deno.args;
  // Read whole before the case is imported: the nonce never reaches code the case controls.
  const { nonce, input } = decodeIsolated(await new Response(Deno.stdin.readable).text()) as {
    nonce: string;
    input: unknown;
  };
  const outcome = await runCase(module, exportName, input);
  const line = `\n${RESULT_MARKER}${nonce} ${encodeIsolated(outcome)}\n`;
  const bytes = new TextEncoder().encode(line);
  for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
}
