/**
 * Driver cases in a child Deno process, so that a crash of the driver's code (SIGSEGV, abort)
 * fails only the case that was running: it becomes a `driver-crash` finding naming the signal,
 * and the cases after it run in a fresh child. The kernel reclaims whatever the dead child held.
 *
 * @module
 */

import { CHILD_MARKER } from "./driver_child.ts";
import { DriverRules, findingOf } from "./findings.ts";
import type { DriverCaseOptions, DriverCaseResult } from "./run_case.ts";

const CHILD = decodeURIComponent(new URL("./driver_child.ts", import.meta.url).pathname);

/**
 * Options of {@linkcode runDriverBatch}.
 *
 * @example
 * ```ts
 * const options: IsolationOptions = { timeoutMs: 30_000 };
 * ```
 */
export interface IsolationOptions {
  /** Kill a child (SIGKILL) after this long; its running case fails as a crash. Default 120 s. */
  readonly timeoutMs?: number;
}

/**
 * Runs one case in a child process.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts a child process.
 * const result = await runDriverCase({ library, requestedBytes: 19_200, notificationCount: 2 });
 * if (!result.passed) console.log(result.findings.map(formatFinding).join("\n"));
 * ```
 */
export async function runDriverCase(
  options: DriverCaseOptions,
  isolation: IsolationOptions = {},
): Promise<DriverCaseResult> {
  return (await runDriverBatch([options], isolation))[0];
}

/**
 * Runs cases one after another in as few child processes as crashes allow, and returns their
 * results in order.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and starts child processes.
 * const [plain, capped] = await runDriverBatch([
 *   { library, requestedBytes: 19_200 },
 *   { library, requestedBytes: 19_200, faults: { memoryCapBytes: 8192 } },
 * ]);
 * ```
 */
export async function runDriverBatch(
  jobs: readonly DriverCaseOptions[],
  isolation: IsolationOptions = {},
): Promise<DriverCaseResult[]> {
  const results: DriverCaseResult[] = new Array(jobs.length);
  let next = 0;
  while (next < jobs.length) {
    const offset = next;
    const batch = jobs.slice(offset);
    const run = await runChild(batch, isolation.timeoutMs ?? 120_000);
    for (const [i, result] of run.results) results[offset + i] = result;
    if (run.crashedAt === null) {
      const missing = batch.findIndex((_, i) => !run.results.has(i));
      if (missing >= 0) throw new Error(`driver child ended without a result: ${run.stderr}`);
      break;
    }
    results[offset + run.crashedAt] = crashResult(run.how, run.stderr);
    next = offset + run.crashedAt + 1;
  }
  return results;
}

interface ChildRun {
  readonly results: Map<number, DriverCaseResult>;
  readonly crashedAt: number | null;
  readonly how: string;
  readonly stderr: string;
}

async function runChild(jobs: readonly DriverCaseOptions[], timeoutMs: number): Promise<ChildRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", "--allow-ffi", "--allow-read", "--allow-env", CHILD],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ jobs })))
    .then(() => writer.close())
    .catch(() => {}); // a child that died early: its status below is the outcome
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const output = await child.output().finally(() => clearTimeout(timer));
  const stderr = new TextDecoder().decode(output.stderr);
  const results = new Map<number, DriverCaseResult>();
  let started = -1;
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    if (!line.startsWith(CHILD_MARKER)) {
      if (line !== "") console.log(line);
      continue;
    }
    const [kind, index, ...rest] = line.slice(CHILD_MARKER.length).split(" ");
    const i = Number(index);
    if (kind === "start") started = i;
    else if (kind === "result") results.set(i, JSON.parse(rest.join(" ")));
    else if (kind === "error") throw new Error(`driver case ${i}: ${JSON.parse(rest.join(" "))}`);
  }
  const crashed = output.signal !== null || !output.success;
  if (!crashed) return { results, crashedAt: null, how: "", stderr };
  const how = output.signal !== null
    ? `killed by ${output.signal}${timedOut ? " (timeout)" : ""}`
    : `exited with code ${output.code}`;
  const crashedAt = started >= 0 && !results.has(started) ? started : results.size;
  return { results, crashedAt, how, stderr };
}

/** The shim's crash report: "wrt-driver-crash: <signal> at <site> address <address>". */
const CRASH_LINE = /^wrt-driver-crash: (.*) at (.*) address (\S+)$/m;

function crashResult(how: string, stderr: string): DriverCaseResult {
  const report = stderr.match(CRASH_LINE);
  const detail = report
    ? `the case's child process was ${how} (${report[1]} accessing ${report[3]})`
    : `the case's child process was ${how}: ${stderr.trim().split("\n").slice(-5).join("\n")}`;
  return {
    passed: false,
    findings: [
      findingOf(DriverRules.driverCrash, detail, {
        stopped: true,
        ...(report ? { callSite: report[2] } : {}),
      }),
    ],
    createStatus: 0,
    stopped: true,
    steps: [],
    sites: [],
    peakPages: 0,
    portCalls: 0,
    faultsInjected: 0,
    log: "",
  };
}
