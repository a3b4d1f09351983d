/**
 * A one-line progress bar for long runs, redrawn in place on a terminal; anywhere else (a pipe,
 * a CI log) plain lines, at most one every 10 seconds and one at the end, never a `\r` or an
 * escape code.
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
 * Options of {@linkcode progressBar}.
 *
 * @example
 * ```ts
 * const options: ProgressOptions = { width: 20, intervalMs: 1000 };
 * ```
 */
export interface ProgressOptions {
  /** Characters of the bar on a terminal; 30 by default. */
  readonly width?: number;
  /** Least time between two plain lines when the sink is not a terminal; 10 s by default. */
  readonly intervalMs?: number;
  /** The clock, in milliseconds; `performance.now` by default. */
  readonly now?: () => number;
}

/**
 * A progress bar on `sink` (normally `Deno.stderr`); plain lines when it is not a terminal.
 *
 * @example
 * ```ts
 * const bar = progressBar(Deno.stderr);
 * bar.update(3, 10, "Formats › 10 ms on simulator");
 * bar.clear();
 * ```
 */
export function progressBar(sink: ProgressSink, options: ProgressOptions = {}): ProgressBar {
  const width = options.width ?? 30;
  if (!sink.isTerminal()) return plainLines(sink, options);
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

function plainLines(sink: ProgressSink, options: ProgressOptions): ProgressBar {
  const interval = options.intervalMs ?? 10_000;
  const now = options.now ?? (() => performance.now());
  let last = -Infinity;
  let lastLine = "";
  return {
    update(done, total, label) {
      const t = now();
      if (done < total && t - last < interval) return;
      const line = `${done}/${total} ${label}`;
      if (line === lastLine) return;
      last = t;
      lastLine = line;
      sink.writeSync(encoder.encode(line + "\n"));
    },
    clear() {},
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
