import assert from "node:assert/strict";
import { simulatorProvider } from "./backends.ts";
import { lifecycle } from "./bundled.ts";
import { runSuites } from "./run_suites.ts";
import { renderSuiteTable } from "./table.ts";

const report = await runSuites([lifecycle], {
  seed: 1,
  providers: [simulatorProvider],
  filter: "double map",
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
