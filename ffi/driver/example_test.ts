// The bundled example stream (examples/miniport/): the correct one passes a plain case and every
// sweep; the variant with the two classic bugs fails with exactly those two findings, each named.
// Runs in child processes (runDriverCase, sweepDriverCase), as a driver under test should.
import assert from "node:assert/strict";
import { buildDriverLibrary, driverCompilerMissing, exampleDrivers } from "./build_driver.ts";
import { runDriverCase } from "./isolated.ts";
import { sweepDriverCase } from "./sweep.ts";

const missing = await driverCompilerMissing();
const suffix = missing ? ` (ignored: ${missing})` : "";
const correct = missing ? "" : await buildDriverLibrary(exampleDrivers.correct);
const buggy = missing ? "" : await buildDriverLibrary(exampleDrivers.buggy);
// 100 ms of 48 kHz 16-bit stereo in two notification periods: 5 pages, 4 partial size classes.
const CASE = { requestedBytes: 19_200, notificationCount: 2 } as const;

Deno.test({
  name: "the example stream allocates, zeroes, reports and frees its buffer" + suffix,
  ignore: missing !== null,
  async fn() {
    const result = await runDriverCase({ library: correct, ...CASE });
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.steps[0], {
      call: "allocate",
      status: 0,
      actualSize: 19_200,
      byteCount: 20_480,
      contents: [0, 0],
    });
    assert.match(result.log, /buffer of 19200 bytes \(19200 requested\), 2 notifications/);
    const operations = result.sites.map((s) => s.operation);
    assert.deepEqual(operations.sort(), [
      "AllocateContiguousPagesForMdl",
      "AllocatePagesForMdl",
      "ExAllocatePool2",
      "ExAllocatePool2",
      "ExAllocatePool2",
      "MapAllocatedPages",
      "MapAllocatedPages",
    ]);
    assert.equal(result.peakPages, 6);
  },
});

Deno.test({
  name: "the example stream accepts a partial buffer and reports what it got" + suffix,
  ignore: missing !== null,
  async fn() {
    const result = await runDriverCase({
      library: correct,
      ...CASE,
      faults: { memoryCapBytes: 3 * 4096 }, // the BDL page, then 2 of the 5 buffer pages
    });
    assert.deepEqual(result.findings, []);
    assert.equal(result.steps[0].byteCount, 8192);
    assert.equal(result.steps[0].actualSize, 8192);
  },
});

Deno.test({
  name: "the correct example passes every sweep: each call site failing, each memory cap, " +
    "random faults" + suffix,
  ignore: missing !== null,
  async fn() {
    const report = await sweepDriverCase({ library: correct, ...CASE }, {
      random: { runs: 30, seed: 11, probability: 0.2 },
    });
    assert.deepEqual(report.failures, []);
    assert.equal(report.passed, true);
    const modes = report.variants.map((v) => v.variant.mode);
    assert.equal(modes.filter((m) => m === "systematic").length, 7, "one per call site");
    assert.equal(modes.filter((m) => m === "memory-cap").length, 6, "caps 0..5 pages");
    assert.equal(modes.filter((m) => m === "random").length, 30);
    assert.equal(report.runs, 1 + 7 + 6 + 30);
  },
});

Deno.test({
  name: "the buggy example fails the sweep with the two classic bugs, each named and shrunk" +
    suffix,
  ignore: missing !== null,
  async fn() {
    const report = await sweepDriverCase({ library: buggy, ...CASE });
    assert.equal(report.passed, false);
    const rules = report.failures.map((f) => f.rule).sort();
    assert.deepEqual(rules, ["actual-size-exceeds-mdl", "failed-allocate-leaked"]);

    const partial = report.failures.find((f) => f.rule === "actual-size-exceeds-mdl")!;
    assert.equal(partial.variant.mode, "memory-cap");
    assert.match(partial.finding.message, /\*ActualSize is 19200 from offset 0, the MDL describes/);
    assert.match(partial.finding.callSite ?? "", /^CMiniportWaveRTStream::AllocateBufferWith/);
    assert.equal(partial.shrunk.requestedBytes, 8192, "the smallest request that can be partial");
    assert.equal(partial.shrunk.faults?.memoryCapBytes, 8192);

    const leak = report.failures.find((f) => f.rule === "failed-allocate-leaked")!;
    assert.equal(leak.variant.mode, "systematic");
    assert.match(leak.variant.label, /^MapAllocatedPages fails at CMiniportWaveRTStream::Allocate/);
    assert.match(leak.finding.message, /returned 0xC000009A and left a MDL of \d+ bytes/);
    assert.match(leak.finding.message, /allocated at CMiniportWaveRTStream::AllocateBuffer/);
    assert.equal(leak.shrunk.requestedBytes, 4096);
    // The failed call is named function+0xNN, not by an offset of this build.
    assert.match(String(leak.shrunk.faults?.failSites?.[0].site), /^CMiniportWaveRTStream::.*\+0x/);
    assert.match(
      leak.pasteable,
      /^\/\/ fails failed-allocate-leaked\n\/\/ CMiniportWaveRTStream::AllocateBufferWithNotification\(.*\)\+0x[0-9A-F]+ calls MapAllocatedPages/,
    );

    // The shrunk cases reproduce on their own.
    for (const failure of report.failures) {
      const again = await runDriverCase(failure.shrunk);
      assert.ok(again.findings.some((f) => f.rule === failure.rule), failure.pasteable);
    }
  },
});
