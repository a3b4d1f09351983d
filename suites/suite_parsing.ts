/**
 * Validating a suite as written, shared by `defineSuite` and `defineDriverSuite`: the header and
 * each case against their zod schemas, duplicate case names, and every problem worded by the
 * suite's own rules with the value received, all found in one pass.
 *
 * @module
 */

import type { z } from "npm:zod@4.6.7";
import { describeReceived, suiteErrorMap } from "./problem_text.ts";

/** One validation problem, naming where it is. */
export interface SuiteProblem {
  /** The suite's name, or `(unnamed)` when it has none. */
  readonly suite: string;
  /** The case's name, or `cases[i]` when it has none; absent for suite-level fields. */
  readonly case?: string;
  /** Dotted path inside the case (or suite), e.g. `request.audio.notificationCount`. */
  readonly field: string;
  /** The rule the value breaks, e.g. "must be 1 or 2 (WaveRT notifications per buffer pass)". */
  readonly message: string;
  /** The value received at `field`, rendered short: `3 (a number)`, `0x1n`, `"Cashed"`, ... */
  readonly received: string;
}

/**
 * Thrown by `defineSuite` and `defineDriverSuite` with every problem of a suite, before anything
 * runs.
 *
 * @example
 * ```ts
 * import { defineSuite } from "./define_suite.ts";
 * try {
 *   defineSuite({ name: "Empty", cases: [] });
 * } catch (e) {
 *   if (e instanceof SuiteDefinitionError) console.log(e.problems.map((p) => p.field)); // ["cases"]
 *   // e.message: '1 problem(s) in suite definition:\n  suite "Empty" › cases: needs at least
 *   // 1 item(s) (got [])'
 * }
 * ```
 */
export class SuiteDefinitionError extends Error {
  /** Every problem found: the suite's own, then each case's in order. */
  readonly problems: readonly SuiteProblem[];

  /** An error listing `problems`, each as suite › case › field: message. */
  constructor(problems: readonly SuiteProblem[]) {
    const lines = problems.map((p) =>
      `  suite "${p.suite}"${
        p.case === undefined ? "" : ` › case ${p.case}`
      } › ${p.field}: ${p.message} (got ${p.received})`
    );
    super(`${problems.length} problem(s) in suite definition:\n${lines.join("\n")}`);
    this.name = "SuiteDefinitionError";
    this.problems = problems;
  }
}

/** Problems are worded by the suite's own rules and carry the value received. */
const parseOptions = { reportInput: true, error: suiteErrorMap } as const;

/**
 * What {@linkcode parseSuiteCases} found: the header's parse, the cases that parsed, and every
 * problem so far (callers add their own before throwing {@linkcode SuiteDefinitionError}).
 *
 * @example
 * ```ts
 * const failed = (p: ParsedSuite<unknown, unknown>) => p.problems.length > 0;
 * ```
 */
export interface ParsedSuite<H, C> {
  /** The suite's name, or `(unnamed)`. */
  readonly suiteName: string;
  /** The header's parse result: its data when it parsed. */
  readonly header: { readonly success: boolean; readonly data?: H };
  /** The cases that parsed, in order. */
  readonly parsed: C[];
  /** Every problem found. */
  readonly problems: SuiteProblem[];
}

/**
 * Parses a suite's header and cases, reporting duplicate names whatever else is wrong. `onCase`
 * sees each case that parsed, with where it is (suite and case label), to add the caller's own
 * cross-field problems.
 *
 * @example
 * ```ts
 * import { z } from "npm:zod@4.6.7";
 * const header = z.object({ name: z.string(), cases: z.array(z.unknown()) });
 * const found = parseSuiteCases({ name: "s", cases: [{ n: 1 }] }, header, z.object({ name: z.string() }));
 * found.problems[0].field; // "name"
 * ```
 */
export function parseSuiteCases<H, C>(
  input: unknown,
  headerSchema: z.ZodType<H>,
  caseSchema: z.ZodType<C>,
  onCase?: (
    data: C,
    at: { readonly suite: string; readonly case: string },
    problems: SuiteProblem[],
  ) => void,
): ParsedSuite<H, C> {
  const written = input as { name?: unknown; cases?: unknown } | null | undefined;
  const suiteName = typeof written?.name === "string" && written.name !== ""
    ? written.name
    : "(unnamed)";
  const problems: SuiteProblem[] = [];
  const header = headerSchema.safeParse(input, parseOptions);
  if (!header.success) problems.push(...toProblems(header.error, input, suiteName, undefined));

  const rawCases: unknown[] = Array.isArray(written?.cases) ? [...written.cases] : [];
  const parsed: C[] = [];
  // Names are compared as written, so a duplicate is reported whatever else is wrong.
  const seenNames = new Map<string, number>();
  rawCases.forEach((raw, index) => {
    const label = caseLabel(raw, index);
    const name = (raw as { name?: unknown } | null)?.name;
    if (typeof name === "string" && name !== "") {
      const first = seenNames.get(name);
      if (first !== undefined) {
        problems.push({
          suite: suiteName,
          case: label,
          field: "name",
          message: `duplicate case name (also cases[${first}]); Deno test names must be unique`,
          received: describeReceived(name),
        });
      } else seenNames.set(name, index);
    }
    const result = caseSchema.safeParse(raw, parseOptions);
    if (!result.success) {
      problems.push(...toProblems(result.error, raw, suiteName, label));
      return;
    }
    onCase?.(result.data, { suite: suiteName, case: label }, problems);
    parsed.push(result.data);
  });
  return { suiteName, header, parsed, problems };
}

/**
 * Freezes `value` and everything it holds, so a resolved suite cannot be changed after validation.
 *
 * @example
 * ```ts
 * Object.isFrozen(deepFreeze({ a: { b: 1 } }).a); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function toProblems(
  error: z.ZodError,
  raw: unknown,
  suite: string,
  caseName: string | undefined,
): SuiteProblem[] {
  return error.issues.map((issue) => {
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
    // An unknown key is named as the field itself, so a typo such as `expect.byte` is easy to spot.
    const path = unknownKeys.length === 1 ? [...issue.path, unknownKeys[0]] : issue.path;
    return {
      suite,
      case: caseName,
      field: formatPath(path, caseName === undefined ? "(suite)" : "(case)"),
      message: unknownKeys.length > 0
        ? `unknown field(s) ${unknownKeys.map((k) => `"${k}"`).join(", ")}`
        : issue.message,
      received: describeReceived(valueAt(raw, path)),
    };
  });
}

/** The value as written at `path`, or undefined where the path leads nowhere. */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatPath(path: readonly PropertyKey[], whole: string): string {
  if (path.length === 0) return whole;
  return path.map((part, i) =>
    typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`
  ).join("");
}

function caseLabel(raw: unknown, index: number): string {
  const name = (raw as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== ""
    ? `"${name}" (cases[${index}])`
    : `cases[${index}]`;
}
