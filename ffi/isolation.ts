/**
 * Runs a hardware case in a child Deno process, so a crash in native code becomes one failed
 * case naming the signal instead of a dead test run; the kernel reclaims the child's pages.
 *
 * A case is an exported function of a module, `(backend: HostBackend, input) => unknown`, where
 * `input` is the JSON value given as {@linkcode IsolatedCaseOptions.input}. The child
 * opens the backend with only `--allow-ffi=<helper path>`, runs the case, checks it leaked no
 * MDL, closes the backend and sends back the (JSON) result or the error.
 *
 * @module
 */

import { ViolationRules } from "../core/violations.ts";
import { DriverViolation } from "../core/violations.ts";
import { HELPER_PATH_ENV, resolveHelperPath } from "./library.ts";

/**
 * Marks the line of the child's stdout that carries the outcome.
 *
 * @example
 * ```ts
 * console.log(RESULT_MARKER + JSON.stringify({ ok: true, value: null }));
 * ```
 */
export const RESULT_MARKER = "\u001eWAVERT_ISOLATED_RESULT ";

const CHILD = decodeURIComponent(new URL("./isolated_child.ts", import.meta.url).pathname);

/**
 * Options of {@linkcode runIsolated}.
 *
 * @example
 * ```ts
 * const options: IsolatedCaseOptions = { wrapper: ["prlimit", "--memlock=65536"], input: 4096 };
 * ```
 */
export interface IsolatedCaseOptions {
  /** A JSON-serialisable value passed to the case as its second argument (via stdin). */
  readonly input?: unknown;
  /**
   * A command prefix the child runs under, e.g. `["prlimit", "--memlock=65536:65536"]` or
   * `["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin"]`.
   */
  readonly wrapper?: readonly string[];
  /** Extra environment variables for the child. */
  readonly env?: Readonly<Record<string, string>>;
  /** V8 flags for the child, e.g. `["--expose-gc"]`. */
  readonly v8Flags?: readonly string[];
  /**
   * FFI permission of the child: `"helper"` (default) is `--allow-ffi=<helper path>`, all the
   * backend needs; `"all"` also allows raw pointers, for cases that fault on purpose.
   */
  readonly ffi?: "helper" | "all";
  /** Kill the child (SIGKILL) after this many milliseconds; default 120 000. */
  readonly timeoutMs?: number;
}

/**
 * The child process died from a signal (a native crash, or the timeout's SIGKILL) or exited
 * without reporting an outcome.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper and starts a child process.
 * const cases = new URL("./testdata/isolation_cases.ts", import.meta.url);
 * try {
 *   await runIsolated(cases, "crashInNativeCode", { ffi: "all" });
 * } catch (e) {
 *   if (e instanceof IsolatedCaseCrashed) console.log(e.signal); // "SIGSEGV"
 * }
 * ```
 */
export class IsolatedCaseCrashed extends Error {
  /** The signal that ended the child, or null when it exited. */
  readonly signal: Deno.Signal | null;
  /** Exit code when it exited. */
  readonly exitCode: number;
  /** The child's stderr, for the report. */
  readonly stderr: string;

  constructor(caseName: string, status: Deno.CommandStatus, stderr: string, timedOut: boolean) {
    const how = status.signal !== null
      ? `was killed by ${status.signal}${timedOut ? " (timeout)" : ""}`
      : `exited with code ${status.code} without reporting an outcome`;
    super(`hardware case ${caseName}: the helper's child process ${how}\n${stderr.trim()}`);
    this.name = "IsolatedCaseCrashed";
    this.signal = status.signal;
    this.exitCode = status.code;
    this.stderr = stderr;
  }
}

/**
 * What the child reports: a value, or the fields of the error it threw.
 *
 * @example
 * ```ts
 * const outcome: IsolatedOutcome = { ok: false, name: "DriverViolation", message: "…", rule: "double-free" };
 * ```
 */
export type IsolatedOutcome =
  | { readonly ok: true; readonly value: unknown }
  | {
    readonly ok: false;
    readonly name: string;
    readonly message: string;
    readonly stack?: string;
    readonly rule?: string;
  };

/**
 * Runs `exportName` of `module` in a child Deno process against a fresh host backend and resolves
 * with its return value. An error the case throws is rethrown here with its name and message (a
 * `DriverViolation` as a `DriverViolation` with the same rule); a native crash rejects with
 * {@linkcode IsolatedCaseCrashed} naming the signal. The child's own output is forwarded.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper and starts a child process.
 * const cases = new URL("./testdata/host_cases.ts", import.meta.url);
 * const summary = await runIsolated(cases, "realFrameNumbers");
 * ```
 */
export async function runIsolated(
  module: URL | string,
  exportName: string,
  options: IsolatedCaseOptions = {},
): Promise<unknown> {
  const helperPath = options.env?.[HELPER_PATH_ENV] ?? resolveHelperPath();
  const denoArgs = [
    "run",
    "--quiet",
    "--no-prompt",
    options.ffi === "all" ? "--allow-ffi" : `--allow-ffi=${helperPath}`,
    "--allow-read",
    "--allow-env",
    ...(options.v8Flags?.length ? [`--v8-flags=${options.v8Flags.join(",")}`] : []),
    CHILD,
    String(module),
    exportName,
  ];
  const wrapper = options.wrapper ?? [];
  const [program, ...args] = [...wrapper, Deno.execPath(), ...denoArgs];
  const child = new Deno.Command(program, {
    args,
    env: { ...options.env, [HELPER_PATH_ENV]: helperPath },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A child that dies before reading its input breaks the pipe; its exit status, reported
  // below, is the real outcome, so a failed write is not an error of its own.
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(options.input ?? null)))
    .then(() => writer.close())
    .catch(() => {});
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 120_000);
  const output = await child.output().finally(() => clearTimeout(timer));
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);

  let outcome: IsolatedOutcome | undefined;
  for (const line of stdout.split("\n")) {
    if (line.startsWith(RESULT_MARKER)) {
      outcome = JSON.parse(line.slice(RESULT_MARKER.length));
    } else if (line !== "") {
      console.log(line);
    }
  }
  if (output.signal !== null || outcome === undefined) {
    throw new IsolatedCaseCrashed(exportName, output, stderr, timedOut);
  }
  if (stderr.trim() !== "") console.error(stderr.trimEnd());
  if (outcome.ok) return outcome.value;
  throw rebuildError(outcome);
}

/** The child's error as an instance the caller can test with `instanceof` where possible. */
function rebuildError(outcome: Extract<IsolatedOutcome, { ok: false }>): Error {
  const rule = Object.values(ViolationRules).find((r) => r.id === outcome.rule);
  const error = rule !== undefined
    ? new DriverViolation(rule, "")
    : outcome.name === "TypeError"
    ? new TypeError()
    : outcome.name === "RangeError"
    ? new RangeError()
    : new Error();
  error.name = outcome.name;
  error.message = outcome.message;
  error.stack = `${outcome.name}: ${outcome.message}\n    (in the isolated child)\n${
    outcome.stack?.split("\n").slice(1).join("\n") ?? ""
  }`;
  return error;
}
