/**
 * Entry point of the child process {@linkcode runIsolated} starts: `isolated_child.ts <module>
 * <export>` with the case's JSON input on stdin. Opens a host backend, runs the case with it and
 * the input, fails the case if it leaked an MDL, and prints the outcome as one marked JSON line on
 * stdout.
 *
 * @module
 */

import { openHostBackend } from "./host_backend.ts";
import { type IsolatedOutcome, RESULT_MARKER } from "./isolation.ts";

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
    return { ok: true, value: value ?? null };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
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

if (import.meta.main) {
  const [module, exportName] = Deno.args;
  const input = JSON.parse(await new Response(Deno.stdin.readable).text());
  const outcome = await runCase(module, exportName, input);
  console.log(RESULT_MARKER + JSON.stringify(outcome));
}
