/**
 * The HTML report's style sheet, inline in every report (nothing is fetched).
 *
 * @module
 */

/**
 * CSS of the report: layout that reads at 800 px and wide screens alike, verdict badges (any
 * verdict without its own colour is purple), the maps, histograms and page lists.
 *
 * @example
 * ```ts
 * `<style>${reportStyle}</style>`;
 * ```
 */
export const reportStyle = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
h1 { margin: 0 0 .3rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #ccc; }
a { color: #1a4f9c; }
.run-facts { color: #555; margin: 0 0 1rem; }
table.summary { border-collapse: collapse; background: #fff; margin: .5rem 0 1rem;
  font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { border: 1px solid #ddd; padding: .2rem .6rem; }
table.summary th { background: #f0f0f0; text-align: left; }
table.summary td.count { text-align: right; min-width: 3.5rem; }
table.summary td.count.zero { color: #bbb; }
table.summary td.count.failed:not(.zero) { color: #c62828; font-weight: 700; }
table.summary tr.suite-first td { border-top: 2px solid #bbb; }
.failure-list { background: #fff3f3; border: 1px solid #f3c0c0; border-radius: 6px;
  padding: .5rem 1rem .5rem 2rem; }
.failure-list li { margin: .2rem 0; } .failure-list .message { color: #7f1d1d; }
.all-passed { color: #2e7d32; font-weight: 600; }
nav.contents ol.suites { padding-left: 1.2rem; }
nav.contents ol.cases { columns: 2 340px; column-gap: 2rem; padding-left: 1.2rem;
  margin: .2rem 0 .8rem; }
nav.contents ol.cases li { break-inside: avoid; }
.case { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem;
  margin: 1rem 0; }
.case[data-verdict="failed"] { border-color: #e57373; border-left: 5px solid #c62828; }
.case h3 { margin: .2rem 0 .6rem; font-size: 1rem; }
.backends { display: flex; flex-wrap: wrap; gap: 1rem; }
.backend { margin: 0; padding: .5rem; border: 1px solid #eee; border-radius: 4px;
  flex: 1 1 420px; min-width: 0; max-width: 640px; }
.backend figcaption { font-weight: 600; margin-bottom: .3rem; }
.verdict { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .8rem;
  font-weight: 600; color: #fff; background: #6a1b9a; }
.verdict.passed { background: #2e7d32; } .verdict.failed { background: #c62828; }
.verdict.ignored { background: #9e9e9e; } .verdict.observed { background: #00838f; }
.verdict.inconclusive { background: #6a1b9a; }
.reason, .notes { color: #666; } .failures { color: #c62828; }
.figures { font-variant-numeric: tabular-nums; color: #444; font-size: .85rem; }
pre.diff { background: #fff3f3; padding: .4rem; white-space: pre-wrap; }
svg { display: block; margin: .3rem 0; font: 10px monospace; width: 100%; height: auto; }
.hole { fill: #e0e0e0; } .ram { fill: #c8e6c9; } .ram-unknown { fill: #eeeeee; }
.pre-occupied { fill: #5d4037; } .legend-swatch.pre-occupied { fill-opacity: .7; }
.run.outside-bound { stroke: #d50000; stroke-width: 2; fill: #ff1744; }
.legend-label { fill: #555; }
.high-address { stroke: #c62828; stroke-width: 2; stroke-dasharray: 4 2; }
.low-address { stroke: #6a1b9a; stroke-width: 2; stroke-dasharray: 4 2; }
.bar { fill: #5c6bc0; } .sample { fill: #3949ab; fill-opacity: .75; }
.axis-line, .tick { stroke: #999; }
.percentile { stroke-width: 1.5; stroke-dasharray: 3 2; }
.percentile.p50 { stroke: #2e7d32; } .percentile.p99 { stroke: #ef6c00; }
.percentile.p999 { stroke: #c62828; } .percentile-label { fill: #333; }
.run-bar { fill: #8d6e63; } .run-count { fill: #444; }
.bound-label { fill: #c62828; } .axis, .strip-label, .hist-label, .map-note { fill: #555; }
details.page-list { font-size: .85rem; margin: .3rem 0; }
details.page-list table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
details.page-list td, details.page-list th { padding: 0 .6rem; text-align: right; }
`;
