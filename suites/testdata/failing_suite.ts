/**
 * A well-formed suite with one case whose expectation cannot hold (a 10 ms buffer is one page, not
 * two), for the tests of the `deno test` integration and the CLI's exit status.
 *
 * @module
 */

import { defineSuite } from "../define_suite.ts";
import { registerSuite } from "../register.ts";

/** One passing and one failing case. */
export const failingSuite = defineSuite({
  name: "Fixture",
  cases: [
    {
      name: "one page passes",
      request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
      expect: { pages: 1 },
    },
    {
      name: "two pages fails",
      request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
      expect: { pages: 2 },
    },
  ],
});

registerSuite(failingSuite, {
  backends: ["simulator"],
  callSite: (register, definition) => register(definition),
});
