/**
 * The fuzzer's progress line: rewritten in place on a terminal (at most 5 times a second), one
 * plain line every 10 seconds when the output is piped.
 *
 * @module
 */

import type { FuzzProgress } from "./fuzz.ts";

/**
 * One line of progress: runs, steps per second and findings.
 *
 * @example
 * ```ts
 * progressLine({ runs: 2000, steps: 10600, findings: 0, elapsedMs: 200 });
 * // "fuzz: 2,000 runs, 10,600 steps, 53,000 steps/s, 0 findings, 0.2 s"
 * ```
 */
export function progressLine(p: FuzzProgress): string {
  const rate = p.elapsedMs > 0 ? Math.round(p.steps / (p.elapsedMs / 1000)) : 0;
  const n = (x: number) => x.toLocaleString("en-US");
  return `fuzz: ${n(p.runs)} runs, ${n(p.steps)} steps, ${n(rate)} steps/s, ` +
    `${n(p.findings)} findings, ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

/**
 * A printer of progress lines for a terminal (`tty`) or a pipe, writing to `write`.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const printer = progressPrinter(false, (text) => lines.push(text), 0);
 * printer.update({ runs: 1000, steps: 5300, findings: 0, elapsedMs: 100 });
 * printer.end(); // lines: ["fuzz: 1,000 runs, 5,300 steps, 53,000 steps/s, 0 findings, 0.1 s\n"]
 * ```
 */
export function progressPrinter(
  tty: boolean,
  write: (text: string) => void = (text) => {
    Deno.stdout.writeSync(new TextEncoder().encode(text));
  },
  intervalMs = tty ? 200 : 10_000,
): { update(p: FuzzProgress): void; end(): void } {
  let last = -Infinity;
  let shown = false;
  return {
    update(p) {
      if (p.elapsedMs - last < intervalMs) return;
      last = p.elapsedMs;
      write(tty ? `\r\x1b[2K${progressLine(p)}` : `${progressLine(p)}\n`);
      shown = true;
    },
    end() {
      if (tty && shown) write("\r\x1b[2K");
    },
  };
}
