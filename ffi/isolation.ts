/**
 * Runs a hardware case in a child Deno process, so a crash in native code becomes one failed
 * case naming the signal instead of a dead test run; the kernel reclaims the child's pages.
 *
 * A case is an exported function of a module, `(backend: HostBackend, input) => unknown`, where
 * `input` is the JSON value (bigints allowed) given as {@linkcode IsolatedCaseOptions.input}. The
 * child opens the backend with only `--allow-ffi=<helper path>`, reads only the repository, the
 * case's directory and the helper, and sees only the `WAVERT_*` environment; it runs the case,
 * checks it leaked no MDL, closes the backend and sends back the result or the error on a line of
 * its own, marked with a random nonce of this run so that nothing the case prints can pass for it.
 *
 * @module
 */

import { ViolationRules } from "../core/violations.ts";
import { DriverViolation } from "../core/violations.ts";
import { HELPER_PATH_ENV, resolveHelperPath } from "./library.ts";
import { LOCKED_BUDGET_ENV } from "./locked_budget.ts";

/**
 * Starts the line of the child's stdout that carries the outcome; the run's nonce and a space
 * follow, then the outcome as {@linkcode encodeIsolated} JSON.
 *
 * @example
 * ```ts
 * const nonce = crypto.randomUUID();
 * console.log(`\n${RESULT_MARKER}${nonce} ${encodeIsolated({ ok: true, value: 1n })}`);
 * ```
 */
export const RESULT_MARKER = "\u001eWAVERT_ISOLATED_RESULT ";

/**
 * Environment variables the child may read: the helper's and the budget's.
 *
 * @example
 * ```ts
 * CHILD_ENV.includes("WAVERT_HELPER_PATH"); // true
 * ```
 */
export const CHILD_ENV: readonly string[] = [HELPER_PATH_ENV, LOCKED_BUDGET_ENV];

const CHILD = filePath(new URL("./isolated_child.ts", import.meta.url));
const REPOSITORY = filePath(new URL("../", import.meta.url));
const BIGINT_TAG = "$wavert.bigint";

function filePath(url: URL): string {
  return decodeURIComponent(url.pathname);
}

/**
 * JSON with bigints (as `{"$wavert.bigint": "…"}`), what crosses the process boundary both ways.
 *
 * @throws {TypeError} when `value` has no JSON form (a function, a symbol, a cycle).
 * @example
 * ```ts
 * decodeIsolated(encodeIsolated({ high: 0xFFFFFFFFn })); // { high: 4294967295n }
 * ```
 */
export function encodeIsolated(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(
      value,
      (_key, v) => typeof v === "bigint" ? { [BIGINT_TAG]: v.toString() } : v,
    );
  } catch (e) {
    throw new TypeError(`the value has no JSON form: ${e instanceof Error ? e.message : e}`);
  }
  if (text === undefined) throw new TypeError(`the value has no JSON form: ${typeof value}`);
  return text;
}

/**
 * The inverse of {@linkcode encodeIsolated}.
 *
 * @throws {SyntaxError} when `text` is not JSON.
 * @example
 * ```ts
 * decodeIsolated('{"$wavert.bigint":"18446744073709551615"}'); // 18446744073709551615n
 * ```
 */
export function decodeIsolated(text: string): unknown {
  return JSON.parse(text, (_key, v) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === BIGINT_TAG && typeof v[BIGINT_TAG] === "string") {
        return BigInt(v[BIGINT_TAG]);
      }
    }
    return v;
  });
}

/**
 * Options of {@linkcode runIsolated}.
 *
 * @example
 * ```ts
 * const options: IsolatedCaseOptions = { wrapper: ["prlimit", "--memlock=65536"], input: 4096 };
 * ```
 */
export interface IsolatedCaseOptions {
  /**
   * A JSON-serialisable value (bigints allowed) passed to the case as its second argument (via
   * stdin); anything else is refused with a `TypeError` before a child is started.
   */
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

  /** What the child printed on stdout besides the outcome. */
  readonly stdout: string;

  constructor(
    caseName: string,
    status: Deno.CommandStatus,
    stderr: string,
    timedOut: boolean,
    stdout = "",
  ) {
    const how = status.signal !== null
      ? `was killed by ${status.signal}${timedOut ? " (timeout)" : ""}`
      : `exited with code ${status.code} without reporting an outcome`;
    super(
      `hardware case ${caseName}: the helper's child process ${how}` +
        printed("stdout", stdout) + printed("stderr", stderr),
    );
    this.name = "IsolatedCaseCrashed";
    this.signal = status.signal;
    this.exitCode = status.code;
    this.stderr = stderr;
    this.stdout = stdout;
  }
}

/**
 * The child reported an outcome that cannot be read (not JSON, or not an outcome's shape).
 *
 * @example
 * ```ts
 * const e = new IsolatedOutcomeMalformed("caseName", "{oops", "", "");
 * e.message; // "hardware case caseName: the child's outcome is malformed: {oops …"
 * ```
 */
export class IsolatedOutcomeMalformed extends Error {
  /** The outcome text as the child printed it. */
  readonly outcome: string;

  constructor(caseName: string, outcome: string, stdout: string, stderr: string, detail = "") {
    super(
      `hardware case ${caseName}: the child's outcome is malformed: ${outcome.slice(0, 200)}` +
        (detail ? ` (${detail})` : "") + printed("stdout", stdout) + printed("stderr", stderr),
    );
    this.name = "IsolatedOutcomeMalformed";
    this.outcome = outcome;
  }
}

function printed(stream: string, text: string): string {
  const trimmed = text.trim();
  return trimmed === "" ? "" : `\n${stream}:\n${trimmed.slice(-4000)}`;
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
  // Serialised first: input without a JSON form must not leave a child waiting on stdin.
  const nonce = crypto.randomUUID();
  const inputText = encodeIsolated(options.input ?? null);
  const stdin = new TextEncoder().encode(`{"nonce":"${nonce}","input":${inputText}}`);
  const helperPath = options.env?.[HELPER_PATH_ENV] ?? resolveHelperPath();
  const moduleUrl = module instanceof URL ? module : new URL(module, `file://${Deno.cwd()}/`);
  const reads = [REPOSITORY, helperPath];
  if (moduleUrl.protocol === "file:") reads.push(filePath(new URL("./", moduleUrl)));
  const denoArgs = [
    "run",
    "--quiet",
    "--no-prompt",
    options.ffi === "all" ? "--allow-ffi" : `--allow-ffi=${helperPath}`,
    `--allow-read=${reads.join(",")}`,
    `--allow-env=${CHILD_ENV.join(",")}`,
    ...(options.v8Flags?.length ? [`--v8-flags=${options.v8Flags.join(",")}`] : []),
    CHILD,
    moduleUrl.href,
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
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 120_000);
  // A child that dies before reading its input breaks the pipe; its exit status, reported
  // below, is the real outcome, so a failed write is not an error of its own.
  const writer = child.stdin.getWriter();
  await writer.write(stdin).then(() => writer.close()).catch(() => {});
  const output = await child.output().finally(() => clearTimeout(timer));
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);

  // The outcome line starts after a newline the child writes first, whatever the case left
  // unterminated (a "\r", a prompt); only the line with this run's nonce counts.
  const tag = `\n${RESULT_MARKER}${nonce} `;
  const at = `\n${stdout}`.lastIndexOf(tag);
  const end = at < 0 ? -1 : `\n${stdout}`.indexOf("\n", at + tag.length);
  const outcomeText = at < 0
    ? undefined
    : `\n${stdout}`.slice(at + tag.length, end < 0 ? undefined : end);
  const printedOut = at < 0 ? stdout : stdout.slice(0, Math.max(0, at - 1)) +
    (end < 0 ? "" : `\n${stdout}`.slice(end + 1));
  if (printedOut.trim() !== "") console.log(printedOut.replace(/\n+$/, ""));
  if (output.signal !== null || outcomeText === undefined) {
    throw new IsolatedCaseCrashed(exportName, output, stderr, timedOut, printedOut);
  }
  const outcome = readOutcome(exportName, outcomeText, printedOut, stderr);
  if (stderr.trim() !== "") console.error(stderr.trimEnd());
  if (outcome.ok) return outcome.value;
  throw rebuildError(outcome);
}

/** The outcome the child printed, checked for its shape. */
function readOutcome(
  caseName: string,
  text: string,
  stdout: string,
  stderr: string,
): IsolatedOutcome {
  let value: unknown;
  try {
    value = decodeIsolated(text);
  } catch (e) {
    throw new IsolatedOutcomeMalformed(caseName, text, stdout, stderr, String(e));
  }
  const o = value as Record<string, unknown>;
  const shaped = typeof value === "object" && value !== null && (
    (o.ok === true && "value" in o) ||
    (o.ok === false && typeof o.name === "string" && typeof o.message === "string")
  );
  if (!shaped) {
    throw new IsolatedOutcomeMalformed(caseName, text, stdout, stderr, "not an outcome");
  }
  return value as IsolatedOutcome;
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
    typeof outcome.stack === "string" ? outcome.stack.split("\n").slice(1).join("\n") : ""
  }`;
  return error;
}
