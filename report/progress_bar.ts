/**
 * A one-line progress bar for long runs, redrawn in place on a terminal and silent otherwise, so
 * piped output and CI logs stay clean.
 *
 * @module
 */

/**
 * Where the bar is drawn: `Deno.stderr` has this shape.
 *
 * @example
 * ```ts
 * const sink: ProgressSink = Deno.stderr;
 * ```
 */
export interface ProgressSink {
  writeSync(bytes: Uint8Array): number;
  isTerminal(): boolean;
}

/**
 * Draws progress with `update` and removes the bar with `clear`.
 *
 * @example
 * ```ts
 * const bar: ProgressBar = progressBar(Deno.stderr);
 * bar.update(1, 2, "halfway");
 * bar.clear();
 * ```
 */
export interface ProgressBar {
  update(done: number, total: number, label: string): void;
  clear(): void;
}

const encoder = new TextEncoder();

/**
 * A progress bar on `sink` (normally `Deno.stderr`); does nothing when it is not a terminal.
 *
 * @example
 * ```ts
 * const bar = progressBar(Deno.stderr);
 * bar.update(3, 10, "Formats › 10 ms on simulator");
 * bar.clear();
 * ```
 */
export function progressBar(sink: ProgressSink, width = 30): ProgressBar {
  if (!sink.isTerminal()) return { update() {}, clear() {} };
  const columns = terminalColumns();
  return {
    update(done, total, label) {
      const filled = total === 0 ? width : Math.round(done / total * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      const line = `${bar} ${done}/${total} ${label}`.slice(0, columns - 1);
      sink.writeSync(encoder.encode(`\r\x1b[2K${line}`));
    },
    clear() {
      sink.writeSync(encoder.encode("\r\x1b[2K"));
    },
  };
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    // No console size (e.g. stdout redirected while stderr is a terminal): a safe default.
    return 80;
  }
}
