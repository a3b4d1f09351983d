import assert from "node:assert/strict";
import { simulatorProvider } from "../suites/backends.ts";
import { lifecycle } from "../suites/bundled.ts";
import { runSuites } from "../suites/run_suites.ts";
import { renderSuiteTable } from "./table.ts";
import { perStepSuite } from "../suites/testdata/per_step_suite.ts";

const report = await runSuites([lifecycle], {
  seed: 1,
  providers: [simulatorProvider],
  filter: "double map",
  // The max address below was pinned under lowest-first placement, the default before issue 12.
  placement: "lowest-first",
});

Deno.test("colour only when asked for (a terminal), with the same text either way", () => {
  const [suite] = report.suites;
  const plain = renderSuiteTable(suite, { color: false });
  const coloured = renderSuiteTable(suite, { color: true });
  assert.ok(!plain.includes("\x1b["));
  assert.ok(coloured.includes("\x1b[32mpassed\x1b[39m"), "passed in green");
  // Stripping the escapes gives the plain table back: padding is computed before colouring.
  assert.equal(coloured.replace(new RegExp("\u001b\\[\\d+m", "g"), ""), plain);
});

Deno.test("one row per backend and a cross-check row, with its figures", () => {
  const lines = renderSuiteTable(report.suites[0], { color: false }).split("\n");
  assert.equal(lines[0], "Lifecycle and misuse");
  // Figures right-aligned under their headers, durations in one unit with three digits.
  assert.deepEqual(lines.slice(1, 4), [
    "case        backend      bytes  pages  runs  max address      p50      p99  verdict",
    "double map  simulator    4 KiB      1     1       0x1FFF  2.10 µs  2.10 µs  passed",
    "            cross-check                                                     ignored",
  ]);
});

Deno.test("a verdict the table does not know is shown as it is, in its own colour", () => {
  const [suite] = report.suites;
  const odd = {
    ...suite,
    cases: suite.cases.map((c) => ({
      ...c,
      runs: c.runs.map((r) => ({ ...r, status: "inconclusive" as "passed" })),
    })),
  };
  const table = renderSuiteTable(odd, { color: true });
  assert.ok(table.includes("\x1b[35minconclusive\x1b[39m"), table);
});

Deno.test("a per-step failure is listed under the table with its case, backend and step", async () => {
  const perStep = await runSuites([perStepSuite], { seed: 1, providers: [simulatorProvider] });
  const table = renderSuiteTable(perStep.suites[0], { color: false });
  assert.match(table, /^second buffer may be partial\s+simulator\s+.*passed$/m);
  assert.match(table, /^second buffer must be whole\s+simulator\s+.*failed$/m);
  assert.deepEqual(table.split("\n").filter((line) => line.includes("step 2")), [
    '  second buffer must be whole › simulator: step 2 (allocatePagesForMdl "second"): ' +
    "byteCount 1044480 < requested 4194304 (partial result)",
  ]);
});
