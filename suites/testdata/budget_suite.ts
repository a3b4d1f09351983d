/**
 * Two suites for the CLI tests: written Zeta first, then Alpha (the reverse of the alphabet, in
 * which a module's exports come), and a latency budget no allocation meets (1 ns).
 *
 * @module
 */

import { defineSuite } from "../define_suite.ts";

const request = {
  call: "allocatePagesForMdl",
  highAddress: 0xFFFFFFFFn,
  totalBytes: 4096,
} as const;

/** Written first. */
export const zeta = defineSuite({
  name: "Zeta, written first",
  cases: [{
    name: "impossible budget",
    request,
    expect: { pages: 1, latency: { p99Us: 0.001, repetitions: 400 } },
  }],
});

/** Written second. */
export const alpha = defineSuite({
  name: "Alpha, written second",
  conditions: { seed: 7 },
  cases: [{ name: "one page", request, expect: { pages: 1 } }],
});
