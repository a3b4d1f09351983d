/**
 * The report people read, opened in headless Chromium at 1400 and 800 px: the summary, the
 * failures with working links and the contents come first; latency histograms have a log axis
 * with p50/p99/p99.9 marked and small samples drawn as points; scattered allocations get a
 * run-length histogram and a page list. Screenshots are saved under out/screenshots/.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { HeadlessChromium } from "./testdata/headless_chromium.ts";
import { renderHtmlReport } from "./html_report.ts";
import { latencyHistogramSvg } from "./histogram_svg.ts";
import { runLengthBuckets } from "./run_length_svg.ts";
import { providersFor } from "../suites/backends.ts";
import { defineSuite } from "../suites/define_suite.ts";
import { runSuites } from "../suites/run_suites.ts";
import { perStepSuite } from "../suites/testdata/per_step_suite.ts";
import type { RunReport } from "../suites/results.ts";

const CHROMIUM = "/usr/bin/chromium";
const chromiumMissing = (() => {
  try {
    Deno.statSync(CHROMIUM);
    return null;
  } catch (error) {
    return `${CHROMIUM} not found (${(error as Error).name}); .ci/run installs Debian's chromium`;
  }
})();
const SCREENSHOTS = fileURLToPath(new URL("../out/screenshots/", import.meta.url));

const layout = defineSuite({
  name: "Report layout",
  cases: [{
    name: "256 KiB scattered over a 60 % fragmented machine, 200 times",
    conditions: { fragmentation: 0.6, seed: 5, fragmentModel: "geometric" },
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFF_FFFFn, totalBytes: 256 << 10 },
    expect: { latency: { p99Us: 1e6, repetitions: 200 } },
  }, {
    name: "64 KiB, 5 times",
    conditions: { fragmentation: 0.3, seed: 2, fragmentModel: "geometric" },
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFF_FFFFn, totalBytes: 64 << 10 },
    expect: { latency: { p99Us: 1e6, repetitions: 5 } },
  }],
});

async function layoutReport(): Promise<RunReport> {
  const report = await runSuites([layout, perStepSuite], {
    seed: 1,
    providers: providersFor(["simulator", "hardware"]),
  });
  // A verdict this renderer has never heard of (a newer runner's) is counted and shown as is.
  const [suite] = report.suites;
  const [scattered, small] = suite.cases;
  const odd = {
    ...small,
    runs: small.runs.map((r) => ({ ...r, status: "inconclusive" as "passed" })),
  };
  return { ...report, suites: [{ ...suite, cases: [scattered, odd] }, ...report.suites.slice(1)] };
}

Deno.test("log-axis bins: samples spread evenly over decades fill the bins evenly", () => {
  const latencyNs = Array.from({ length: 3000 }, (_, i) => 1000 * 100 ** (i / 2999));
  const svg = latencyHistogramSvg({ backend: "x", latencyNs, timingSource: "modeled" });
  const heights = [...svg.matchAll(/<rect class="bar" [^>]*height="([\d.]+)"/g)].map((m) => +m[1]);
  assert.ok(heights.length >= 20, `${heights.length} bars`);
  // On a linear axis the first bin would hold half the samples and the rest almost none. The
  // axis reaches a little beyond the data, so the two end bins are only partly covered.
  const inner = heights.slice(1, -1);
  assert.ok(Math.max(...inner) / Math.min(...inner) < 1.1, heights.join(" "));
  for (const mark of ["p50", "p99", "p999"]) {
    assert.match(svg, new RegExp(`class="percentile ${mark}"`));
  }
  assert.match(svg, /p50 10\.0 µs/);
});

Deno.test("small samples are points, one per sample, with no bars", () => {
  const svg = latencyHistogramSvg({
    backend: "x",
    latencyNs: [900, 1000, 1000, 5000],
    timingSource: "measured",
  });
  assert.equal(svg.match(/<circle class="sample"/g)?.length, 4);
  assert.doesNotMatch(svg, /class="bar"/);
  assert.match(svg, /each point is a sample/);
});

Deno.test("run lengths fall into power-of-two buckets", () => {
  assert.deepEqual(runLengthBuckets([1, 1, 3, 8, 9]).map((b) => [b.low, b.high, b.count]), [
    [1, 1, 2],
    [2, 2, 0],
    [3, 4, 1],
    [5, 8, 1],
    [9, 16, 1],
  ]);
});

Deno.test({
  name: `the report reads top-down at 1400 and 800 px in headless Chromium${
    chromiumMissing ? ` (ignored: ${chromiumMissing})` : ""
  }`,
  ignore: chromiumMissing !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    try {
      const file = `${dir}/report.html`;
      await Deno.writeTextFile(file, renderHtmlReport(await layoutReport()));
      await using browser = await HeadlessChromium.launch(CHROMIUM);
      for (const width of [1400, 800]) {
        const page = await browser.newPage(width, 1000);
        await page.navigate(`file://${file}`);
        const seen = await page.evaluate<{
          order: string[];
          headers: string[];
          simulatorCounts: string[];
          failureLinks: { href: string; target: boolean }[];
          contentsLinks: number;
          cases: number;
          scattered: {
            bars: number;
            points: number;
            marks: number;
            runBars: number[];
            pageRows: number;
          };
          small: { bars: number; points: number; marks: number };
          overflow: number;
        }>(`(() => {
          const cases = [...document.querySelectorAll("article.case")];
          const figure = (c) => {
            const h = c.querySelector("svg.latency-histogram");
            return {
              bars: h.querySelectorAll("rect.bar").length,
              points: h.querySelectorAll("circle.sample").length,
              marks: [...h.querySelectorAll("line.percentile")].filter((l) => l.getBoundingClientRect().height > 0).length,
              runBars: [...c.querySelectorAll("svg.run-length-histogram rect.run-bar")].map((r) => r.getBoundingClientRect().height),
              pageRows: c.querySelectorAll("details.page-list tbody tr").length,
            };
          };
          return {
            order: [...document.body.children].map((e) => e.tagName === "HEADER" ? "header" : e.className),
            headers: [...document.querySelectorAll("table.summary th")].map((t) => t.textContent),
            simulatorCounts: [...document.querySelector("table.summary tbody tr").querySelectorAll("td")].map((t) => t.textContent),
            failureLinks: [...document.querySelectorAll(".failure-list a")].map((a) => ({
              href: a.getAttribute("href"), target: document.getElementById(a.getAttribute("href").slice(1)) !== null,
            })),
            contentsLinks: document.querySelectorAll("nav.contents ol.cases a").length,
            cases: cases.length,
            scattered: figure(cases[0]),
            small: figure(cases[1]),
            overflow: document.documentElement.scrollWidth - window.innerWidth,
          };
        })()`);
        // Summary, failures and contents before the first suite.
        assert.deepEqual(seen.order.slice(0, 4), [
          "header",
          "summary",
          "failures-first",
          "contents",
        ]);
        assert.equal(seen.order[4], "suite");
        assert.deepEqual(seen.headers, [
          "suite",
          "backend",
          "passed",
          "failed",
          "ignored",
          "observed",
          "inconclusive",
        ]);
        assert.deepEqual(seen.simulatorCounts, [
          "Report layout",
          "simulator",
          "1",
          "0",
          "0",
          "0",
          "1",
        ]);
        assert.ok(seen.failureLinks.length >= 1, "the failing step is listed");
        assert.ok(seen.failureLinks.every((l) => l.target), JSON.stringify(seen.failureLinks));
        assert.equal(seen.contentsLinks, seen.cases);
        // Modeled durations take few values: at least one bar, however many bins they fill.
        assert.ok(seen.scattered.bars >= 1, `${seen.scattered.bars} bars`);
        assert.equal(seen.scattered.points, 0);
        assert.equal(seen.scattered.marks, 3, "p50, p99 and p99.9 drawn");
        assert.ok(seen.scattered.runBars.length > 1 && seen.scattered.runBars.every((h) => h > 0));
        assert.ok(seen.scattered.pageRows > 1, "the scattered allocation's runs are listed");
        assert.equal(seen.small.bars, 0);
        assert.equal(seen.small.points, 5, "five samples, five points");
        assert.ok(seen.overflow <= 0, `${seen.overflow} px wider than the window at ${width} px`);
        assert.deepEqual(page.errors, []);

        const top = `${SCREENSHOTS}report-${width}.png`;
        await Deno.writeFile(top, await page.screenshot());
        const box = await page.evaluate<{ x: number; y: number; width: number; height: number }>(
          `(() => {
          const b = document.querySelector("article.case").getBoundingClientRect();
          return { x: b.x + scrollX, y: b.y + scrollY, width: b.width, height: b.height };
        })()`,
        );
        const first = `${SCREENSHOTS}case-${width}.png`;
        await Deno.writeFile(first, await page.screenshot(box));
        console.log(`screenshots: ${top} ${first}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
