/**
 * The differential run as a hardware case, so that tests and the fuzz CLI can run it in a child
 * process through `runIsolated` (a native crash then fails the run instead of killing it).
 *
 * @module
 */

import type { HostBackend } from "../ffi/host_backend.ts";
import { toTaggedJson } from "../suites/tagged_json.ts";
import { differential } from "./differential.ts";

/**
 * Runs {@linkcode differential} against the child's host backend. The report goes back as tagged
 * JSON (`fromTaggedJson` restores it), since a divergence's steps hold bigint addresses.
 *
 * @example
 * ```ts ignore
 * const text = await runIsolated(new URL("./differential_cases.ts", import.meta.url),
 *   "differentialRun", { input: { runs: 100, seed: 1 } });
 * const report = fromTaggedJson<DifferentialReport>(text as string);
 * ```
 */
export function differentialRun(
  backend: HostBackend,
  input: { runs: number; seed: number },
): string {
  return toTaggedJson(differential(backend, { runs: input.runs, seed: input.seed }));
}
