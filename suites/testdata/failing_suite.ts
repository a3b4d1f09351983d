/**
 * A well-formed suite with one case whose expectation does not hold (6,000 bytes are two 4 KiB
 * pages, not one: possible only at 16 KiB pages), for the tests of the `deno test` integration and
 * the CLI's exit status.
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
      request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 6000 },
      expect: { pages: 1 },
    },
  ],
});

registerSuite(failingSuite, {
  backends: ["simulator"],
  callSite: (register, definition) => register(definition),
});
