/**
 * Runs a sequence on any backend while a small reference model predicts what each call must do,
 * checking the invariants the backend's capabilities claim after every step. Every MDL still held
 * is unmapped and freed at the end, also when a check fails.
 *
 * @module
 */

import type { Backend, Mdl, WaveRtStream } from "../core/backend.ts";
import { CacheType, MdlFlags } from "../core/constants.ts";
import { DriverViolation, type ViolationRuleId } from "../core/violations.ts";
import { pageRuns } from "../suites/page_runs.ts";
import type { SequenceStep } from "./sequence.ts";

/** What one step did. */
export interface StepOutcome {
  readonly step: SequenceStep;
  /** `mdl`, `null`, `mapped`, `map-failed`, `unmapped`, `freed`, `violation`, or `skipped`. */
  readonly result:
    | "mdl"
    | "null"
    | "mapped"
    | "map-failed"
    | "unmapped"
    | "freed"
    | "violation"
    | "skipped";
  /** Allocations: bytes and pages received, and whether the pages form one physical run. */
  readonly bytes?: number;
  readonly pages?: number;
  readonly contiguous?: boolean;
  /** The rule raised, for `violation`. */
  readonly rule?: ViolationRuleId;
  /** Why a step was skipped. */
  readonly reason?: string;
  /** The call's duration as the backend reports it (modeled or measured). */
  readonly durationNs?: number;
}

/** A step whose outcome broke an invariant or the model's prediction. */
export class InvariantViolation extends Error {
  readonly stepIndex: number;
  readonly steps: readonly SequenceStep[];

  constructor(stepIndex: number, steps: readonly SequenceStep[], message: string) {
    super(`step ${stepIndex + 1} (${describeStep(steps[stepIndex])}): ${message}`);
    this.name = "InvariantViolation";
    this.stepIndex = stepIndex;
    this.steps = steps;
  }
}

interface Handle {
  readonly step: SequenceStep & { totalBytes: number; highAddress: bigint };
  readonly lowAddress: bigint;
  readonly mdl: Mdl | null;
  state: "live" | "freed";
  mappedAt: bigint | null;
}

/**
 * Runs `steps` on `backend`, returning one outcome per step; throws {@linkcode InvariantViolation}
 * at the first step that breaks a rule. Misuse steps are checked for the exact `DriverViolation`
 * rule where the backend claims misuse detection, and skipped where it does not.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * runSequence(sim, [
 *   { call: "allocatePagesForMdl", handle: "h0", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
 *   { call: "freePagesFromMdl", handle: "h0" },
 *   { call: "freePagesFromMdl", handle: "h0" }, // outcome: violation "double-free"
 * ]);
 * ```
 */
export function runSequence(backend: Backend, steps: readonly SequenceStep[]): StepOutcome[] {
  const stream = backend.stream();
  const handles = new Map<string, Handle>();
  const held = new Set<Handle>();
  const initialFree = backend.freePageCount;
  const outcomes: StepOutcome[] = [];
  const fail = (index: number, message: string): never => {
    throw new InvariantViolation(index, steps, message);
  };
  let completed = false;
  try {
    steps.forEach((step, index) => {
      const outcome = runStep(backend, stream, step, handles, held, (m) => fail(index, m));
      outcomes.push(outcome);
      checkHeld(backend, held, (m) => fail(index, m));
      const free = backend.freePageCount;
      if (free !== undefined) {
        const pages = [...held].reduce((sum, h) => sum + (h.mdl?.pfns.length ?? 0), 0);
        if (free + pages !== initialFree) {
          fail(index, `free pages ${free} + held ${pages} ≠ ${initialFree} at start`);
        }
      }
    });
    completed = true;
  } finally {
    // After a failed check the model may disagree with the backend; cleaning up must not hide
    // the failure, so cleanup errors are only reported when the steps themselves passed.
    releaseAll(stream, held, completed);
  }
  const finalFree = backend.freePageCount;
  if (initialFree !== undefined && finalFree !== initialFree) {
    throw new InvariantViolation(
      steps.length - 1,
      steps,
      `after freeing everything, ${initialFree - (finalFree ?? 0)} pages are still taken`,
    );
  }
  return outcomes;
}

function runStep(
  backend: Backend,
  stream: WaveRtStream,
  step: SequenceStep,
  handles: Map<string, Handle>,
  held: Set<Handle>,
  fail: (message: string) => never,
): StepOutcome {
  const timed = (o: Omit<StepOutcome, "step" | "durationNs">): StepOutcome => ({
    step,
    ...o,
    durationNs: stream.lastCall?.durationNs,
  });
  if (step.call === "allocatePagesForMdl" || step.call === "allocateContiguousPagesForMdl") {
    const contiguous = step.call === "allocateContiguousPagesForMdl";
    const can = backend.capabilities.contiguous;
    if (contiguous && !can.available) {
      return {
        step,
        result: "skipped",
        reason: `contiguous allocation unavailable: ${can.reason}`,
      };
    }
    const lowAddress = contiguous ? step.lowAddress : 0n;
    const mdl = contiguous
      ? stream.allocateContiguousPagesForMdl(lowAddress, step.highAddress, step.totalBytes)
      : stream.allocatePagesForMdl(step.highAddress, step.totalBytes);
    const handle: Handle = { step, lowAddress, mdl, state: "live", mappedAt: null };
    handles.set(step.handle, handle);
    if (mdl === null) return timed({ result: "null" });
    held.add(handle);
    checkFresh(backend, stream, handle, fail);
    return timed({
      result: "mdl",
      bytes: mdl.byteCount,
      pages: mdl.pfns.length,
      contiguous: pageRuns(mdl.pfns).length === 1,
    });
  }
  const handle = handles.get(step.handle);
  if (handle === undefined) return { step, result: "skipped", reason: `${step.handle} unknown` };
  const mdl = handle.mdl;
  if (mdl === null) return { step, result: "skipped", reason: `${step.handle} is NULL` };
  const expected = expectedViolation(step, handle);
  if (expected !== null) {
    if (!backend.capabilities.misuseDetection.available) {
      return { step, result: "skipped", reason: `${expected}: misuse detection unavailable` };
    }
    const free = backend.freePageCount;
    try {
      callStep(stream, step, handle);
    } catch (e) {
      if (!(e instanceof DriverViolation)) throw e;
      if (e.rule !== expected) fail(`expected DriverViolation ${expected}, got ${e.rule}`);
      if (backend.freePageCount !== free) {
        fail(`the ${expected} violation changed the free page count`);
      }
      return { step, result: "violation", rule: e.rule };
    }
    return fail(`expected DriverViolation ${expected}, the call succeeded`);
  }
  const result = callStep(stream, step, handle);
  if (step.call === "mapAllocatedPages") {
    if (result === null) return timed({ result: "map-failed" });
    handle.mappedAt = result as bigint;
    if (mdl.mappedSystemVa !== result) fail(`MappedSystemVa is ${mdl.mappedSystemVa}`);
    if (!(mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA)) fail("MAPPED_TO_SYSTEM_VA is clear");
    return timed({ result: "mapped" });
  }
  if (step.call === "unmapAllocatedPages") {
    handle.mappedAt = null;
    if (mdl.mappedSystemVa !== null) fail("MappedSystemVa is still set after unmapping");
    if (mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA) fail("MAPPED_TO_SYSTEM_VA still set");
    return timed({ result: "unmapped" });
  }
  handle.state = "freed";
  held.delete(handle);
  return timed({ result: "freed" });
}

/** The rule a correct backend must raise for this step, or null when the step is legal. */
function expectedViolation(step: SequenceStep, handle: Handle): ViolationRuleId | null {
  if (handle.state === "freed") {
    return step.call === "freePagesFromMdl" ? "double-free" : "use-after-free";
  }
  if (step.call === "mapAllocatedPages" && handle.mappedAt !== null) return "double-map";
  if (step.call === "unmapAllocatedPages" && handle.mappedAt === null) return "unmap-not-mapped";
  if (step.call === "freePagesFromMdl" && handle.mappedAt !== null) return "free-while-mapped";
  return null;
}

function callStep(stream: WaveRtStream, step: SequenceStep, handle: Handle): bigint | null | void {
  const mdl = handle.mdl!;
  switch (step.call) {
    case "mapAllocatedPages":
      return stream.mapAllocatedPages(mdl, CacheType[step.cacheType]);
    case "unmapAllocatedPages":
      return stream.unmapAllocatedPages(handle.mappedAt ?? 0n, mdl);
    case "freePagesFromMdl":
      return stream.freePagesFromMdl(mdl);
  }
}

/** Shape of a fresh allocation: sizes, flags, and the page range where the backend claims it. */
function checkFresh(
  backend: Backend,
  stream: WaveRtStream,
  handle: Handle,
  fail: (message: string) => never,
): void {
  const mdl = handle.mdl!;
  const page = backend.pageSize;
  const rounded = Math.ceil(handle.step.totalBytes / page) * page;
  // Whole pages, or exactly the request where a backend keeps exact sizes (a ByteCount policy).
  const exact = mdl.byteCount === handle.step.totalBytes;
  if (mdl.byteCount <= 0 || (mdl.byteCount % page !== 0 && !exact)) {
    fail(`byteCount ${mdl.byteCount} is neither a multiple of ${page} nor the request`);
  }
  if (mdl.byteCount > rounded) fail(`byteCount ${mdl.byteCount} exceeds the rounded ${rounded}`);
  if (stream.getPhysicalPagesCount(mdl) !== mdl.pfns.length) {
    fail(`getPhysicalPagesCount ${stream.getPhysicalPagesCount(mdl)} ≠ ${mdl.pfns.length} pfns`);
  }
  if (Math.ceil(mdl.byteCount / page) !== mdl.pfns.length) {
    fail(`byteCount ${mdl.byteCount} does not match ${mdl.pfns.length} pfns`);
  }
  if (!(mdl.mdlFlags & MdlFlags.PAGES_LOCKED)) fail("a fresh MDL lacks MDL_PAGES_LOCKED");
  if (mdl.mappedSystemVa !== null) fail("a fresh MDL is already mapped");
  if (handle.step.call === "allocateContiguousPagesForMdl") {
    if (Math.ceil(mdl.byteCount / page) * page !== rounded) {
      fail(`contiguous allocation is partial: ${mdl.byteCount}`);
    }
    if (backend.capabilities.contiguous.available && backend.capabilities.frameNumbers.available) {
      if (pageRuns(mdl.pfns).length !== 1) fail("contiguous allocation is not one physical run");
    }
  }
  if (
    backend.capabilities.frameNumbers.available &&
    backend.capabilities.highAddressEnforced.available
  ) {
    for (let i = 0; i < mdl.pfns.length; i++) {
      const first = BigInt(mdl.pfns[i]) * BigInt(page);
      if (first < handle.lowAddress || first + BigInt(page) - 1n > handle.step.highAddress) {
        fail(`page ${i} at 0x${first.toString(16)} is outside the requested range`);
      }
    }
  }
}

/** Frames of all held MDLs are non-zero and unique, where the backend reports frame numbers. */
function checkHeld(
  backend: Backend,
  held: Set<Handle>,
  fail: (message: string) => never,
): void {
  if (!backend.capabilities.frameNumbers.available) return;
  const seen = new Set<number>();
  for (const h of held) {
    for (const pfn of h.mdl!.pfns) {
      if (pfn === 0) fail(`${h.step.handle} has frame number 0`);
      if (seen.has(pfn)) fail(`frame ${pfn} belongs to two live MDLs (${h.step.handle})`);
      seen.add(pfn);
    }
  }
}

function releaseAll(stream: WaveRtStream, held: Set<Handle>, reportErrors: boolean): void {
  for (const h of held) {
    try {
      if (h.mappedAt !== null) stream.unmapAllocatedPages(h.mappedAt, h.mdl!);
      stream.freePagesFromMdl(h.mdl!);
    } catch (e) {
      if (reportErrors) throw e;
    }
  }
  held.clear();
}

/** One step in words, for messages. */
export function describeStep(step: SequenceStep): string {
  switch (step.call) {
    case "allocatePagesForMdl":
      return `${step.handle} = allocatePagesForMdl(0x${
        step.highAddress.toString(16)
      }, ${step.totalBytes})`;
    case "allocateContiguousPagesForMdl":
      return `${step.handle} = allocateContiguousPagesForMdl(0x${step.lowAddress.toString(16)}, 0x${
        step.highAddress.toString(16)
      }, ${step.totalBytes})`;
    case "mapAllocatedPages":
      return `mapAllocatedPages(${step.handle}, ${step.cacheType})`;
    default:
      return `${step.call}(${step.handle})`;
  }
}
