/**
 * How suite validation words a problem: a rule in plain words, never zod's own text, and the value
 * that was received, rendered short and safe whatever it is.
 *
 * @module
 */

import type { z } from "npm:zod@4.6.7";

/**
 * A short, safe rendering of any value received, for problem messages: bigints keep their `n`
 * (in hex from 0x100 up, as addresses are written), strings are quoted, objects are cut at 60
 * characters, and a missing field says so.
 *
 * @example
 * ```ts
 * describeReceived(0xFFFFFFFF); // "4294967295 (a number)"
 * describeReceived(0x1n); // "1n"
 * describeReceived(undefined); // "nothing (the field is missing)"
 * ```
 */
export function describeReceived(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "nothing (the field is missing)";
    case "bigint":
      return value >= 0x100n ? `0x${value.toString(16).toUpperCase()}n` : `${value}n`;
    case "number":
      return `${value} (a number)`;
    case "string":
      return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
    case "boolean":
      return String(value);
    case "function":
    case "symbol":
      return `a ${typeof value}`;
  }
  if (value === null) return "null";
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${v}n` : v) ?? String(value);
  } catch {
    text = Array.isArray(value) ? "an array" : "an object";
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/**
 * zod's error map for suites: the rule in plain words for every issue a schema field did not
 * word itself (fields with their own `error` keep theirs).
 *
 * @example
 * ```ts
 * import { z } from "npm:zod@4.6.7";
 * z.number().int().positive().safeParse(0, { error: suiteErrorMap }).error?.issues[0].message;
 * // "must be greater than 0"
 * ```
 */
export const suiteErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${article(issue.expected)}`;
    case "too_small":
      return issue.origin === "array"
        ? `needs at least ${issue.minimum} item(s)`
        : issue.origin === "string"
        ? "must not be empty"
        : `must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_union":
      return "matches none of the allowed shapes";
    case "invalid_format":
      return `must be a ${issue.format}`;
    default:
      return undefined;
  }
};

function article(expected: string): string {
  if (expected === "int") return "a whole number";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
