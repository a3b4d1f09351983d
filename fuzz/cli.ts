/**
 * `deno task fuzz`: generated sequences on the simulator with fault injection.
 *
 * Options: `--runs N` (default 10000, or unlimited with `--seconds`), `--seconds S` (time budget),
 * `--seed N`, `--path P` (replay one failing run, in this process), `--max-steps N`, `--no-faults`,
 * `--workers N` (default: the cores), `--json FILE`. Prints a progress line (rewritten on a
 * terminal, every 10 s when piped). Exits 1 on a failure, after printing the shrunk sequence, its
 * replay command and the ready-to-paste suite case.
 *
 * `--differential` runs the sequences on the simulator and on this machine's hardware instead
 * (in a child process, default 1000 runs), and exits 1 on a divergence that no capability
 * explains.
 *
 * @module
 */

import { parseArgs, styleText } from "node:util";
import { runIsolated } from "../ffi/isolation.ts";
import { helperAvailability } from "../ffi/library.ts";
import { fromTaggedJson } from "../suites/tagged_json.ts";
import { describeDifference, type DifferentialReport } from "./differential.ts";
import { fuzz, type FuzzProgress } from "./fuzz.ts";
import { fuzzParallel } from "./parallel.ts";
import { progressPrinter } from "./progress.ts";
import { describeStep } from "./run_sequence.ts";
import { caseSource } from "./suite_case.ts";
import { bigintAsHex, envelopeFor } from "../results/envelope.ts";

const usage = "usage: deno task fuzz [--runs N] [--seconds S] [--seed N] [--path P] " +
  "[--max-steps N] [--no-faults] [--workers N] [--json FILE] [--differential]";

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`fuzz: --${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    Deno.exit(2);
  }
  return value;
}

async function differentialMain(runs: number | undefined, seed: number | undefined) {
  const helper = helperAvailability();
  if (!helper.available) {
    console.log(`differential: skipped, hardware backend unavailable: ${helper.reason}`);
    return;
  }
  const input = { runs: runs ?? 1000, seed: seed ?? Math.floor(Math.random() * 2 ** 31) };
  const report = fromTaggedJson<DifferentialReport>(
    await runIsolated(
      new URL("./differential_cases.ts", import.meta.url),
      "differentialRun",
      { input, timeoutMs: 30 * 60_000 },
    ) as string,
  );
  console.log(
    `differential: ${report.runs} sequences, ${report.steps} steps (seed ${report.seed})`,
  );
  console.log(`  capability differences: ${JSON.stringify(report.capabilityDifferences)}`);
  if (report.divergence === undefined) {
    console.log(styleText("green", "  no unexplained divergence"));
    return;
  }
  console.log(styleText("red", "\nDIVERGED:"));
  for (const d of report.divergence.differences) console.log(`  ${describeDifference(d)}`);
  console.log("as a suite case:\n" + caseSource(report.divergence.suiteCase));
  Deno.exit(1);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: Deno.args,
      options: {
        runs: { type: "string" },
        seconds: { type: "string" },
        seed: { type: "string" },
        path: { type: "string" },
        "max-steps": { type: "string" },
        "no-faults": { type: "boolean" },
        json: { type: "string" },
        differential: { type: "boolean" },
        workers: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message.split("\n")[0]} (--help for usage)`);
    Deno.exit(2);
  }
  if (args.help) {
    console.log(usage);
    return;
  }
  if (args.differential) {
    await differentialMain(
      positiveInteger("runs", args.runs),
      positiveInteger("seed", args.seed),
    );
    return;
  }
  if (args.json) {
    // Checked before the run, which can take minutes: a bad path is one line, exit 2.
    try {
      Deno.openSync(args.json, { write: true, create: true }).close();
    } catch (e) {
      console.error(`fuzz: --json ${args.json}: ${(e as Error).message}`);
      Deno.exit(2);
    }
  }
  const started = performance.now();
  const options = {
    runs: positiveInteger("runs", args.runs),
    seconds: positiveInteger("seconds", args.seconds),
    seed: positiveInteger("seed", args.seed),
    path: args.path,
    maxSteps: positiveInteger("max-steps", args["max-steps"]),
    faults: !args["no-faults"],
  };
  const workers = positiveInteger("workers", args.workers) ?? navigator.hardwareConcurrency ?? 1;
  const progress = progressPrinter(Deno.stdout.isTerminal());
  const onProgress = (p: FuzzProgress) => progress.update(p);
  const report = workers <= 1 || options.path !== undefined
    ? fuzz({ ...options, onProgress })
    : await fuzzParallel({ ...options, workers, onProgress });
  progress.end();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz: ${report.runs} sequences, ${report.steps} steps in ${seconds} s on ${
      options.path === undefined ? workers : 1
    } worker(s) (seed ${report.seed})`,
  );
  console.log(`  outcomes: ${JSON.stringify(report.outcomes)}`);
  console.log("  violations flagged as expected, per rule:");
  for (const [rule, n] of Object.entries(report.violations)) {
    console.log(`    ${rule.padEnd(20)} ${n.toLocaleString("en-US").padStart(9)}`);
  }
  console.log(`  partial allocations: ${report.partial}`);
  if (args.json) {
    // The versioned envelope (schema wavert-bench.fuzz-report/1, host facts, command line), then
    // the report; bigints in the one hex style.
    const file = { ...(await envelopeFor("fuzz-report")), ...report };
    Deno.writeTextFileSync(args.json, JSON.stringify(file, bigintAsHex, 2) + "\n");
    console.log(`  report written to ${args.json}`);
  }
  const failure = report.failure;
  if (failure === undefined) {
    console.log(styleText("green", "  no invariant violations, no leaked pages"));
    return;
  }
  console.log(styleText("red", `\nFAILED: ${failure.message}`));
  console.log("shrunk sequence:");
  failure.steps.forEach((s, i) => console.log(`  ${i + 1}. ${describeStep(s)}`));
  console.log(`replay: deno task fuzz --seed ${failure.seed} --path ${failure.path}`);
  console.log("as a suite case:\n" + caseSource(failure.suiteCase));
  Deno.exit(1);
}

if (import.meta.main) await main();
