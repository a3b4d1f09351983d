/**
 * Runs a sequence on any backend while a small reference model predicts what each call must do,
 * checking the invariants the backend's capabilities claim after every step. Every MDL still held
 * is unmapped and freed at the end, also when a check fails.
 *
 * @module
 */

import type { Backend, Mdl, WaveRtStream } from "../core/backend.ts";
import { MdlFlags } from "../core/constants.ts";
import { DriverViolation, type ViolationRuleId } from "../core/violations.ts";
import { FrameOwners } from "./frame_owners.ts";
import { checkFresh } from "./fresh_checks.ts";
import { expectedViolation, FORGED_MDL, type ModelHandle, unsupported } from "./misuse_model.ts";
import { InvariantViolation, type OutcomeSink, type StepOutcome } from "./outcomes.ts";
import { describeStep, type SequenceStep } from "./sequence.ts";
import { callStep, otherBackendMdl } from "./step_calls.ts";

export { describeStep };
export {
  InvariantViolation,
  type OutcomeSink,
  type StepOutcome,
  type StepResult,
} from "./outcomes.ts";

interface Handle extends ModelHandle {
  step: SequenceStep & { totalBytes: number; highAddress: bigint };
  lowAddress: bigint;
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
  readonly #owners = new FrameOwners();
  readonly #otherBackend: (() => Backend) | undefined;
  #otherMdl: Mdl | null | undefined;

  /**
   * `otherBackend` builds another backend instance once, on the first step that passes an MDL
   * of another backend: one page is allocated and freed there, and that MDL is what such steps
   * pass. Without it those steps are skipped.
   */
  constructor(options: { otherBackend?: () => Backend } = {}) {
    this.#otherBackend = options.otherBackend;
  }

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
      this.#releaseAll(backend, stream, completed);
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
    if (step.call === "assertNoLeaks") {
      const expected = expectedViolation(step, undefined, this.#held.length);
      if (expected === null) {
        backend.assertNoLeaks();
        return sink.step(index, "no-leaks", 0, 0, false, undefined, undefined, undefined);
      }
      return this.#violation(
        backend,
        expected,
        index,
        sink,
        fail,
        () => backend.assertNoLeaks(),
        step,
      );
    }
    if (step.call === "allocatePagesForMdl" || step.call === "allocateContiguousPagesForMdl") {
      const contiguous = step.call === "allocateContiguousPagesForMdl";
      const can = backend.capabilities.contiguous;
      if (contiguous && !can.available) {
        const reason = `contiguous allocation unavailable: ${can.reason}`;
        return sink.step(index, "skipped", 0, 0, false, undefined, reason, undefined);
      }
      const lowAddress = contiguous ? step.lowAddress : 0n;
      const expected = expectedViolation(step, undefined, this.#held.length);
      if (expected !== null) {
        // A refused allocation names a NULL handle: later steps on it are skipped.
        this.#newHandle(step, lowAddress, null);
        const allocate = () =>
          contiguous
            ? stream.allocateContiguousPagesForMdl(lowAddress, step.highAddress, step.totalBytes)
            : stream.allocatePagesForMdl(step.highAddress, step.totalBytes);
        return this.#violation(backend, expected, index, sink, fail, allocate, step);
      }
      const mdl = contiguous
        ? stream.allocateContiguousPagesForMdl(lowAddress, step.highAddress, step.totalBytes)
        : stream.allocatePagesForMdl(step.highAddress, step.totalBytes);
      const handle = this.#newHandle(step, lowAddress, mdl);
      const duration = stream.lastCall?.durationNs;
      if (mdl === null) {
        return sink.step(index, "null", 0, 0, false, undefined, undefined, duration);
      }
      const oneRun = checkFresh(backend, stream, handle, fail, this.#owners);
      this.#held.push(handle);
      const pages = mdl.pfns.length;
      this.#heldPages += pages;
      return sink.step(index, "mdl", mdl.byteCount, pages, oneRun, undefined, undefined, duration);
    }
    const handle = this.#handles.get(step.handle);
    if (handle === undefined || handle.mdl === null) {
      const reason = `${step.handle} ${handle === undefined ? "unknown" : "is NULL"}`;
      return sink.step(index, "skipped", 0, 0, false, undefined, reason, undefined);
    }
    const mdl = handle.mdl;
    const engine = step.call !== "freePagesFromMdl" && step.engine === true;
    if (engine && step.call === "mapAllocatedPages" && handle.engineAt !== null) {
      const reason = `${step.handle} is already mapped for the engine (the model keeps one)`;
      return sink.step(index, "skipped", 0, 0, false, undefined, reason, undefined);
    }
    const expected = expectedViolation(step, handle, this.#held.length);
    if (expected !== null) {
      const given = this.#mdlOf(step, mdl);
      if (given === null) {
        const reason = "no other backend instance to take an MDL from";
        return sink.step(index, "skipped", 0, 0, false, undefined, reason, undefined);
      }
      const call = () => callStep(backend, stream, step, handle, given);
      return this.#violation(backend, expected, index, sink, fail, call, step);
    }
    const skip = unsupported(backend, step, null);
    if (skip !== null) return sink.step(index, "skipped", 0, 0, false, undefined, skip, undefined);
    const result = callStep(backend, stream, step, handle, mdl);
    const duration = engine ? undefined : stream.lastCall?.durationNs;
    if (step.call === "mapAllocatedPages") {
      if (result === null) {
        return sink.step(index, "map-failed", 0, 0, false, undefined, undefined, duration);
      }
      if (engine) {
        handle.engineAt = result as bigint;
        handle.engineCache = step.cacheType;
      } else {
        handle.mappedAt = result as bigint;
        handle.mappedCache = step.cacheType;
        if (!(mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA)) fail("MAPPED_TO_SYSTEM_VA is clear");
      }
      if (mdl.mappedSystemVa !== handle.mappedAt) fail(`MappedSystemVa is ${mdl.mappedSystemVa}`);
      return sink.step(index, "mapped", 0, 0, false, undefined, undefined, duration);
    }
    if (step.call === "unmapAllocatedPages") {
      if (engine) {
        handle.engineAt = handle.engineCache = null;
      } else {
        handle.mappedAt = handle.mappedCache = null;
        if (mdl.mdlFlags & MdlFlags.MAPPED_TO_SYSTEM_VA) fail("MAPPED_TO_SYSTEM_VA still set");
      }
      if (mdl.mappedSystemVa !== handle.mappedAt) {
        fail(`MappedSystemVa is ${mdl.mappedSystemVa} after unmapping`);
      }
      return sink.step(index, "unmapped", 0, 0, false, undefined, undefined, duration);
    }
    handle.state = "freed";
    this.#drop(handle);
    return sink.step(index, "freed", 0, 0, false, undefined, undefined, duration);
  }

  /**
   * Makes a call the model says must raise `expected` (at the step's IRQL where it has one):
   * skipped where the backend cannot, otherwise the exact rule and no change to free pages.
   */
  #violation(
    backend: Backend,
    expected: ViolationRuleId,
    index: number,
    sink: OutcomeSink,
    fail: (message: string) => never,
    call: () => unknown,
    step: SequenceStep,
  ): void {
    const skip = unsupported(backend, step, expected);
    if (skip !== null) return sink.step(index, "skipped", 0, 0, false, undefined, skip, undefined);
    const free = backend.freePageCount;
    const irql = step.call === "assertNoLeaks" ? undefined : step.irql;
    try {
      if (irql !== undefined && backend.withIrql !== undefined) backend.withIrql(irql, call);
      else call();
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

  /** The MDL a step passes: the handle's, or the foreign one it names (null: none to be had). */
  #mdlOf(step: SequenceStep, mdl: Mdl): Mdl | null {
    if (step.call === "assertNoLeaks") return mdl;
    switch (step.mdl) {
      case undefined:
        return mdl;
      case "spread":
        return { ...mdl };
      case "forged":
        return FORGED_MDL;
      case "other-backend":
        if (this.#otherMdl === undefined) this.#otherMdl = otherBackendMdl(this.#otherBackend);
        return this.#otherMdl;
    }
  }

  #newHandle(step: Handle["step"], lowAddress: bigint, mdl: Mdl | null): Handle {
    let handle = this.#pool[this.#used++];
    if (handle === undefined) {
      handle = {
        step,
        lowAddress,
        mdl,
        state: "live",
        mappedAt: null,
        mappedCache: null,
        engineAt: null,
        engineCache: null,
      };
      this.#pool.push(handle);
    } else {
      handle.step = step;
      handle.lowAddress = lowAddress;
      handle.mdl = mdl;
      handle.state = "live";
      handle.mappedAt = null;
      handle.mappedCache = null;
      handle.engineAt = null;
      handle.engineCache = null;
    }
    this.#handles.set(step.handle, handle);
    return handle;
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
    this.#owners.release(pfns);
  }

  #releaseAll(backend: Backend, stream: WaveRtStream, reportErrors: boolean): void {
    const held = this.#held;
    let error: unknown = undefined;
    while (held.length > 0) {
      const h = held[held.length - 1];
      this.#drop(h);
      try {
        if (h.engineAt !== null) backend.engineMappings!.unmap(h.engineAt, h.mdl!);
        if (h.mappedAt !== null) stream.unmapAllocatedPages(h.mappedAt, h.mdl!);
        stream.freePagesFromMdl(h.mdl!);
      } catch (e) {
        error ??= e;
      }
    }
    for (let i = 0; i < this.#used; i++) {
      const h = this.#pool[i];
      h.mdl = null;
      h.step = NO_HANDLE;
    }
    // A failed check may have marked frames of an MDL it then refused.
    if (!reportErrors) this.#owners.clear();
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
