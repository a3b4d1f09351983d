import assert from "node:assert/strict";
import { sweepBackend } from "../bench/sweep.ts";
import { Simulator } from "../core/simulator.ts";
import { latencyReportHtml } from "./latency_report.ts";

Deno.test("a sweep's report draws every series", () => {
  using sim = new Simulator();
  const sweep = sweepBackend(sim, [4096, 65536, 1 << 20], { samples: 5, warmup: 1 });
  const html = latencyReportHtml({
    title: "t <script>",
    backends: [sweep],
    predictions: [{ bytes: 4096, measuredNs: 3000, predictedNs: 3300, error: 0.1 }],
    notes: ["n & m"],
  });
  assert.match(html, /<svg id="latency-vs-size"/);
  assert.match(html, /<svg id="predicted-vs-measured"/);
  assert.equal(html.match(/<path class="series"/g)?.length, 4, "p50, p99, measured, predicted");
  assert.match(html, /t &lt;script&gt;/);
  assert.match(html, /n &amp; m/);
  assert.match(html, /10\.0 %/);
});
