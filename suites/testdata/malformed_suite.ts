/**
 * A suite with problems in several cases and fields, for the test that all of them are reported
 * at once and that nothing runs. The `as never` casts let type-invalid input reach validation.
 *
 * @module
 */

import { defineSuite } from "../define_suite.ts";

/** Never reached: `defineSuite` throws while this module loads. */
export const malformedSuite = defineSuite({
  name: "Malformed",
  cases: [
    {
      name: "odd frames in two halves",
      request: {
        call: "allocatePagesForMdl",
        highAddress: 0xFFFFFFFFn,
        audio: {
          sampleRate: 44_100,
          channels: 2,
          bitsPerSample: 16,
          durationMs: 10,
          notificationCount: 2,
        },
      },
    },
    {
      name: "bounds reversed and a typo",
      request: {
        call: "allocateContiguousPagesForMdl",
        lowAddress: 0x2000_0000n,
        highAddress: 0x1000_0000n,
        totalBytes: 4096,
      },
      expect: { byte: 4096 } as never,
    },
    {
      name: "handle used before allocation",
      steps: [
        { call: "mapAllocatedPages", handle: "buffer", cacheType: "Cached" },
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: 0xFFFFFFFFn, totalBytes: -5 },
      ],
      expect: { violation: "double-mapp" as never },
    },
  ],
});
