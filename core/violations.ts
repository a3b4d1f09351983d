/**
 * Misuse of the allocation surface, reported the way Driver Verifier would: a rule, the bug check
 * it raises on Windows, and its first parameter.
 *
 * @module
 */

import type { Leak } from "./backend.ts";

/** A rule the simulator enforces, with the Windows rule and bug check it corresponds to. */
export interface ViolationRule {
  /** Short, stable id used in expectations, e.g. `"free-while-mapped"`. */
  readonly id: string;
  /** Driver Verifier rule name, where one covers it. */
  readonly verifierRule?: string;
  /** Bug check code, where Windows raises one. */
  readonly bugCheck?: number;
  /** Bug check parameter 1, where defined. */
  readonly parameter1?: number;
  /** One-line description. */
  readonly summary: string;
}

const DRIVER_VERIFIER_DETECTED_VIOLATION = 0xc4;

/**
 * Every rule the simulator checks. Bug check codes come from Microsoft's audio DDI compliance
 * rules (PcIrqlIport 0x71003, PcUnmapAllocatedPages 0x71004, PcAllocatedPages 0x71005) and the
 * memory-manager bug checks named in `docs/wavert-semantics.md`.
 *
 * @example
 * ```ts
 * ViolationRules.freeWhileMapped.parameter1; // 0x71004
 * ```
 */
export const ViolationRules = {
  irqlNotPassive: {
    id: "irql-not-passive",
    verifierRule: "PcIrqlIport",
    bugCheck: DRIVER_VERIFIER_DETECTED_VIOLATION,
    parameter1: 0x71003,
    summary: "IPortWaveRTStream methods must be called at PASSIVE_LEVEL",
  },
  doubleMap: {
    id: "double-map",
    verifierRule: "PcUnmapAllocatedPages",
    bugCheck: DRIVER_VERIFIER_DETECTED_VIOLATION,
    parameter1: 0x71004,
    summary: "an MDL that is mapped must be unmapped before it is mapped again",
  },
  freeWhileMapped: {
    id: "free-while-mapped",
    verifierRule: "PcUnmapAllocatedPages",
    bugCheck: DRIVER_VERIFIER_DETECTED_VIOLATION,
    parameter1: 0x71004,
    summary: "UnmapAllocatedPages must be called before FreePagesFromMdl",
  },
  unmapNotMapped: {
    id: "unmap-not-mapped",
    verifierRule: "PcAllocateAndMapPages",
    bugCheck: DRIVER_VERIFIER_DETECTED_VIOLATION,
    parameter1: 0x71009,
    summary: "UnmapAllocatedPages was called for an MDL that is not mapped",
  },
  unmapWrongAddress: {
    id: "unmap-wrong-address",
    verifierRule: "PcAllocateAndMapPages",
    bugCheck: DRIVER_VERIFIER_DETECTED_VIOLATION,
    parameter1: 0x71009,
    summary:
      "UnmapAllocatedPages was given a base address other than the one MapAllocatedPages returned",
  },
  leakedPages: {
    id: "leaked-pages",
    verifierRule: "PcAllocatedPages",
    bugCheck: DRIVER_VERIFIER_DETECTED_VIOLATION,
    parameter1: 0x71005,
    summary: "allocated pages were never freed with FreePagesFromMdl",
  },
  foreignMdl: {
    id: "foreign-mdl",
    bugCheck: 0x1a,
    parameter1: 0x1236,
    summary: "the MDL was not allocated by AllocatePagesForMdl or AllocateContiguousPagesForMdl",
  },
  doubleFree: {
    id: "double-free",
    bugCheck: 0xc2,
    parameter1: 0x07,
    summary: "FreePagesFromMdl was called for an MDL that was already freed (BAD_POOL_CALLER)",
  },
  useAfterFree: {
    id: "use-after-free",
    bugCheck: 0xcc,
    summary:
      "an MDL was used after FreePagesFromMdl (PAGE_FAULT_IN_FREED_SPECIAL_POOL under Special Pool)",
  },
  cacheTypeConflict: {
    id: "cache-type-conflict",
    summary: "a physical page is mapped with two different cache types at once",
  },
} as const satisfies Record<string, ViolationRule>;

/** The id of one of the {@linkcode ViolationRules}. */
export type ViolationRuleId = typeof ViolationRules[keyof typeof ViolationRules]["id"];

/**
 * Whether a new {@linkcode DriverViolation} captures a stack: false only inside
 * {@linkcode withoutViolationStacks}.
 */
let captureStacks = true;

/**
 * Runs `body` with every {@linkcode DriverViolation} made without a stack, and returns what it
 * returns. For callers that make thousands of violations and read only their rule (the fuzzer):
 * in Deno every stack costs microseconds whatever `Error.stackTraceLimit` says, more than the
 * call that raised it. Such a violation is still an `Error` and a `DriverViolation` with the same
 * message and fields; its `stack` says it was not captured.
 *
 * @example
 * ```ts
 * const e = withoutViolationStacks(() => new DriverViolation(ViolationRules.doubleFree, "MDL #1"));
 * e.rule; // "double-free"
 * e.stack; // "DriverViolation: double-free: … (bug check 0xC2/0x7)\n    (stack not captured)"
 * ```
 */
export function withoutViolationStacks<T>(body: () => T): T {
  const before = captureStacks;
  captureStacks = false;
  try {
    return body();
  } finally {
    captureStacks = before;
  }
}

/**
 * Thrown when a caller breaks a rule of the allocation surface. Carries the rule id and, where
 * Windows defines one, the bug check code and parameter 1 it would raise.
 *
 * @example
 * ```ts
 * import { CacheType, Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
 * stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
 * try {
 *   stream.freePagesFromMdl(mdl);
 * } catch (e) {
 *   if (e instanceof DriverViolation) console.log(e.rule, e.bugCheck?.toString(16));
 * }
 * ```
 */
export class DriverViolation extends Error {
  /** Short rule id, e.g. `"double-map"`. */
  declare readonly rule: ViolationRuleId;
  /** Driver Verifier rule name, where one covers it. */
  declare readonly verifierRule?: string;
  /** Bug check code, e.g. 0xC4. */
  declare readonly bugCheck?: number;
  /** Bug check parameter 1, e.g. 0x71004. */
  declare readonly parameter1?: number;

  /** A violation of `rule`; `detail` says what the driver did and is appended to the message. */
  constructor(rule: ViolationRule, detail: string) {
    const code = rule.bugCheck === undefined ? "" : ` (bug check 0x${hex(rule.bugCheck)}` +
      (rule.parameter1 === undefined ? ")" : `/0x${hex(rule.parameter1)})`);
    const message = `${rule.id}: ${rule.summary}: ${detail}${code}`;
    // Not calling Error's constructor is what skips the capture; a derived constructor may
    // return another object instead, here one with the same prototype chain.
    if (!captureStacks) return withFields(Object.create(new.target.prototype), rule, message);
    super(message);
    withFields(this, rule, message);
  }
}

/**
 * The `leaked-pages` violation for `leaks`: one line per MDL with its size and where it was
 * allocated, then `note`.
 *
 * @example
 * ```ts
 * leakedPagesViolation([{ mdlId: 3, source: "mm", byteCount: 4096, pages: 1, allocatedAt: "at f (x.ts:9:3)" }]);
 * // DriverViolation "leaked-pages: … 1 MDL(s) never freed:\n  MDL #3 (4096 bytes) at f (x.ts:9:3) …"
 * ```
 */
export function leakedPagesViolation(leaks: readonly Leak[], note = ""): DriverViolation {
  const list = leaks.map((l) => `MDL #${l.mdlId} (${l.byteCount} bytes) ${l.allocatedAt}`);
  return new DriverViolation(
    ViolationRules.leakedPages,
    `${leaks.length} MDL(s) never freed:\n  ${list.join("\n  ")}${note}`,
  );
}

/**
 * Sets a violation's rule fields and name, and on a stackless one its message and stack: plainly
 * assigned (own, enumerable), since defining them hidden as `Error` does costs as much again as
 * the rest of the violation.
 */
function withFields(target: DriverViolation, rule: ViolationRule, message: string) {
  const fields = target as { -readonly [K in keyof DriverViolation]: DriverViolation[K] };
  if (!Object.hasOwn(target, "message")) {
    fields.message = message;
    fields.stack = `DriverViolation: ${message}\n    (stack not captured)`;
  }
  fields.rule = rule.id as ViolationRuleId;
  fields.verifierRule = rule.verifierRule;
  fields.bugCheck = rule.bugCheck;
  fields.parameter1 = rule.parameter1;
  fields.name = "DriverViolation";
  return target;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase();
}
