import assert from "node:assert/strict";
import { renderTextTable } from "./text_table.ts";

Deno.test("figures are right-aligned, text left-aligned, no trailing spaces", () => {
  const lines = renderTextTable(
    [{ header: "size" }, { header: "n", align: "right" }, { header: "p50", align: "right" }, {
      header: "verdict",
    }],
    [["4 KiB", "200", "2.51 µs", "passed"], ["64 MiB", "7", "315 µs", "failed"]],
  );
  assert.deepEqual(lines, [
    "size      n      p50  verdict",
    "4 KiB   200  2.51 µs  passed",
    "64 MiB    7   315 µs  failed",
  ]);
});

Deno.test("painting comes after padding, so columns stay aligned", () => {
  const lines = renderTextTable([{ header: "a" }, { header: "b" }], [["x", "y"], ["long", "z"]], {
    paint: (_r, c, text) => c === 0 ? `[${text}]` : text,
  });
  assert.deepEqual(lines, ["a     b", "[x   ]  y", "[long]  z"]);
});

Deno.test("a row with the wrong number of cells is refused", () => {
  assert.throws(() => renderTextTable([{ header: "a" }], [["x", "y"]]), RangeError);
});
