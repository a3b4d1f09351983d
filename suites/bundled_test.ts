/**
 * The bundled suites under `deno test`: every case on the simulator and, where this machine
 * offers it, the hardware, with the cross-check between them.
 *
 * @module
 */

import { bundledSuites } from "./bundled.ts";
import { registerSuite } from "./register.ts";

// Our own tests never assert wall-clock time: measured latencies over a bundled budget are noted,
// while the simulator's modeled latencies are still held to it.
for (const suite of bundledSuites) registerSuite(suite, { measuredLatencyBudgets: "report" });
