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
  assert.match(
    lines[2],
    /^double map\s+simulator\s+4 KiB\s+1\s+1\s+0x1FFF\s+2µs 100ns\s+2µs 100ns\s+passed$/,
  );
  assert.match(lines[3], /^\s+cross-check\s+ignored$/);
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
