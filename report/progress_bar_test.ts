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
  const bar = progressBar(terminal, { width: 10 });
  bar.update(5, 20, "Formats › 10 ms on simulator");
  bar.update(20, 20, "done");
  bar.clear();
  assert.deepEqual(terminal.written, [
    "\r\x1b[2K███░░░░░░░ 5/20 Formats › 10 ms on simulator",
    "\r\x1b[2K██████████ 20/20 done",
    "\r\x1b[2K",
  ]);
});

Deno.test("off a terminal: plain lines, one per interval and the last, no \\r or escapes", () => {
  const pipe = sink(false);
  let clock = 0;
  const bar = progressBar(pipe, { intervalMs: 10_000, now: () => clock });
  for (let done = 1; done <= 15; done++) {
    clock += 1_000;
    bar.update(done, 15, "simulator sizes");
  }
  bar.clear();
  assert.deepEqual(pipe.written, [
    "1/15 simulator sizes\n",
    "11/15 simulator sizes\n",
    "15/15 simulator sizes\n",
  ]);
  assert.ok(pipe.written.every((line) => !line.includes("\r") && !line.includes("\x1b")));
});
