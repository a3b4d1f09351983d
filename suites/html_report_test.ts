/**
 * The HTML report opened in headless Chromium (Debian's `chromium`, which `.ci/run` installs):
 * the memory maps and latency histograms must be drawn with a real size, side by side per case,
 * with no console errors and no request leaving the file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { providersFor } from "./backends.ts";
import { commonFormats, contiguousRequests, lifecycle } from "./bundled.ts";
import { HeadlessChromium } from "./headless_chromium.ts";
import { renderHtmlReport } from "./html_report.ts";
import { runSuites } from "./run_suites.ts";

const CHROMIUM = "/usr/bin/chromium";
const chromiumMissing = (() => {
  try {
    Deno.statSync(CHROMIUM);
    return null;
  } catch (error) {
    return `${CHROMIUM} not found (${(error as Error).name}); .ci/run installs Debian's chromium`;
  }
})();

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
        ].map((selector) => [selector, [...document.querySelectorAll(selector)].map((e) => {
          const box = e.getBoundingClientRect();
          return { width: box.width, height: box.height };
        })]))`);
      assert.equal(drawn["svg.memory-map"].length, ranRuns.length, "a map per backend run");
      assert.equal(drawn["svg.latency-histogram"].length, ranRuns.length, "a histogram per run");
      for (const [selector, boxes] of Object.entries(drawn)) {
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
