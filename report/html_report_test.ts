/**
 * The HTML report opened in headless Chromium (Debian's `chromium`, which `.ci/run` installs):
 * the memory maps and latency histograms must be drawn with a real size, side by side per case,
 * with no console errors and no request leaving the file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openHostBackend } from "../ffi/host_backend.ts";
import { helperAvailability } from "../ffi/library.ts";
import { hardwareProvider, providersFor, simulatorProvider } from "../suites/backends.ts";
import { commonFormats, contiguousRequests, lifecycle } from "../suites/bundled.ts";
import { HeadlessChromium } from "./testdata/headless_chromium.ts";
import { renderHtmlReport } from "./html_report.ts";
import { memoryMapSvg } from "./memory_map_svg.ts";
import { runSuites } from "../suites/run_suites.ts";
import { perStepSuite } from "../suites/testdata/per_step_suite.ts";

const CHROMIUM = "/usr/bin/chromium";
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
    assert.ok(run.status === "passed" || run.status === "observed", run.reason);
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
      const page = await browser.newPage(1280, 900);
      await page.navigate(`file://${file}`);

      const drawn = await page.evaluate<Record<string, { width: number; height: number }[]>>(`
        Object.fromEntries([
          "svg.memory-map", "svg.latency-histogram", "svg.memory-map rect.ram",
          "svg.memory-map rect.run", "svg.memory-map line.high-address",
          "svg.latency-histogram rect.bar",
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
      await Deno.writeFile(`${dir}/report.png`, screenshot);
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
