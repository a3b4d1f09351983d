/**
 * The bundled driver suite: the example miniport (`examples/miniport/`) run through the harness,
 * correct and with its two classic bugs. The buggy case is expected to produce both findings, so
 * the demo shows them caught and still exits 0; a case where a bug went unnoticed would fail.
 *
 * @module
 */

import { defineDriverSuite, type DriverSuite } from "./driver_suite.ts";

/** 100 ms of 48 kHz 16-bit stereo in two notification periods: 5 pages, 4 partial size classes. */
const buffer = { requestedBytes: 19_200, notificationCount: 2 } as const;

/**
 * The example miniport, correct and buggy, plainly and swept.
 *
 * @example
 * ```ts
 * exampleMiniport.cases.map((c) => c.expectFindings.length); // [0, 0, 2]
 * ```
 */
export const exampleMiniport: DriverSuite = defineDriverSuite({
  name: "Example miniport (driver under test)",
  description: "examples/miniport's own buffer code against the simulator's IPortWaveRTStream",
  cases: [
    {
      name: "correct: allocates, maps, zeroes and frees 100 ms",
      library: { example: "correct" },
      ...buffer,
    },
    {
      name: "correct: passes every sweep",
      description: "each call site failing, each memory cap below the peak, 20 random runs",
      library: { example: "correct" },
      ...buffer,
      sweep: { random: { runs: 20, seed: 11, probability: 0.2 } },
    },
    {
      name: "buggy: the sweep catches both classic bugs",
      description: "reports the requested size when the allocation came back partial " +
        "(actual-size-exceeds-mdl); leaks the MDL when mapping fails (failed-allocate-leaked)",
      library: { example: "buggy" },
      ...buffer,
      sweep: true,
      expect: { findings: ["actual-size-exceeds-mdl", "failed-allocate-leaked"] },
    },
  ],
});

/**
 * Every bundled driver suite, in the order the demo runs them.
 *
 * @example
 * ```ts
 * bundledDriverSuites.length; // 1
 * ```
 */
export const bundledDriverSuites: readonly DriverSuite[] = [exampleMiniport];
