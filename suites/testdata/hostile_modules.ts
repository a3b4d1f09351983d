/**
 * Suite modules that misbehave while loading, chosen by `HOSTILE_MODULE` (read only here, so the
 * CLI's tests can pick one without a file per case): `null-prototype` throws an object `String()`
 * cannot convert, `exit` calls `Deno.exit(0)`, `control-names` exports a suite whose names hold
 * terminal control sequences.
 *
 * @module
 */

import { defineSuite } from "../define_suite.ts";

const which = Deno.env.get("HOSTILE_MODULE");

if (which === "null-prototype") throw Object.assign(Object.create(null), { reason: "hostile" });
if (which === "exit") Deno.exit(0);

/** Names with an escape sequence that would clear the screen, a carriage return and a bell. */
export const controlNames = defineSuite({
  name: "evil\x1b[2J suite",
  cases: [{
    name: "over\rwritten\x07",
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
    expect: { pages: 1 },
  }],
});
