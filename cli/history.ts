/**
 * `deno task history FILE|URL [--last N] [--previous M] [--html FILE]`: prints each case's trend
 * and flags regressions (history/trends.ts states the method); exit 1 on a regression, 2 on bad
 * usage or an unreachable database.
 *
 * @example
 * ```sh
 * deno task history out/history.sqlite --html out/history.html
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { openHistory } from "../history/open_history.ts";
import { caseTrends, DEFAULT_TREND_OPTIONS, type TrendOptions } from "../history/trends.ts";
import { trendsHtml } from "../history/trends_html.ts";
import { parseCommandLine } from "./command_line.ts";

const usage = `Usage: deno task history <file.sqlite | postgres://…> [options]

Prints each case's latency trend from a results history and flags regressions.

Options:
  --last <n>      runs in the recent window
  --previous <m>  runs in the window it is compared with
  --html <file>   also write the trends as HTML
  -h, --help      show this help and run nothing

Exit status: 0, 1 on a regression, 2 on bad usage or an unreachable database.`;

function usageError(message: string): number {
  console.error(`history: ${message}`);
  return 2;
}

/**
 * Runs the history CLI and returns its exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await main(["out/history.sqlite"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(args, {
    last: { type: "string" },
    previous: { type: "string" },
    html: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if ("error" in parsed) return usageError(parsed.error);
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError("give one history: a SQLite file or a URL");
  const options: TrendOptions = { ...DEFAULT_TREND_OPTIONS };
  for (const name of ["last", "previous"] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) {
      return usageError(`--${name} must be a positive integer, got "${text}"`);
    }
    (options as { -readonly [K in keyof TrendOptions]: TrendOptions[K] })[name] = n;
  }
  const target = positionals[0];
  if (!/^postgres(ql)?:\/\//.test(target)) {
    try {
      Deno.statSync(target);
    } catch {
      return usageError(`${target}: no such history file`);
    }
  }
  let history;
  try {
    history = await openHistory(target);
  } catch (error) {
    return usageError(`${target}: ${(error as Error).message}`);
  }
  let runs;
  try {
    runs = await history.readRuns();
  } finally {
    await history.close();
  }
  const trends = caseTrends(runs, options);
  console.log(`${runs.length} run(s), ${trends.length} case(s) × backend`);
  for (const t of trends) {
    const p50s = t.points.map((p) => p.p50Ns === null ? "–" : (p.p50Ns / 1000).toFixed(2))
      .slice(-8).join(" ");
    const test = t.test
      ? `p=${t.test.p.toPrecision(2)} effect=${t.test.effect.toFixed(2)}`
      : t.note ?? "";
    console.log(
      `${t.regression ? "REGRESSION" : "ok        "} ${t.suite} › ${t.case} › ${t.backend}: ` +
        `p50 µs ${p50s} (${test})${t.regression ? ` — ${t.regression}` : ""}`,
    );
  }
  if (values.html) {
    await Deno.mkdir(dirname(values.html), { recursive: true });
    await Deno.writeTextFile(values.html, trendsHtml(trends, options));
    console.log(`HTML written to ${values.html}`);
  }
  return trends.some((t) => t.regression !== null) ? 1 : 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
