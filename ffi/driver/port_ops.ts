/**
 * The port operations a driver's shim calls, as numbered in `wrt_harness.h`, and the findings
 * they raise: a bug check stopping the driver, an IRQL check, a pool tag name.
 *
 * @module
 */

import { DriverViolation } from "../../core/violations.ts";
import { type DriverFinding, DriverRules, findingOf } from "./findings.ts";

/**
 * Port operations, as numbered in `wrt_harness.h`.
 *
 * @example
 * ```ts
 * import { Op } from "./port_ops.ts";
 * Op.map; // 3
 * ```
 */
export const Op = {
  allocate: 1,
  allocateContiguous: 2,
  map: 3,
  unmap: 4,
  free: 5,
  pageCount: 6,
  pageAddress: 7,
  poolAllocate: 8,
  poolFree: 9,
  check: 10,
} as const;

/**
 * The Windows name of each port operation, indexed by {@linkcode Op}.
 *
 * @example
 * ```ts
 * import { Op, OP_NAMES } from "./port_ops.ts";
 * OP_NAMES[Op.map]; // "MapAllocatedPages"
 * ```
 */
export const OP_NAMES = [
  "",
  "AllocatePagesForMdl",
  "AllocateContiguousPagesForMdl",
  "MapAllocatedPages",
  "UnmapAllocatedPages",
  "FreePagesFromMdl",
  "GetPhysicalPagesCount",
  "GetPhysicalPageAddress",
  "ExAllocatePool2",
  "ExFreePoolWithTag",
  "",
];

/**
 * What a driver call stopped by `e` (a finding, a simulator violation or any other throw) reports.
 *
 * @example
 * ```ts
 * import { Op, stopFinding } from "./port_ops.ts";
 * stopFinding(new Error("bad"), Op.map, 0x1a2b, 2).stopped; // true
 * ```
 */
export function stopFinding(e: unknown, op: number, site: number, step: number): DriverFinding {
  const where = { site, step, stopped: true };
  if (isFinding(e)) return { ...e, site: e.site ?? site, step, stopped: true };
  if (e instanceof DriverViolation) {
    return {
      rule: e.rule,
      message: `${OP_NAMES[op]}: ${e.message}`,
      ...(e.bugCheck === undefined ? {} : { bugCheck: e.bugCheck }),
      ...(e.parameter1 === undefined ? {} : { parameter1: e.parameter1 }),
      ...(e.verifierRule === undefined ? {} : { verifierRule: e.verifierRule }),
      ...where,
    };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return findingOf(DriverRules.invalidArgument, `${OP_NAMES[op]}: ${message}`, where);
}

/**
 * The finding of a failed IRQL check (`code` as the shim numbers them).
 *
 * @example
 * ```ts
 * import { checkFinding } from "./port_ops.ts";
 * checkFinding(1, 2).message; // names IRQL 2
 * ```
 */
export function checkFinding(code: number, level: number): DriverFinding {
  if (code === 1) return findingOf(DriverRules.pagedCodeAtRaisedIrql, `at IRQL ${level}`);
  if (code === 3) return findingOf(DriverRules.raiseIrqlToLower, `to IRQL ${level}`);
  return findingOf(DriverRules.lowerIrqlToHigher, `to IRQL ${level}`);
}

function isFinding(e: unknown): e is DriverFinding {
  return typeof e === "object" && e !== null && !(e instanceof Error) && "rule" in e;
}

/**
 * A pool tag as its four characters when printable, else in hex.
 *
 * @example
 * ```ts
 * import { tagName } from "./port_ops.ts";
 * tagName(0x54657374); // "'Test'"
 * ```
 */
export function tagName(tag: number): string {
  const chars = [0, 8, 16, 24].map((s) => (tag >>> s) & 0xff);
  return chars.every((ch) => ch >= 0x20 && ch < 0x7f)
    ? `'${String.fromCharCode(...chars.reverse())}'`
    : `0x${tag.toString(16).toUpperCase()}`;
}
