/**
 * A suite for `suites/register_budget_test.ts`: one hardware case of 8 MiB, over the 1 MiB budget
 * that test sets, and one of a page, within it.
 *
 * @module
 */

import { defineSuite } from "../define_suite.ts";
import { registerSuite } from "../register.ts";

/** 8 MiB, then one page. */
export const overBudget = defineSuite({
  name: "Budget fixture",
  cases: [{
    name: "8 MiB buffer",
    request: { call: "allocatePagesForMdl", highAddress: -1n, totalBytes: 8 << 20 },
    expect: { bytes: "requested" },
  }, {
    name: "one page",
    request: { call: "allocatePagesForMdl", highAddress: -1n, totalBytes: 4096 },
    expect: { bytes: "requested" },
  }],
});

registerSuite(overBudget);
