/**
 * The suites the demo runs by default: the buffers real WaveRT drivers ask for, the devices that
 * limit where they may lie, and the ways drivers get allocation wrong.
 *
 * @module
 */

import { defineSuite } from "./define_suite.ts";
import type { Suite } from "./suite_model.ts";
import type { AudioBuffer } from "./audio_format.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
/** The HighAddress Microsoft's sample driver passes: anywhere a 32-bit DMA engine can reach. */
const DMA32 = 0xFFFF_FFFFn;

const stereo16 = { sampleRate: 48_000, channels: 2, bitsPerSample: 16 } as const;

function formatCase(name: string, audio: AudioBuffer, pages: number) {
  return {
    name,
    request: { call: "allocatePagesForMdl", highAddress: DMA32, audio, map: "WriteCombined" },
    expect: { bytes: "requested", pages, withinBound: true },
  } as const;
}

/**
 * Common WaveRT formats, each mapped write-combined as Intel HD Audio miniports must.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * const report = await runSuites([commonFormats], { seed: 1, providers: [simulatorProvider] });
 * report.suites[0].cases.length; // 8
 * ```
 */
export const commonFormats: Suite = defineSuite({
  name: "Common WaveRT formats",
  cases: [
    {
      ...formatCase("48 kHz stereo 16-bit 10 ms", { ...stereo16, durationMs: 10 }, 1),
      expect: {
        bytes: "requested",
        pages: 1,
        withinBound: true,
        latency: { p99Us: 500, repetitions: 50 },
      },
    },
    formatCase("48 kHz stereo 16-bit 20 ms", { ...stereo16, durationMs: 20 }, 1),
    formatCase("44.1 kHz stereo 16-bit 10 ms", {
      sampleRate: 44_100,
      channels: 2,
      bitsPerSample: 16,
      durationMs: 10,
    }, 1),
    formatCase("96 kHz stereo 24-in-32 10 ms", {
      sampleRate: 96_000,
      channels: 2,
      bitsPerSample: 24,
      containerBits: 32,
      durationMs: 10,
    }, 2),
    formatCase("192 kHz 8 ch 32-bit 10 ms", {
      sampleRate: 192_000,
      channels: 8,
      bitsPerSample: 32,
      durationMs: 10,
    }, 15),
    formatCase("notification count 1 (48 kHz 10 ms)", {
      ...stereo16,
      durationMs: 10,
      notificationCount: 1,
    }, 1),
    formatCase("notification count 2 (48 kHz 20 ms, two halves)", {
      ...stereo16,
      durationMs: 20,
      notificationCount: 2,
    }, 1),
    formatCase("2 s offload buffer", { ...stereo16, durationMs: 2000 }, 94),
  ],
});

/**
 * Devices whose DMA engine reaches only part of physical memory.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "../mod.ts";
 * const run = await simulatorProvider.run(dmaLimited.cases[2], { seed: 1 }); // 24-bit DMA
 * run.status; // "passed"
 * ```
 */
export const dmaLimited: Suite = defineSuite({
  name: "DMA-limited devices",
  cases: [
    ...[
      ["32-bit DMA (HighAddress 0xFFFFFFFF)", DMA32],
      ["31-bit DMA (HighAddress 0x7FFFFFFF)", 0x7FFF_FFFFn],
      ["24-bit DMA (HighAddress 16 MiB)", 0xFF_FFFFn],
    ].map(([name, highAddress]) => ({
      name: name as string,
      request: {
        call: "allocatePagesForMdl",
        highAddress: highAddress as bigint,
        audio: { ...stereo16, durationMs: 100 },
      },
      expect: { bytes: "requested", pages: 5, withinBound: true },
    } as const)),
    {
      // Asking for more than lies below 16 MiB takes all of it, wherever the allocator places
      // pages; the next 24-bit request then has nothing left within the bound.
      name: "24-bit DMA with everything below 16 MiB taken: never a page above the bound",
      steps: [
        {
          call: "allocatePagesForMdl",
          handle: "low",
          highAddress: 0xFF_FFFFn,
          totalBytes: 16 * MiB,
          expect: { bytes: "partial-allowed" },
        },
        {
          call: "allocatePagesForMdl",
          handle: "more",
          highAddress: 0xFF_FFFFn,
          totalBytes: 4 * KiB,
          expect: { result: "mdl-or-null" },
        },
        { call: "freePagesFromMdl", handle: "more" },
        { call: "freePagesFromMdl", handle: "low" },
      ],
    },
    {
      name: "24-bit DMA on a fragmented machine",
      conditions: { fragmentation: 0.6, seed: 11 },
      request: { call: "allocatePagesForMdl", highAddress: 0xFF_FFFFn, totalBytes: 256 * KiB },
      expect: { bytes: "requested", pages: 64, withinBound: true },
    },
  ],
});

/**
 * Physically contiguous buffers: all or nothing, and fragmentation can make them fail.
 *
 * @example
 * ```ts
 * import { testName } from "./run_suites.ts";
 * testName(contiguousRequests.cases[0]); // "Contiguous requests › 64 KiB below 4 GiB"
 * ```
 */
export const contiguousRequests: Suite = defineSuite({
  name: "Contiguous requests",
  cases: [
    {
      name: "64 KiB below 4 GiB",
      request: {
        call: "allocateContiguousPagesForMdl",
        highAddress: DMA32,
        totalBytes: 64 * KiB,
        map: "NonCached",
      },
      expect: { bytes: "requested", pages: 16, contiguous: true, withinBound: true },
    },
    {
      name: "1 MiB between 16 MiB and 4 GiB",
      request: {
        call: "allocateContiguousPagesForMdl",
        lowAddress: 16n * BigInt(MiB),
        highAddress: DMA32,
        totalBytes: MiB,
      },
      expect: { bytes: "requested", pages: 256, contiguous: true, withinBound: true },
    },
    {
      name: "4 MiB on a 90 % fragmented machine fails, never partial",
      conditions: { fragmentation: 0.9, seed: 3, fragmentModel: "geometric" },
      request: { call: "allocateContiguousPagesForMdl", highAddress: DMA32, totalBytes: 4 * MiB },
      expect: { result: "null" },
    },
  ],
});

/**
 * Buffers of 4 MiB and up.
 *
 * @example
 * ```ts
 * largeBuffers.cases.length; // 4: 4, 16 and 64 MiB, and 16 MiB on a fragmented machine
 * ```
 */
export const largeBuffers: Suite = defineSuite({
  name: "Large buffers",
  cases: [
    ...[4, 16, 64].map((mib) => ({
      name: `${mib} MiB below 4 GiB, mapped write-combined`,
      request: {
        call: "allocatePagesForMdl",
        highAddress: DMA32,
        totalBytes: mib * MiB,
        map: "WriteCombined",
      },
      expect: { bytes: "requested", pages: mib * 256, withinBound: true },
    } as const)),
    {
      name: "16 MiB on a 50 % fragmented machine is still complete",
      conditions: { fragmentation: 0.5, seed: 5 },
      request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 16 * MiB },
      expect: { bytes: "requested", pages: 4096, withinBound: true },
    },
  ],
});

/**
 * Low memory and injected failures: partial results a driver must check and NULLs it must handle.
 *
 * @example
 * ```ts
 * import { runSuites, simulatorProvider } from "../mod.ts";
 * const report = await runSuites([pressure], { seed: 1, providers: [simulatorProvider] });
 * report.suites[0].cases.every((c) => c.runs[0].status === "passed"); // true
 * ```
 */
export const pressure: Suite = defineSuite({
  name: "Memory pressure",
  cases: [
    {
      name: "4 MiB under a 1 MiB cap comes back partial",
      conditions: { memoryCapBytes: MiB },
      request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 4 * MiB },
      expect: { bytes: { atLeast: 4096, atMost: MiB }, pages: 256 },
    },
    {
      name: "a driver frees a partial buffer and retries within what it got",
      conditions: { memoryCapBytes: MiB },
      steps: [
        { call: "allocatePagesForMdl", handle: "wanted", highAddress: DMA32, totalBytes: 4 * MiB },
        { call: "freePagesFromMdl", handle: "wanted" },
        { call: "allocatePagesForMdl", handle: "fallback", highAddress: DMA32, totalBytes: MiB },
        { call: "mapAllocatedPages", handle: "fallback", cacheType: "WriteCombined" },
        { call: "unmapAllocatedPages", handle: "fallback" },
        { call: "freePagesFromMdl", handle: "fallback" },
      ],
      expect: { bytes: "partial-allowed", pages: 256 },
    },
    {
      name: "first allocation fails (Driver Verifier failNth)",
      conditions: { faults: { failNth: [1] } },
      request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 1920 },
      expect: { result: "null" },
    },
    {
      name: "Driver Verifier's 6 % random failures over 100 buffers",
      conditions: { faults: { probability: 0.06 }, seed: 42 },
      request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes: 1920 },
      expect: { result: "mdl-or-null", latency: { p99Us: 500, repetitions: 100 } },
    },
    {
      // 1 MiB is 256 pages: the cyclic buffer takes 94 and the BDL 1, leaving 161 for the rest.
      name: "under a 1 MiB cap the cyclic buffer and BDL come back whole, a second buffer partial",
      conditions: { memoryCapBytes: MiB },
      steps: [
        {
          call: "allocatePagesForMdl",
          handle: "cyclic",
          highAddress: DMA32,
          audio: { ...stereo16, durationMs: 2000 },
          expect: { bytes: "requested", pages: 94 },
        },
        {
          call: "allocateContiguousPagesForMdl",
          handle: "bdl",
          highAddress: DMA32,
          totalBytes: 4 * KiB,
          expect: { bytes: 4 * KiB, contiguous: true },
        },
        {
          call: "allocatePagesForMdl",
          handle: "second",
          highAddress: DMA32,
          totalBytes: 4 * MiB,
          expect: { bytes: "partial-allowed", pages: 161 },
        },
        { call: "mapAllocatedPages", handle: "cyclic", cacheType: "WriteCombined" },
        { call: "unmapAllocatedPages", handle: "cyclic" },
        { call: "freePagesFromMdl", handle: "second" },
        { call: "freePagesFromMdl", handle: "bdl" },
        { call: "freePagesFromMdl", handle: "cyclic" },
      ],
      // Case-level allocation expectations hold for every step that does not override them.
      expect: { withinBound: true },
    },
  ],
});

/**
 * Lifecycles, right and wrong: each misuse must raise the `DriverViolation` Driver Verifier would.
 *
 * @example
 * ```ts
 * import { testName } from "./run_suites.ts";
 * testName(lifecycle.cases[4]); // "Lifecycle and misuse › double free"
 * ```
 */
export const lifecycle: Suite = defineSuite({
  name: "Lifecycle and misuse",
  cases: [
    {
      name: "allocate, map, unmap, free",
      steps: [
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: DMA32, totalBytes: 1920 },
        { call: "mapAllocatedPages", handle: "buffer", cacheType: "WriteCombined" },
        { call: "unmapAllocatedPages", handle: "buffer" },
        { call: "freePagesFromMdl", handle: "buffer" },
      ],
    },
    {
      name: "free while mapped",
      steps: [
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: DMA32, totalBytes: 1920 },
        { call: "mapAllocatedPages", handle: "buffer", cacheType: "Cached" },
        { call: "freePagesFromMdl", handle: "buffer" },
      ],
      expect: { violation: "free-while-mapped" },
    },
    {
      name: "double map",
      steps: [
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: DMA32, totalBytes: 1920 },
        { call: "mapAllocatedPages", handle: "buffer", cacheType: "Cached" },
        { call: "mapAllocatedPages", handle: "buffer", cacheType: "Cached" },
      ],
      expect: { violation: "double-map" },
    },
    {
      name: "leak: never freed",
      steps: [
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: DMA32, totalBytes: 1920 },
      ],
      expect: { violation: "leaked-pages" },
    },
    {
      name: "double free",
      steps: [
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: DMA32, totalBytes: 1920 },
        { call: "freePagesFromMdl", handle: "buffer" },
        { call: "freePagesFromMdl", handle: "buffer" },
      ],
      expect: { violation: "double-free" },
    },
    {
      name: "unmap without map",
      steps: [
        { call: "allocatePagesForMdl", handle: "buffer", highAddress: DMA32, totalBytes: 1920 },
        { call: "unmapAllocatedPages", handle: "buffer" },
        { call: "freePagesFromMdl", handle: "buffer" },
      ],
      expect: { violation: "unmap-not-mapped" },
    },
  ],
});

/**
 * Every bundled suite, in the order the demo runs them.
 *
 * @example
 * ```ts
 * import { hasFailures, runSuites, simulatorProvider } from "../mod.ts";
 * const report = await runSuites(bundledSuites, { seed: 1, providers: [simulatorProvider] });
 * hasFailures(report); // false
 * ```
 */
export const bundledSuites: readonly Suite[] = [
  commonFormats,
  dmaLimited,
  contiguousRequests,
  largeBuffers,
  pressure,
  lifecycle,
];
