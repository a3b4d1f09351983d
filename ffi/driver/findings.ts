/**
 * What a driver case can find: the contract checks PortCls and Driver Verifier make around a
 * miniport's buffer methods, the checks only the harness's kernel routines can make, and the
 * shape of one finding.
 *
 * @module
 */

import type { ViolationRule } from "../../core/violations.ts";

/**
 * Rules the driver harness checks beyond the simulator's own `ViolationRules`. Bug check codes
 * are given where Windows or Driver Verifier raises one.
 *
 * @example
 * ```ts
 * DriverRules.actualSizeExceedsMdl.id; // "actual-size-exceeds-mdl"
 * ```
 */
export const DriverRules = {
  bufferMdlForeign: {
    id: "buffer-mdl-foreign",
    summary: "AllocateAudioBuffer returned an MDL this stream's IPortWaveRTStream never handed " +
      "out (or one already freed)",
  },
  actualSizeExceedsMdl: {
    id: "actual-size-exceeds-mdl",
    summary: "*ActualSize (from *OffsetFromFirstPage) is larger than the MDL describes: the " +
      "audio engine would write past the buffer",
  },
  offsetNotInFirstPage: {
    id: "offset-not-in-first-page",
    summary: "*OffsetFromFirstPage must be less than PAGE_SIZE",
  },
  cacheTypeNotAllowed: {
    id: "cache-type-not-allowed",
    summary: "*CacheType is not one the rules allow for this buffer",
  },
  cacheTypeMismatch: {
    id: "cache-type-mismatch",
    summary: "*CacheType differs from the cache type the driver mapped the buffer with: one " +
      "physical page would be mapped with two cache types",
  },
  failedAllocateLeaked: {
    id: "failed-allocate-leaked",
    summary: "a failed buffer allocation left an MDL, a mapping or a pool block behind",
  },
  freeLeftResources: {
    id: "free-left-resources",
    summary: "after FreeAudioBuffer an MDL, a mapping or a pool block of that buffer remains",
  },
  irqlNotRestored: {
    id: "irql-not-restored",
    verifierRule: "IrqlReturn",
    summary: "the driver returned from a buffer method above PASSIVE_LEVEL",
  },
  pagedCodeAtRaisedIrql: {
    id: "paged-code-at-raised-irql",
    bugCheck: 0x0a,
    summary: "PAGED_CODE() ran above APC_LEVEL (IRQL_NOT_LESS_OR_EQUAL once the page is out)",
  },
  raiseIrqlToLower: {
    id: "raise-irql-to-lower",
    bugCheck: 0xc4,
    parameter1: 0x30,
    summary: "KeRaiseIrql was asked for an IRQL below the current one",
  },
  lowerIrqlToHigher: {
    id: "lower-irql-to-higher",
    bugCheck: 0xc4,
    parameter1: 0x31,
    summary: "KeLowerIrql was asked for an IRQL above the current one",
  },
  poolDoubleFree: {
    id: "pool-double-free",
    bugCheck: 0xc2,
    parameter1: 0x07,
    summary: "ExFreePoolWithTag was called for a block already freed (BAD_POOL_CALLER)",
  },
  poolForeignFree: {
    id: "pool-foreign-free",
    bugCheck: 0xc2,
    summary: "ExFreePool(WithTag) was given an address that is no pool block (BAD_POOL_CALLER)",
  },
  poolTagMismatch: {
    id: "pool-tag-mismatch",
    bugCheck: 0xc2,
    parameter1: 0x0a,
    summary: "ExFreePoolWithTag was given a tag other than the block's (BAD_POOL_CALLER)",
  },
  leakedPool: {
    id: "leaked-pool",
    verifierRule: "Pool tracking",
    bugCheck: 0xc4,
    parameter1: 0x62,
    summary: "pool blocks were still allocated when the stream was destroyed",
  },
  invalidArgument: {
    id: "invalid-argument",
    summary: "the driver passed an argument the DDI does not allow (undefined behaviour)",
  },
  driverCrash: {
    id: "driver-crash",
    summary: "the driver's code crashed the process (a bug check on Windows)",
  },
} as const satisfies Record<string, ViolationRule>;

/**
 * One problem a driver case found. `rule` is a `DriverRules` id or a simulator `ViolationRules`
 * id; `callSite` names the driver's code that made the offending call, where known.
 *
 * @example
 * ```ts
 * const finding: DriverFinding = {
 *   rule: "free-while-mapped",
 *   message: "UnmapAllocatedPages must be called before FreePagesFromMdl",
 *   bugCheck: 0xc4,
 *   parameter1: 0x71004,
 *   callSite: "CMiniportWaveRTStream::FreeBufferWithNotification(_MDL*, unsigned int)+0x42",
 * };
 * ```
 */
export interface DriverFinding {
  /** A `DriverRules` or simulator `ViolationRules` id. */
  readonly rule: string;
  /** What was found, with the details. */
  readonly message: string;
  /** The bug check Windows raises, where one applies. */
  readonly bugCheck?: number;
  /** Its first parameter. */
  readonly parameter1?: number;
  /** The Driver Verifier rule, where one covers it. */
  readonly verifierRule?: string;
  /** The driver's code that made the offending call, symbolized from its return address. */
  readonly callSite?: string;
  /** The call site as an offset into the driver library. */
  readonly site?: number;
  /** 0-based index of the case step during which it was found; -1 for create, the step count
   * for destroy. */
  readonly step?: number;
  /** Whether the driver was stopped here, as a bug check would stop the machine. */
  readonly stopped?: boolean;
}

/**
 * A finding for `rule` with its bug check fields filled in.
 *
 * @example
 * ```ts
 * const f = findingOf(DriverRules.leakedPool, "1 block of 64 bytes", { step: 2 });
 * f.bugCheck; // 0xc4
 * ```
 */
export function findingOf(
  rule: ViolationRule,
  detail: string,
  extra: Partial<DriverFinding> = {},
): DriverFinding {
  return {
    rule: rule.id,
    message: `${rule.summary}: ${detail}`,
    ...(rule.bugCheck === undefined ? {} : { bugCheck: rule.bugCheck }),
    ...(rule.parameter1 === undefined ? {} : { parameter1: rule.parameter1 }),
    ...(rule.verifierRule === undefined ? {} : { verifierRule: rule.verifierRule }),
    ...extra,
  };
}

/**
 * One line for a report: rule, bug check and call site.
 *
 * @example
 * ```ts
 * formatFinding({ rule: "leaked-pool", message: "…", bugCheck: 0xc4, parameter1: 0x62 });
 * // "leaked-pool (bug check 0xC4/0x62): …"
 * ```
 */
export function formatFinding(finding: DriverFinding): string {
  const hex = (n: number) => "0x" + n.toString(16).toUpperCase();
  const code = finding.bugCheck === undefined
    ? ""
    : ` (bug check ${hex(finding.bugCheck)}${
      finding.parameter1 === undefined ? "" : "/" + hex(finding.parameter1)
    })`;
  const where = finding.callSite === undefined ? "" : ` at ${finding.callSite}`;
  return `${finding.rule}${code}: ${finding.message}${where}`;
}
