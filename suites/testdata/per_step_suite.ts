/**
 * A well-formed suite with per-step expectations under a memory cap: one case that holds and one
 * whose second buffer is expected whole but comes back partial, for the tests of how the table,
 * the HTML report and the CLI name a failing step.
 *
 * @module
 */

import { defineSuite } from "../define_suite.ts";
import type { CaseInput } from "../schema.ts";

const DMA32 = 0xFFFFFFFFn;

function underCap(name: string, second: "requested" | "partial-allowed"): CaseInput {
  return {
    name,
    conditions: { memoryCapBytes: 1 << 20 },
    steps: [
      { call: "allocatePagesForMdl", handle: "first", highAddress: DMA32, totalBytes: 4096 },
      {
        call: "allocatePagesForMdl",
        handle: "second",
        highAddress: DMA32,
        totalBytes: 4 << 20,
        expect: { bytes: second, pages: 255 },
      },
      { call: "freePagesFromMdl", handle: "first" },
      { call: "freePagesFromMdl", handle: "second" },
    ],
    expect: { pages: 1 },
  };
}

/** The first buffer's single page comes from the case; the second buffer's sizes from its step. */
export const perStepSuite = defineSuite({
  name: "Per-step fixture",
  cases: [
    underCap("second buffer may be partial", "partial-allowed"),
    underCap("second buffer must be whole", "requested"),
  ],
});
