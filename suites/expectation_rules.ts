/**
 * Expectations that contradict their own allocation or each other, found before anything runs:
 * page and byte counts no allocation of that size can return, an exact byte count and a page count
 * that disagree at every page size, and a bound to stay within where HighAddress sets none.
 *
 * It reads a case as written, before or after its fields passed their own checks, and only uses
 * the values that are well-formed, so that one bad field never hides these problems.
 *
 * @module
 */

import { type AudioBuffer, audioBufferProblems, audioBufferSize } from "./audio_format.ts";
import { isNoLimit } from "./bound.ts";

/** One contradiction, where it was written and the value received. */
export interface ExpectationProblem {
  readonly path: PropertyKey[];
  readonly message: string;
  readonly input: unknown;
}

/** Page sizes a backend may use: an allocation's byte count is rounded up to one of these. */
const PAGE_SIZES = [4096, 16384, 65536];

type Raw = Record<string, unknown>;

interface Allocation {
  /** "request" or "step N", for messages. */
  readonly label: string;
  readonly totalBytes: number | null;
  readonly noLimit: boolean;
  readonly expect: Raw | undefined;
  readonly expectPath: PropertyKey[];
}

/**
 * Every contradiction between a case's expectations and the allocations they apply to.
 *
 * @example
 * ```ts
 * expectationProblems({
 *   name: "one page",
 *   request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 4096 },
 *   expect: { pages: 2 },
 * }); // [{ path: ["expect", "pages"], message: "... at most 1 page(s) ...", input: 2 }]
 * ```
 */
export function expectationProblems(testCase: unknown): ExpectationProblem[] {
  if (!isRaw(testCase)) return [];
  const caseExpect = isRaw(testCase.expect) ? testCase.expect : undefined;
  const problems = new Map<string, ExpectationProblem>();
  const add = (problem: ExpectationProblem) =>
    problems.set(`${problem.path.join(".")}\u0000${problem.message}`, problem);

  const allocations = allocationsOf(testCase);
  for (const allocation of allocations) {
    const step = allocation.expect;
    const stepResult = step?.result;
    const inherited = stepResult === "null" ? undefined : caseExpect;
    const result = stepResult ?? caseExpect?.result ?? "mdl";
    if (result === "null") continue;
    const from = (field: string) =>
      step?.[field] !== undefined
        ? { value: step[field], path: [...allocation.expectPath, field] }
        : inherited?.[field] !== undefined
        ? { value: inherited[field], path: ["expect", field] }
        : undefined;
    for (const problem of sizeProblems(allocation, from("bytes"), from("pages"))) add(problem);
    const stepBound = step?.withinBound;
    if (typeof stepBound === "boolean" && allocation.noLimit) {
      add({
        path: [...allocation.expectPath, "withinBound"],
        message: `${allocation.label} has no bound to be within: its highAddress is no limit`,
        input: stepBound,
      });
    }
  }
  const caseBound = caseExpect?.withinBound;
  const reached = allocations.filter((a) => a.expect?.withinBound === undefined);
  if (typeof caseBound === "boolean" && reached.length > 0 && reached.every((a) => a.noLimit)) {
    add({
      path: ["expect", "withinBound"],
      message: "there is no bound to be within: every allocation it applies to has highAddress " +
        "no limit",
      input: caseBound,
    });
  }
  return [...problems.values()];
}

function sizeProblems(
  allocation: Allocation,
  bytes: { value: unknown; path: PropertyKey[] } | undefined,
  pages: { value: unknown; path: PropertyKey[] } | undefined,
): ExpectationProblem[] {
  const total = allocation.totalBytes;
  if (total === null) return [];
  const problems: ExpectationProblem[] = [];
  const asked = `${allocation.label} asks for ${total} bytes`;
  const maxPages = Math.ceil(total / PAGE_SIZES[0]);
  const maxBytes = Math.ceil(total / PAGE_SIZES[PAGE_SIZES.length - 1]) *
    PAGE_SIZES[PAGE_SIZES.length - 1];
  const pageCount = typeof pages?.value === "number" && Number.isInteger(pages.value)
    ? pages.value
    : null;
  if (pageCount !== null && pages !== undefined) {
    if (pageCount === 0 && total > 0) {
      problems.push({
        path: pages.path,
        message: `contradicts the request: ${asked}, and an MDL for it holds at least one page ` +
          '(expect result "null" for no MDL)',
        input: pageCount,
      });
    } else if (pageCount > maxPages) {
      problems.push({
        path: pages.path,
        message: `contradicts the request: ${asked}, so at most ${maxPages} page(s) can come ` +
          "back (at 4 KiB pages)",
        input: pageCount,
      });
    }
  }
  const exact = asCount(bytes?.value);
  if (bytes !== undefined && exact !== null) {
    if (exact === 0 && total > 0) {
      problems.push({
        path: bytes.path,
        message: `contradicts the request: ${asked}, and an MDL for it describes at least one ` +
          'page (expect result "null" for no MDL)',
        input: bytes.value,
      });
    } else if (exact > maxBytes) {
      problems.push({
        path: bytes.path,
        message: `contradicts the request: ${asked}, so at most ${maxBytes} bytes can come back`,
        input: bytes.value,
      });
    } else if (
      pageCount !== null && !PAGE_SIZES.some((size) => Math.ceil(exact / size) === pageCount)
    ) {
      problems.push({
        path: bytes.path,
        message: `contradicts pages ${pageCount}: ${exact} bytes are that many pages at no page ` +
          "size (4, 16 or 64 KiB)",
        input: bytes.value,
      });
    }
  }
  const atLeast = isRaw(bytes?.value) ? asCount(bytes.value.atLeast) : null;
  if (bytes !== undefined && atLeast !== null && atLeast > maxBytes) {
    problems.push({
      path: [...bytes.path, "atLeast"],
      message: `contradicts the request: ${asked}, so at most ${maxBytes} bytes can come back`,
      input: (bytes.value as Raw).atLeast,
    });
  }
  return problems;
}

function allocationsOf(testCase: Raw): Allocation[] {
  if (isRaw(testCase.request)) {
    return [describe(testCase.request, "the request", undefined, [])];
  }
  if (!Array.isArray(testCase.steps)) return [];
  return testCase.steps.flatMap((step: unknown, index: number) => {
    if (!isRaw(step) || typeof step.call !== "string" || !step.call.startsWith("allocate")) {
      return [];
    }
    const expect = isRaw(step.expect) ? step.expect : undefined;
    return [describe(step, `step ${index + 1}`, expect, ["steps", index, "expect"])];
  });
}

function describe(
  request: Raw,
  label: string,
  expect: Raw | undefined,
  expectPath: PropertyKey[],
): Allocation {
  const high = request.highAddress;
  return {
    label,
    totalBytes: requestedBytes(request),
    noLimit: typeof high === "bigint" && isNoLimit(high),
    expect,
    expectPath,
  };
}

/** The request's size in bytes when it is well-formed, otherwise null. */
function requestedBytes(request: Raw): number | null {
  if (request.totalBytes !== undefined) {
    return request.audio === undefined ? asCount(request.totalBytes) : null;
  }
  if (!isRaw(request.audio)) return null;
  try {
    const audio = request.audio as unknown as AudioBuffer;
    if (audioBufferProblems(audio).length > 0) return null;
    const { bytes } = audioBufferSize(audio);
    return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
  } catch {
    return null;
  }
}

function asCount(value: unknown): number | null {
  if (typeof value === "bigint") {
    return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  }
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function isRaw(value: unknown): value is Raw {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
