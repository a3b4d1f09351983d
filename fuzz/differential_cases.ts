/**
 * The differential run as a hardware case, so that tests and the fuzz CLI can run it in a child
 * process through `runIsolated` (a native crash then fails the run instead of killing it).
 *
 * @module
 */

import type { HostBackend } from "../ffi/host_backend.ts";
import { differential, type DifferentialReport } from "./differential.ts";

/**
 * Runs {@linkcode differential} against the child's host backend.
 *
 * @example
 * ```ts ignore
 * const report = await runIsolated(new URL("./differential_cases.ts", import.meta.url),
 *   "differentialRun", { input: { runs: 100, seed: 1 } });
 * ```
 */
export function differentialRun(
  backend: HostBackend,
  input: { runs: number; seed: number },
): DifferentialReport {
  return differential(backend, { runs: input.runs, seed: input.seed });
}
