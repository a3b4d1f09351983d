import assert from "node:assert/strict";
import type { FuzzProgress } from "./fuzz.ts";
import { progressLine, progressPrinter } from "./progress.ts";

const at = (seconds: number, runs = 1000 * seconds): FuzzProgress => ({
  runs,
  steps: 5 * runs,
  findings: 0,
  elapsedMs: seconds * 1000,
});

Deno.test("progress line: runs, steps, steps per second, findings and seconds", () => {
  assert.equal(
    progressLine({ runs: 12_000, steps: 60_500, findings: 1, elapsedMs: 2000 }),
    "fuzz: 12,000 runs, 60,500 steps, 30,250 steps/s, 1 findings, 2.0 s",
  );
});

Deno.test("piped, progress is one plain line per interval, and nothing at the end", () => {
  const written: string[] = [];
  const printer = progressPrinter(false, (text) => written.push(text), 10_000);
  for (const seconds of [1, 5, 10.5, 12, 21, 22]) printer.update(at(seconds));
  printer.end();
  assert.deepEqual(written, [
    progressLine(at(1)) + "\n",
    progressLine(at(12)) + "\n",
    progressLine(at(22)) + "\n",
  ]);
});

Deno.test("on a terminal, progress rewrites one line and clears it at the end", () => {
  const written: string[] = [];
  const printer = progressPrinter(true, (text) => written.push(text));
  for (const seconds of [0.1, 0.2, 0.35, 0.5]) printer.update(at(seconds));
  printer.end();
  const clear = "\r\x1b[2K";
  assert.deepEqual(written, [
    clear + progressLine(at(0.1)),
    clear + progressLine(at(0.35)),
    clear,
  ]);
});

Deno.test("the command line on 2 workers, piped: progress lines, then one merged report", async () => {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/fuzz.ts", "--runs", "2000", "--seed", "5", "--workers", "2"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(text, /^fuzz: 1,000 runs, [\d,]+ steps, [\d,]+ steps\/s, 0 findings, [\d.]+ s\n/);
  assert.match(text, /\nfuzz: 2000 sequences, \d+ steps in [\d.]+ s on 2 worker\(s\) \(seed 5\)\n/);
  assert.ok(!text.includes("\r") && !text.includes("\x1b"), "no terminal codes in a pipe");
});
