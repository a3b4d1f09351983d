/**
 * The HTML report opened in headless Chromium (Debian's `chromium`, which `.ci/run` installs):
 * the memory maps and latency histograms must be drawn with a real size, side by side per case,
 * with no console errors and no request leaving the file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openHostBackend } from "../ffi/host_backend.ts";
import { helperAvailability } from "../ffi/library.ts";
import { hardwareProvider, providersFor, simulatorProvider } from "../suites/backends.ts";
import { commonFormats, contiguousRequests, lifecycle } from "../suites/bundled.ts";
import { HeadlessChromium } from "./testdata/headless_chromium.ts";
import { renderHtmlReport } from "./html_report.ts";
import { memoryMapSvg } from "./memory_map_svg.ts";
import { runSuites } from "../suites/run_suites.ts";
import { perStepSuite } from "../suites/testdata/per_step_suite.ts";
import type { Backend, WaveRtStream } from "../core/backend.ts";
import { Simulator } from "../core/simulator.ts";
import { crossCheck } from "../suites/cross_check.ts";
import { defineSuite } from "../suites/define_suite.ts";
import { runCase } from "../suites/run_case.ts";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = fileURLToPath(new URL("../out/screenshots/", import.meta.url));
const chromiumMissing = (() => {
  try {
    Deno.statSync(CHROMIUM);
    return null;
  } catch (error) {
    return `${CHROMIUM} not found (${(error as Error).name}); .ci/run installs Debian's chromium`;
  }
})();

/** Why the hardware map cannot show RAM ranges here, or null when the helper reads them. */
const hardwareRamMissing = (() => {
  const helper = helperAvailability();
  if (!helper.available) return `the helper is unavailable: ${helper.reason}`;
  using backend = openHostBackend();
  return backend.ramLayout() === null
    ? "the helper gives no RAM ranges here (physical addresses need CAP_SYS_ADMIN)"
    : null;
})();
if (hardwareRamMissing !== null) {
  console.log(`hardware map RAM checks skipped: unavailable: ${hardwareRamMissing}`);
}

Deno.test({
  name: "the hardware memory map draws the machine's RAM ranges, read by the helper in the child",
  ignore: hardwareRamMissing !== null,
  async fn() {
    const run = await hardwareProvider.run(commonFormats.cases[0], { seed: 1 });
    // Inconclusive: the case's measured latency budget was undecided on a busy host (a timing
    // outcome, which this test of the map does not judge).
    assert.ok(
      ["passed", "observed", "inconclusive"].includes(run.status),
      `status ${run.status}: ${run.reason ?? run.failures.join("\n")}`,
    );
    assert.ok(run.machine !== null, "the hardware run has no machine layout");
    assert.ok(run.machine.ranges.length > 0);
    const svg = memoryMapSvg(run);
    const ramRects = svg.match(/<rect class="ram" /g) ?? [];
    assert.ok(ramRects.length > 0, "no RAM range drawn");
    assert.ok(ramRects.length <= 2 * run.machine.ranges.length, "more RAM rects than ranges");
    assert.ok(!svg.includes("ram-unknown"), "the map still draws unknown RAM");
    assert.match(svg, /<rect class="hole" /);
  },
});

Deno.test({
  name: `the HTML report draws every map and histogram in headless Chromium${
    chromiumMissing ? ` (ignored: ${chromiumMissing})` : ""
  }`,
  ignore: chromiumMissing !== null,
  async fn() {
    const report = await runSuites([commonFormats, contiguousRequests, lifecycle], {
      seed: 1,
      providers: providersFor(["simulator", "hardware"]),
      filter: "/10 ms$|never partial|free while mapped/",
    });
    const ranRuns = report.suites.flatMap((s) => s.cases).flatMap((c) => c.runs)
      .filter((r) => r.status !== "ignored");
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/report.html`;
      await Deno.writeTextFile(file, renderHtmlReport(report));
      await using browser = await HeadlessChromium.launch(CHROMIUM);
      const page = await browser.newPage(1400, 900);
      await page.navigate(`file://${file}`);

      const drawn = await page.evaluate<Record<string, { width: number; height: number }[]>>(`
        Object.fromEntries([
          "svg.memory-map", "svg.latency-histogram", "svg.memory-map rect.ram",
          "svg.memory-map rect.run", "svg.memory-map line.high-address",
          "svg.latency-histogram rect.bar, svg.latency-histogram circle.sample",
          'figure[data-backend="hardware"]:not(.ignored) svg.memory-map rect.ram:not(.ram-unknown)',
        ].map((selector) => [selector, [...document.querySelectorAll(selector)].map((e) => {
          const box = e.getBoundingClientRect();
          return { width: box.width, height: box.height };
        })]))`);
      assert.equal(drawn["svg.memory-map"].length, ranRuns.length, "a map per backend run");
      assert.equal(drawn["svg.latency-histogram"].length, ranRuns.length, "a histogram per run");
      for (const [selector, boxes] of Object.entries(drawn)) {
        if (selector.includes("hardware") && hardwareRamMissing !== null) continue;
        assert.ok(boxes.length > 0, `${selector}: nothing drawn`);
        for (const box of boxes) {
          // A vertical line has no width: it is drawn when it has a height.
          assert.ok(box.height > 0 && (box.width > 0 || selector.includes("line")), selector);
        }
      }
      const notes = await page.evaluate<string[]>(
        `[...document.querySelectorAll(".map-note")].map((e) => e.textContent)`,
      );
      assert.ok(notes.includes("NULL: nothing allocated"), "the NULL case says so");
      const rows = await page.evaluate<number[][]>(`
        [...document.querySelectorAll(".backends")].map((row) =>
          [...row.querySelectorAll("figure.backend:not(.ignored)")]
            .map((f) => f.getBoundingClientRect().top))`);
      for (const tops of rows) assert.ok(new Set(tops).size <= 1, "backends sit side by side");

      const screenshot = await page.screenshot();
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await Deno.writeFile(`${SCREENSHOTS}maps-and-histograms.png`, screenshot);
      console.log(`screenshot: ${SCREENSHOTS}maps-and-histograms.png`);
      assert.deepEqual([...screenshot.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      assert.ok(screenshot.length > 10_000, "a screenshot with content");
      assert.deepEqual(page.errors, []);
      assert.deepEqual(page.requests.filter((url) => !url.startsWith("file:")), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a per-step failure is listed in the report with its step, escaped", async () => {
  const report = await runSuites([perStepSuite], {
    seed: 1,
    providers: [simulatorProvider],
    filter: "must be whole",
  });
  const failures = renderHtmlReport(report).match(/<ul class="failures">.*?<\/ul>/g);
  assert.deepEqual(failures, [
    '<ul class="failures"><li>step 2 (allocatePagesForMdl &quot;second&quot;): byteCount ' +
    "1044480 &lt; requested 4194304 (partial result)</li></ul>",
  ]);
});

/**
 * The simulator behind a HighAddress rewrite: `"ignore"` allocates anywhere and claims no
 * enforcement (the bound is observed, as on Linux); `"no-limit"` passes all-ones on as the
 * largest PHYSICAL_ADDRESS, for a core that does not take all-ones yet, and keeps every claim.
 */
function rewritingHighAddress(sim: Simulator, mode: "ignore" | "no-limit"): Backend {
  const anywhere = 0x7FFF_FFFF_FFFF_FFFFn;
  const high = (h: bigint) => mode === "ignore" || h > anywhere ? anywhere : h;
  const stream = (): WaveRtStream => {
    const inner = sim.stream();
    return {
      allocatePagesForMdl: (h, total) => inner.allocatePagesForMdl(high(h), total),
      allocateContiguousPagesForMdl: (low, h, total) =>
        inner.allocateContiguousPagesForMdl(low, high(h), total),
      mapAllocatedPages: (mdl, cacheType) => inner.mapAllocatedPages(mdl, cacheType),
      unmapAllocatedPages: (va, mdl) => inner.unmapAllocatedPages(va, mdl),
      freePagesFromMdl: (mdl) => inner.freePagesFromMdl(mdl),
      getPhysicalPagesCount: (mdl) => inner.getPhysicalPagesCount(mdl),
      getPhysicalPageAddress: (mdl, i) => inner.getPhysicalPageAddress(mdl, i),
      get lastCall() {
        return inner.lastCall;
      },
    };
  };
  return {
    name: sim.name,
    pageSize: sim.pageSize,
    capabilities: mode === "ignore"
      ? {
        ...sim.capabilities,
        highAddressEnforced: { available: false, reason: "HighAddress ignored for this test" },
      }
      : sim.capabilities,
    limits: sim.limits,
    stream,
    leaks: () => sim.leaks(),
    assertNoLeaks: () => sim.assertNoLeaks(),
    close: () => sim.close(),
    [Symbol.dispose]: () => sim.close(),
  };
}

const drawing = defineSuite({
  name: "Drawing",
  cases: [{
    name: "64 KiB below 4 GiB on a 95 % fragmented machine",
    conditions: { fragmentation: 0.95, seed: 3, fragmentModel: "geometric" },
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFF_FFFFn, totalBytes: 65536 },
  }, {
    name: "24-bit DMA, bound only observed",
    request: { call: "allocatePagesForMdl", highAddress: 0xFF_FFFFn, totalBytes: 16 << 20 },
    expect: { bytes: "partial-allowed" },
  }],
});

Deno.test({
  name: `the map draws pre-occupied memory, a legend and pages outside the bound${
    chromiumMissing ? ` (ignored: ${chromiumMissing})` : ""
  }`,
  ignore: chromiumMissing !== null,
  async fn() {
    const [fragmented, observed] = drawing.cases;
    const fragmentedRun = await simulatorProvider.run(fragmented, { seed: 1 });
    using sim = new Simulator({ seed: 1 });
    const observedRun = runCase(
      { name: "simulator", backend: rewritingHighAddress(sim, "ignore"), machine: sim.machine },
      observed,
    );
    assert.equal(observedRun.status, "observed", observedRun.failures.join("\n"));
    assert.ok(fragmentedRun.preOccupied!.pages > 0);
    const report = {
      seed: 1,
      startedAt: new Date(0).toISOString(),
      backends: ["simulator"],
      suites: [{
        name: drawing.name,
        cases: [fragmentedRun, observedRun].map((run, i) => ({
          suite: drawing.name,
          case: drawing.cases[i].name,
          runs: [run],
          crossCheck: crossCheck([run]),
        })),
      }],
    };
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/report.html`;
      await Deno.writeTextFile(file, renderHtmlReport(report));
      await using browser = await HeadlessChromium.launch(CHROMIUM);
      const page = await browser.newPage(1400, 900);
      await page.navigate(`file://${file}`);
      const seen = await page.evaluate<{
        occupied: { width: number; opacity: number }[][];
        fills: Record<string, string>;
        legend: string[];
        outside: number[];
        notes: string[];
      }>(`(() => {
        const maps = [...document.querySelectorAll("svg.memory-map")];
        const fill = (sel) => getComputedStyle(document.querySelector(sel)).fill;
        return {
          occupied: maps.map((m) => [...m.querySelectorAll("rect.pre-occupied:not(.legend-swatch)")].map((r) => ({
            width: r.getBoundingClientRect().width,
            opacity: Number(getComputedStyle(r).fillOpacity),
          }))),
          fills: {
            free: fill("svg.memory-map rect.ram"),
            occupied: fill("svg.memory-map rect.pre-occupied:not(.legend-swatch)"),
            own: fill("svg.memory-map rect.run:not(.outside-bound):not(.legend-swatch)"),
            outside: fill("svg.memory-map rect.run.outside-bound:not(.legend-swatch)"),
          },
          legend: [...maps[0].querySelectorAll(".legend .legend-label")].map((t) => t.textContent),
          outside: [...maps[1].querySelectorAll("rect.run.outside-bound:not(.legend-swatch)")]
            .map((r) => r.getBoundingClientRect().width),
          notes: [...document.querySelectorAll(".map-note")].map((t) => t.textContent),
        };
      })()`);
      // The fragmented machine's map is mostly pre-occupied, drawn dark; the other has none.
      const [fragmentedBins, observedBins] = seen.occupied;
      assert.ok(fragmentedBins.length > 100, `${fragmentedBins.length} pre-occupied bins`);
      assert.ok(fragmentedBins.every((b) => b.width > 0));
      assert.ok(fragmentedBins.filter((b) => b.opacity >= 0.7).length > 100);
      assert.equal(observedBins.length, 0);
      // Free RAM, pre-occupied memory, the case's pages and pages outside the bound all differ.
      assert.equal(new Set(Object.values(seen.fills)).size, 4, JSON.stringify(seen.fills));
      assert.deepEqual(seen.legend, [
        "free RAM",
        "pre-occupied",
        "this case's pages",
        "outside the bound",
        "hole",
        "HighAddress",
      ]);
      assert.ok(seen.outside.length > 0 && seen.outside.every((w) => w > 0), "outside pages drawn");
      assert.ok(
        seen.notes.some((n) => /page\(s\) pre-occupied by the rest of the system$/.test(n)),
        seen.notes.join("\n"),
      );
      assert.ok(
        seen.notes.some((n) =>
          /^\d+ of 4096 page\(s\) outside the bound \(observed: not enforced/.test(n)
        ),
        seen.notes.join("\n"),
      );
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await Deno.writeFile(`${SCREENSHOTS}drawing.png`, await page.screenshot());
      console.log(`screenshot: ${SCREENSHOTS}drawing.png`);
      assert.deepEqual(page.errors, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a HighAddress of no limit draws no bound line and says no limit", () => {
  const [testCase] = defineSuite({
    name: "No limit",
    cases: [{
      name: "anywhere",
      request: { call: "allocatePagesForMdl", highAddress: -1n, totalBytes: 4096 },
    }],
  }).cases;
  using sim = new Simulator({ seed: 1 });
  const backend = rewritingHighAddress(sim, "no-limit");
  const run = runCase({ name: "simulator", backend, machine: sim.machine }, testCase);
  assert.equal(run.status, "passed", run.failures.join("\n"));
  assert.equal(run.allocations[0].bound?.highAddress, "no limit");
  assert.equal(run.allocations[0].bound?.check, "no-limit");
  const svg = memoryMapSvg(run);
  assert.doesNotMatch(svg, /<line class="high-address" x1="\d/);
  assert.match(svg, /HighAddress: no limit/);
  // The overview spans the machine, not 2^64 bytes.
  assert.match(svg, /<text class="axis" x="520" [^>]*>0x4\w{8}<\/text>/);
});
