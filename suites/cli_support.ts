/**
 * What the command line needs besides running suites: exit codes, output files checked and
 * created before a run, thrown values printed safely, a guard against suite modules that end the
 * process, and names made safe for a terminal.
 *
 * @module
 */

import { dirname } from "node:path";
import type { RunReport } from "./results.ts";

/**
 * The CLI's exit statuses.
 *
 * @example
 * ```ts
 * Deno.exitCode = ExitCode.failed; // 1: a failed expectation or divergence
 * ```
 */
export const ExitCode = {
  /** Everything that ran passed. */
  passed: 0,
  /** A failed expectation or a divergence between backends. */
  failed: 1,
  /** Bad input or environment: usage, a malformed suite, an unwritable output, the budget. */
  badInput: 2,
} as const;

/**
 * A problem with the command line's input or environment, shown as one line; exit status 2.
 *
 * @example
 * ```ts
 * throw new CliInputError("--seed must be a non-negative integer, got \"\"");
 * ```
 */
export class CliInputError extends Error {
  /** Whether the usage hint should follow the message. */
  readonly usage: boolean;

  constructor(message: string, options: { usage?: boolean } = {}) {
    super(message);
    this.name = "CliInputError";
    this.usage = options.usage ?? false;
  }
}

/**
 * A readable one-line description of any thrown value, never throwing itself (a null-prototype
 * object, a revoked proxy, a symbol).
 *
 * @example
 * ```ts
 * describeThrown(Object.create(null)); // "[object Object]"
 * describeThrown(new Error("boom")); // "boom"
 * ```
 */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) return String(value.message || value.name);
  } catch { /* a proxy that throws on access: described below */ }
  try {
    return String(value);
  } catch { /* no string conversion */ }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch { /* no JSON form either */ }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return "an unprintable value";
  }
}

/**
 * Checks an output path and creates the file (and its directory) before anything runs, so a bad
 * path costs nothing. Throws a {@linkcode CliInputError} naming the option and the path.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it writes a file.
 * await prepareOutput("--json", "out/results.json");
 * ```
 */
export async function prepareOutput(flag: string, path: string): Promise<void> {
  if (path.trim() === "") throw new CliInputError(`${flag} needs a file path, got ""`);
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    const info = await Deno.stat(path).catch(() => null);
    if (info?.isDirectory) throw new Error("it is a directory");
    const file = await Deno.open(path, { write: true, create: true });
    file.close();
  } catch (error) {
    throw new CliInputError(`${flag}: cannot write ${path}: ${oneLine(describeThrown(error))}`);
  }
}

/**
 * Writes an output file prepared with {@linkcode prepareOutput}; a failure is a
 * {@linkcode CliInputError} naming the path.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it writes a file.
 * await writeOutput("--json", "out/results.json", "{}");
 * ```
 */
export async function writeOutput(flag: string, path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (error) {
    throw new CliInputError(`${flag}: cannot write ${path}: ${oneLine(describeThrown(error))}`);
  }
}

/**
 * A suite module called `Deno.exit` while the CLI ran: reported as bad input (exit 2).
 *
 * @example
 * ```ts
 * new SuiteExitError(0).message; // "a suite module called Deno.exit(0): …"
 * ```
 */
export class SuiteExitError extends CliInputError {
  constructor(code: number | undefined) {
    super(
      `a suite module called Deno.exit(${code ?? ""}): suites must not end the process; ` +
        "the run was stopped and reports bad input",
    );
    this.name = "SuiteExitError";
  }
}

/**
 * While it is active, `Deno.exit` throws a {@linkcode SuiteExitError} instead of ending the
 * process, and if the process ends anyway (the error was caught and something else exited) the
 * exit status becomes 2 with a message. Dispose to restore.
 *
 * @example
 * ```ts
 * {
 *   using _guard = guardExit();
 *   try {
 *     Deno.exit(0);
 *   } catch (e) {
 *     console.log(e instanceof SuiteExitError); // true
 *   }
 * }
 * ```
 */
export function guardExit(): Disposable {
  const original = Deno.exit;
  Deno.exit = ((code?: number) => {
    throw new SuiteExitError(code);
  }) as typeof Deno.exit;
  const onUnload = () => {
    console.error("error: the process ended before the run finished (a suite module exited)");
    Deno.exitCode = ExitCode.badInput;
  };
  globalThis.addEventListener("unload", onUnload);
  return {
    [Symbol.dispose]() {
      Deno.exit = original;
      globalThis.removeEventListener("unload", onUnload);
    },
  };
}

/**
 * `text` with control characters (and bidirectional overrides) shown as escapes, so a name
 * cannot move the cursor, clear the screen or recolour the terminal. `\n` is kept when
 * `keepNewlines` is set.
 *
 * @example
 * ```ts
 * sanitizeForTerminal("a\x1b[2Jb\r"); // "a\\x1b[2Jb\\r"
 * ```
 */
export function sanitizeForTerminal(text: string, keepNewlines = false): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      if (c === "\n" && keepNewlines) return c;
      const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
      const code = c.charCodeAt(0);
      return named[c] ??
        (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`);
    },
  );
}

/**
 * The report with every name and message a suite controls made safe for the terminal.
 *
 * @example
 * ```ts
 * const report = { seed: 1, startedAt: "", backends: [], suites: [{ name: "a\x07", cases: [] }] };
 * sanitizeReport(report).suites[0].name; // "a\\x07"
 * ```
 */
export function sanitizeReport(report: RunReport): RunReport {
  const s = (text: string) => sanitizeForTerminal(text);
  const lines = (text: string) => sanitizeForTerminal(text, true);
  return {
    ...report,
    suites: report.suites.map((suite) => ({
      ...suite,
      name: s(suite.name),
      cases: suite.cases.map((c) => ({
        ...c,
        suite: s(c.suite),
        case: s(c.case),
        runs: c.runs.map((run) => ({
          ...run,
          ...(run.reason === undefined ? {} : { reason: lines(run.reason) }),
          failures: run.failures.map(lines),
          notes: run.notes.map(lines),
        })),
      })),
    })),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
