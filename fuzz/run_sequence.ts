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
import { checkFresh, isOneRun } from "./fresh_checks.ts";
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

/** How a step ended; see {@linkcode StepOutcome.result}. */
export type StepResult = StepOutcome["result"];

/**
 * Receives each step's outcome as plain values, so that a caller that only counts (the fuzzer)
 * builds no object per step.
 *
 * @example
 * ```ts
 * const counts: Record<string, number> = {};
 * const sink: OutcomeSink = {
 *   step(_index, result) {
 *     counts[result] = (counts[result] ?? 0) + 1;
 *   },
 * };
 * ```
 */
export interface OutcomeSink {
  step(
    index: number,
    result: StepResult,
    bytes: number,
    pages: number,
    contiguous: boolean,
    rule: ViolationRuleId | undefined,
    reason: string | undefined,
    durationNs: number | undefined,
  ): void;
}

interface Handle {
  step: SequenceStep & { totalBytes: number; highAddress: bigint };
  lowAddress: bigint;
  mdl: Mdl | null;
  state: "live" | "freed";
  mappedAt: bigint | null;
}

const NO_HANDLE: Handle["step"] = {
  call: "allocatePagesForMdl",
  handle: "",
  highAddress: 0n,
  totalBytes: 0,
};

/**
 * The model-checked runner, reusable across sequences: it keeps its handle objects and a bitmap of
 * the frames live MDLs hold, so that checking a step allocates nothing beyond what the backend
 * returns. Frames are checked once, when an MDL arrives (non-zero, unique among live MDLs, inside
 * the range); `pfns` are frozen, so they cannot change afterwards.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const checker = new SequenceChecker();
 * let steps = 0;
 * checker.run(sim, [
 *   { call: "allocatePagesForMdl", handle: "h0", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
 *   { call: "freePagesFromMdl", handle: "h0" },
 * ], { step: () => void steps++ });
 * ```
 */
export class SequenceChecker {
  readonly #handles = new Map<string, Handle>();
  readonly #pool: Handle[] = [];
  readonly #held: Handle[] = [];
  #used = 0;
  #heldPages = 0;
  /** One bit per frame held by a live MDL of the current run. */
  #owned = new Uint32Array(1024);

  /**
   * Runs `steps` on `backend`, reporting each outcome to `sink`; throws
   * {@linkcode InvariantViolation} at the first step that breaks a rule. Every MDL still held is
   * unmapped and freed at the end, also when a check fails.
   */
  run(backend: Backend, steps: readonly SequenceStep[], sink: OutcomeSink): void {
    const stream = backend.stream();
    const initialFree = backend.freePageCount;
    let index = 0;
    const fail = (message: string): never => {
      throw new InvariantViolation(index, steps, message);
    };
    let completed = false;
    try {
      for (; index < steps.length; index++) {
        this.#runStep(backend, stream, steps[index], index, sink, fail);
        const free = backend.freePageCount;
        if (free !== undefined && free + this.#heldPages !== initialFree) {
          fail(`free pages ${free} + held ${this.#heldPages} ≠ ${initialFree} at start`);
        }
      }
      completed = true;
    } finally {
      // After a failed check the model may disagree with the backend; cleaning up must not hide
      // the failure, so cleanup errors are only reported when the steps themselves passed.
      this.#releaseAll(stream, completed);
    }
    const finalFree = backend.freePageCount;
    if (initialFree !== undefined && finalFree !== initialFree) {
      throw new InvariantViolation(
        steps.length - 1,
        steps,
        `after freeing everything, ${initialFree - (finalFree ?? 0)} pages are still taken`,
      );
    }
  }

  #runStep(
    backend: Backend,
    stream: WaveRtStream,
    step: SequenceStep,
    index: number,
    sink: OutcomeSink,
    fail: (message: string) => never,
  ): void {
    if (step.call === "allocatePagesForMdl" || step.call === "allocateContiguousPagesForMdl") {
      const contiguous = step.call === "allocateContiguousPagesForMdl";
      const can = backend.capabilities.contiguous;
      if (contiguous && !can.available) {
        const reason = `contiguous allocation unavailable: ${can.reason}`;
        return sink.step(index, "skipped", 0, 0, false, undefined, reason, undefined);
      }
      const lowAddress = contiguous ? step.lowAddress : 0n;
      const mdl = contiguous
        ? stream.allocateContiguousPagesForMdl(lowAddress, step.highAddress, step.totalBytes)
        : stream.allocatePagesForMdl(step.highAddress, step.totalBytes);
      const handle = this.#newHandle(step, lowAddress, mdl);
      const duration = stream.lastCall?.durationNs;
      if (mdl === null) {
        return sink.step(index, "null", 0, 0, false, undefined, undefined, duration);
      }
      checkFresh(backend, stream, handle, fail);
      this.#own(backend, handle, fail);
      this.#held.push(handle);
      this.#heldPages += mdl.pfns.length;
      const pages = mdl.pfns.length;
      return sink.step(
        index,
        "mdl",
        mdl.byteCount,
        pages,
        isOneRun(mdl.pfns),
        undefined,
        undefined,
        duration,
      );
    }
    const handle = this.#handles.get(step.handle);
    if (handle === undefined) {
      return sink.step(
        index,
        "skipped",
        0,
        0,
        false,
        undefined,
        `${step.handle} unknown`,
        undefined,
      );
    }
    const mdl = handle.mdl;
    if (mdl === null) {
      return sink.step(
        index,
        "skipped",
        0,
        0,
        false,
        undefined,
        `${step.handle} is NULL`,
        undefined,
      );
    }
    const expected = expectedViolation(step, handle);
    if (expected !== null) {
      if (!backend.capabilities.misuseDetection.available) {
        const reason = `${expected}: misuse detection unavailable`;
        return sink.step(index, "skipped", 0, 0, false, undefined, reason, undefined);
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
        return sink.step(index, "violation", 0, 0, false, e.rule, undefined, undefined);
      }
      return fail(`expected DriverViolation ${expected}, the call succeeded`);
    }
    const result = callStep(stream, step, handle);
    const duration = stream.lastCall?.durationNs;
    if (step.call === "mapAllocatedPages") {
      if (result === null) {
        return sink.step(index, "map-failed", 0, 0, false, undefined, undefined, duration);
      }
      handle.mappedAt = result as bigint;
      if (mdl.mappedSystemVa !== result) fail(`MappedSystemVa is ${mdl.mappedSystemVa}`);
      if (!(mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA)) fail("MAPPED_TO_SYSTEM_VA is clear");
      return sink.step(index, "mapped", 0, 0, false, undefined, undefined, duration);
    }
    if (step.call === "unmapAllocatedPages") {
      handle.mappedAt = null;
      if (mdl.mappedSystemVa !== null) fail("MappedSystemVa is still set after unmapping");
      if (mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA) fail("MAPPED_TO_SYSTEM_VA still set");
      return sink.step(index, "unmapped", 0, 0, false, undefined, undefined, duration);
    }
    handle.state = "freed";
    this.#drop(handle);
    return sink.step(index, "freed", 0, 0, false, undefined, undefined, duration);
  }

  #newHandle(step: Handle["step"], lowAddress: bigint, mdl: Mdl | null): Handle {
    let handle = this.#pool[this.#used];
    if (handle === undefined) {
      handle = { step, lowAddress, mdl, state: "live", mappedAt: null };
      this.#pool.push(handle);
    } else {
      handle.step = step;
      handle.lowAddress = lowAddress;
      handle.mdl = mdl;
      handle.state = "live";
      handle.mappedAt = null;
    }
    this.#used++;
    this.#handles.set(step.handle, handle);
    return handle;
  }

  /** Frames of a new MDL are non-zero and held by no other live MDL; marks them held. */
  #own(backend: Backend, handle: Handle, fail: (message: string) => never): void {
    if (!backend.capabilities.frameNumbers.available) return;
    const pfns = handle.mdl!.pfns;
    let owned = this.#owned;
    for (let i = 0; i < pfns.length; i++) {
      const pfn = pfns[i];
      if (pfn === 0) fail(`${handle.step.handle} has frame number 0`);
      const w = pfn >>> 5;
      if (w >= owned.length) {
        const grown = new Uint32Array(Math.max(w + 1, owned.length * 2));
        grown.set(owned);
        owned = this.#owned = grown;
      }
      const bit = 1 << (pfn & 31);
      if (owned[w] & bit) fail(`frame ${pfn} belongs to two live MDLs (${handle.step.handle})`);
      owned[w] |= bit;
    }
  }

  /** Forgets a handle's frames and removes it from the held list. */
  #drop(handle: Handle): void {
    const held = this.#held;
    const at = held.indexOf(handle);
    if (at < 0) return;
    held[at] = held[held.length - 1];
    held.pop();
    const pfns = handle.mdl!.pfns;
    this.#heldPages -= pfns.length;
    const owned = this.#owned;
    for (let i = 0; i < pfns.length; i++) {
      const w = pfns[i] >>> 5;
      if (w < owned.length) owned[w] &= ~(1 << (pfns[i] & 31));
    }
  }

  #releaseAll(stream: WaveRtStream, reportErrors: boolean): void {
    const held = this.#held;
    let error: unknown = undefined;
    while (held.length > 0) {
      const h = held[held.length - 1];
      this.#drop(h);
      try {
        if (h.mappedAt !== null) stream.unmapAllocatedPages(h.mappedAt, h.mdl!);
        stream.freePagesFromMdl(h.mdl!);
      } catch (e) {
        error ??= e;
      }
    }
    // A failed check may have marked some frames of an MDL it then rejected.
    if (!reportErrors) this.#owned.fill(0);
    for (let i = 0; i < this.#used; i++) {
      const h = this.#pool[i];
      h.mdl = null;
      h.step = NO_HANDLE;
    }
    this.#used = 0;
    this.#heldPages = 0;
    this.#handles.clear();
    if (reportErrors && error !== undefined) throw error;
  }
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
  const outcomes: StepOutcome[] = [];
  new SequenceChecker().run(backend, steps, {
    step(index, result, bytes, pages, contiguous, rule, reason, durationNs) {
      const step = steps[index];
      outcomes.push(
        result === "mdl"
          ? { step, result, bytes, pages, contiguous, durationNs }
          : result === "violation"
          ? { step, result, rule }
          : result === "skipped"
          ? { step, result, reason }
          : { step, result, durationNs },
      );
    },
  });
  return outcomes;
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

/** One step in words, for messages. */
export function describeStep(step: SequenceStep): string {
  switch (step.call) {
    case "allocatePagesForMdl":
      return `${step.handle} = allocatePagesForMdl(0x${
        step.highAddress.toString(16).toUpperCase()
      }, ${step.totalBytes})`;
    case "allocateContiguousPagesForMdl":
      return `${step.handle} = allocateContiguousPagesForMdl(0x${
        step.lowAddress.toString(16).toUpperCase()
      }, 0x${step.highAddress.toString(16).toUpperCase()}, ${step.totalBytes})`;
    case "mapAllocatedPages":
      return `mapAllocatedPages(${step.handle}, ${step.cacheType})`;
    default:
      return `${step.call}(${step.handle})`;
  }
}
