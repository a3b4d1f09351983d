/**
 * The fuzzer's own model of misuse: which `DriverViolation` rule a correct backend must raise for
 * a step, from nothing but what the runner saw happen before it (freed or not, where each mapping
 * is and with which cache type). It never asks the rule book (`core/mdl_lifecycle.ts`): the model
 * being written twice is what makes the fuzzer a check of the rule book.
 *
 * @module
 */

import type { Backend, Mdl } from "../core/backend.ts";
import type { ViolationRuleId } from "../core/violations.ts";
import type { CacheTypeName } from "../suites/suite_input.ts";
import type { SequenceStep } from "./sequence.ts";

/**
 * What the model knows of one allocated handle.
 *
 * @example
 * ```ts
 * const handle: ModelHandle = {
 *   mdl: null, state: "live", mappedAt: null, mappedCache: null, engineAt: null, engineCache: null,
 * };
 * ```
 */
export interface ModelHandle {
  /** The MDL the backend returned, or null. */
  mdl: Mdl | null;
  /** `freed` once freePagesFromMdl succeeded on it. */
  state: "live" | "freed";
  /** The miniport's system mapping and its cache type, or null. */
  mappedAt: bigint | null;
  mappedCache: CacheTypeName | null;
  /** The port driver's mapping for the audio engine and its cache type, or null. */
  engineAt: bigint | null;
  engineCache: CacheTypeName | null;
}

/**
 * The rule a correct backend must raise for `step` on `handle` (`liveMdls` MDLs held, for
 * `assertNoLeaks`), or null when the step is legal. In the order Windows checks: IRQL first
 * (PortCls), then whose MDL it is, then freed, then the mapping rules.
 *
 * @example
 * ```ts
 * const handle: ModelHandle = {
 *   mdl: null, state: "freed", mappedAt: null, mappedCache: null, engineAt: null, engineCache: null,
 * };
 * expectedViolation({ call: "freePagesFromMdl", handle: "h0" }, handle, 0); // "double-free"
 * ```
 */
export function expectedViolation(
  step: SequenceStep,
  handle: ModelHandle | undefined,
  liveMdls: number,
): ViolationRuleId | null {
  if (step.call === "assertNoLeaks") return liveMdls > 0 ? "leaked-pages" : null;
  if (step.irql !== undefined && step.irql !== 0 && !isEngine(step)) return "irql-not-passive";
  if (handle === undefined) return null;
  if (step.mdl !== undefined) return "foreign-mdl";
  if (step.call === "allocatePagesForMdl" || step.call === "allocateContiguousPagesForMdl") {
    return null;
  }
  if (handle.state === "freed") {
    return step.call === "freePagesFromMdl" ? "double-free" : "use-after-free";
  }
  if (step.call === "mapAllocatedPages") {
    if (step.engine !== true && handle.mappedAt !== null) return "double-map";
    const cache = step.cacheType;
    if (
      (handle.mappedCache !== null && handle.mappedCache !== cache) ||
      (handle.engineCache !== null && handle.engineCache !== cache)
    ) return "cache-type-conflict";
    return null;
  }
  if (step.call === "unmapAllocatedPages") {
    if (handle.mappedAt === null && handle.engineAt === null) return "unmap-not-mapped";
    const at = unmapAddress(step, handle);
    return at === handle.mappedAt || at === handle.engineAt ? null : "unmap-wrong-address";
  }
  return handle.mappedAt !== null || handle.engineAt !== null ? "free-while-mapped" : null;
}

/**
 * The address an unmap step passes: its mapping's (or 0 when there is none) plus `addressDelta`.
 *
 * @example
 * ```ts
 * const handle: ModelHandle = {
 *   mdl: null, state: "live", mappedAt: 0x1000n, mappedCache: "Cached", engineAt: null,
 *   engineCache: null,
 * };
 * unmapAddress({ call: "unmapAllocatedPages", handle: "h0", addressDelta: 1 }, handle); // 0x1001n
 * ```
 */
export function unmapAddress(
  step: Extract<SequenceStep, { call: "unmapAllocatedPages" }>,
  handle: ModelHandle,
): bigint {
  const base = (step.engine === true ? handle.engineAt : handle.mappedAt) ?? 0n;
  return step.addressDelta === undefined ? base : base + BigInt(step.addressDelta);
}

/**
 * Whether a step maps or unmaps the engine's mapping (PortCls's own call, not the miniport's).
 *
 * @example
 * ```ts
 * isEngine({ call: "unmapAllocatedPages", handle: "h0", engine: true }); // true
 * ```
 */
export function isEngine(step: SequenceStep): boolean {
  return (step.call === "mapAllocatedPages" || step.call === "unmapAllocatedPages") &&
    step.engine === true;
}

/**
 * Why `backend` cannot run `step`, or null when it can: raised IRQL needs `withIrql`, the
 * engine's mappings need `engineMappings`, misuse needs misuse detection.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * unsupported(sim, { call: "freePagesFromMdl", handle: "h0", irql: 2 }, "irql-not-passive"); // null
 * ```
 */
export function unsupported(
  backend: Backend,
  step: SequenceStep,
  expected: ViolationRuleId | null,
): string | null {
  if (expected !== null && !backend.capabilities.misuseDetection.available) {
    return `${expected}: misuse detection unavailable`;
  }
  if (expected === "irql-not-passive" && backend.withIrql === undefined) {
    return `${backend.name} cannot raise IRQL: its calls run at PASSIVE_LEVEL`;
  }
  if (isEngine(step) && backend.engineMappings === undefined) {
    return `${backend.name} has no audio engine process to map into`;
  }
  return null;
}

/**
 * Rules a backend cannot be made to raise by generated steps, with the reason: what a report
 * lists beside the per-rule counts.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * unreachableRules(sim); // {}: the simulator can be driven into every rule
 * ```
 */
export function unreachableRules(backend: Backend): Partial<Record<ViolationRuleId, string>> {
  const out: Partial<Record<ViolationRuleId, string>> = {};
  const irql = { call: "freePagesFromMdl", handle: "", irql: 2 } as const;
  const engine = {
    call: "mapAllocatedPages",
    handle: "",
    cacheType: "Cached",
    engine: true,
  } as const;
  const noIrql = unsupported(backend, irql, "irql-not-passive");
  if (noIrql !== null) out["irql-not-passive"] = noIrql;
  const noEngine = unsupported(backend, engine, null);
  if (noEngine !== null) out["cache-type-conflict"] = noEngine;
  return out;
}

/**
 * A plain object shaped like an MDL that no backend allocated.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * try {
 *   sim.stream().freePagesFromMdl(FORGED_MDL);
 * } catch (e) {
 *   console.log(e); // DriverViolation: foreign-mdl …
 * }
 * ```
 */
export const FORGED_MDL: Mdl = Object.freeze({
  byteCount: 4096,
  byteOffset: 0,
  startVa: 0n,
  mdlFlags: 2,
  mappedSystemVa: null,
  pfns: Object.freeze([1]),
});
