/**
 * What one allocation of a case must return, checked against its step's expectations and the
 * invariants the backend's capabilities claim, and the violation a sequence must (not) raise.
 *
 * @module
 */

import type { Backend } from "../core/backend.ts";
import type { DriverViolation } from "../core/violations.ts";
import type { AllocationExpectations, Expectations, SuiteCase } from "./suite_model.ts";
import type { AllocationRecord, UncheckedExpectation } from "./results.ts";

/**
 * Failures of a repetition's violation against the case's `violation` expectation.
 *
 * @example
 * ```ts
 * import { lifecycle } from "./bundled.ts";
 * checkViolation(lifecycle.cases[0].expect, null); // [] when none was expected
 * ```
 */
export function checkViolation(expect: Expectations, violation: DriverViolation | null): string[] {
  if (expect.violation === undefined) {
    return violation === null ? [] : [`unexpected DriverViolation: ${violation.message}`];
  }
  if (violation === null) {
    return [`expected DriverViolation "${expect.violation}", none was raised`];
  }
  if (violation.rule !== expect.violation) {
    return [`expected DriverViolation "${expect.violation}", got: ${violation.message}`];
  }
  return [];
}

/**
 * How failures name an allocation: by its step in a sequence, where a step has its own
 * expectations, and by the call with its size for a single request.
 *
 * @example
 * ```ts ignore
 * allocationLabel(record, "request"); // 'allocatePagesForMdl("buffer", 8192 bytes)'
 * ```
 */
export function allocationLabel(record: AllocationRecord, kind: SuiteCase["kind"]): string {
  return kind === "sequence"
    ? `step ${record.step} (${record.call} "${record.handle}")`
    : `${record.call}("${record.handle}", ${record.sizeLabel})`;
}

/**
 * Expectations plus the invariants the backend claims; `unchecked` collects what it cannot check.
 *
 * @example
 * ```ts ignore
 * const failures = checkAllocation(record, "step 1", step.expect, backend, new Map());
 * ```
 */
export function checkAllocation(
  record: AllocationRecord,
  what: string,
  expect: AllocationExpectations,
  backend: Backend,
  unchecked: Map<string, UncheckedExpectation>,
): string[] {
  // A call that threw is already a failure naming the error.
  if (record.error !== undefined) return [];
  if (record.byteCount === null) {
    return expect.result === "mdl" ? [`${what} returned NULL, expected an MDL`] : [];
  }
  if (expect.result === "null") {
    return [`${what} returned ${record.byteCount} bytes, expected NULL`];
  }

  const failures: string[] = [];
  const bytesProblem = checkBytes(record, expect, backend.pageSize);
  if (bytesProblem) failures.push(`${what}: byteCount ${record.byteCount} ${bytesProblem}`);
  if (expect.pages !== undefined && record.pages !== expect.pages) {
    failures.push(`${what}: ${record.pages} page(s), expected ${expect.pages}`);
  }
  const pagesForBytes = Math.ceil(record.byteCount / backend.pageSize);
  if (record.pages !== pagesForBytes) {
    failures.push(
      `${what}: GetPhysicalPagesCount ${record.pages} ≠ ceil(byteCount / PAGE_SIZE) ${pagesForBytes}`,
    );
  }

  const caps = backend.capabilities;
  const frames = caps.frameNumbers.available ? null : caps.frameNumbers.reason;
  const bound = record.bound;
  if (bound?.check === "checked" && bound.pagesOutside! > 0) {
    failures.push(
      `${what}: ${bound.pagesOutside} page(s) outside [${hex(record.lowAddress)}, ` +
        `${hex(record.highAddress)}], highest byte ${hex(record.extent!.highestAddress)}`,
    );
  } else if (bound?.check === "unverifiable") {
    unchecked.set("withinBound", { expectation: "withinBound", reason: bound.reason! });
  }

  const mustBeContiguous = expect.contiguous || record.call === "allocateContiguousPagesForMdl";
  const contiguity = caps.contiguous.available ? frames : caps.contiguous.reason;
  if (mustBeContiguous && contiguity === null && record.runs !== null) {
    if (record.runs.length !== 1) {
      failures.push(`${what}: ${record.runs.length} contiguous runs, expected 1`);
    }
  } else if (expect.contiguous) {
    const reason = contiguity ?? "frame numbers unavailable";
    unchecked.set("contiguous", { expectation: "contiguous", reason });
  }
  return failures;
}

function checkBytes(record: AllocationRecord, expect: AllocationExpectations, pageSize: number) {
  const got = record.byteCount ?? 0;
  const wanted = expect.bytes;
  if (wanted === undefined) return null;
  if (typeof wanted === "number") return got === wanted ? null : `≠ expected ${wanted}`;
  if (wanted === "requested") {
    return got >= record.totalBytes ? null : `< requested ${record.totalBytes} (partial result)`;
  }
  if (wanted === "partial-allowed") {
    const rounded = Math.ceil(record.totalBytes / pageSize) * pageSize;
    return got > 0 && got <= rounded && got % pageSize === 0
      ? null
      : `is not a whole number of pages in 1..${rounded}`;
  }
  if (wanted.atLeast !== undefined && got < wanted.atLeast) return `< at least ${wanted.atLeast}`;
  if (wanted.atMost !== undefined && got > wanted.atMost) return `> at most ${wanted.atMost}`;
  return null;
}

function hex(value: bigint): string {
  return "0x" + value.toString(16).toUpperCase();
}
