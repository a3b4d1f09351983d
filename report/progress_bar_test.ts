import assert from "node:assert/strict";
import { progressBar } from "./progress_bar.ts";

function sink(terminal: boolean) {
  const written: string[] = [];
  return {
    written,
    isTerminal: () => terminal,
    writeSync(bytes: Uint8Array) {
      written.push(new TextDecoder().decode(bytes));
      return bytes.length;
    },
  };
}

Deno.test("the bar is redrawn in place on a terminal and cleared at the end", () => {
  const terminal = sink(true);
  const bar = progressBar(terminal, 10);
  bar.update(5, 20, "Formats › 10 ms on simulator");
  bar.update(20, 20, "done");
  bar.clear();
  assert.deepEqual(terminal.written, [
    "\r\x1b[2K███░░░░░░░ 5/20 Formats › 10 ms on simulator",
    "\r\x1b[2K██████████ 20/20 done",
    "\r\x1b[2K",
  ]);
});

Deno.test("nothing is written when the output is not a terminal", () => {
  const pipe = sink(false);
  const bar = progressBar(pipe);
  bar.update(1, 2, "case");
  bar.clear();
  assert.deepEqual(pipe.written, []);
});
