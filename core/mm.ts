/**
 * The simulated memory manager: `MmAllocatePagesForMdlEx`, `MmFreePagesFromMdl`,
 * `MmMapLockedPagesSpecifyCache` and `MmUnmapLockedPages`, with Driver Verifier's checks. The
 * PortCls stream calls these, as PortCls does on Windows.
 *
 * @module
 */

import {
  type AllocatePagesRequest,
  type AllocationPlan,
  AllocationPlanner,
  checkAllocateRequest,
  type CheckedRequest,
  rejectedByWindows,
} from "./allocation_request.ts";
import { checkCacheType, describe } from "./arguments.ts";
import type { Leak, Mdl, MdlSource } from "./backend.ts";
import { allocationSite, captureSite, ReplayStopped, type SiteSelection } from "./call_site.ts";
import { allocationNs, type CostModel } from "./cost_model.ts";
import { type CacheType, MdlFlags } from "./constants.ts";
import type { FaultInjector } from "./faults.ts";
import { recycleFrameList } from "./frame_slab.ts";
import { gatherFrames } from "./gather_frames.ts";
import { createMdlKit, FRESH_MDL_FLAGS, type MdlMapping, type MdlState } from "./mdl.ts";
import { checkFreeable, checkLiveMdl, checkNotMapped, checkUnmap } from "./mdl_lifecycle.ts";
import type { PhysicalMemory } from "./physical_memory.ts";
import type { Placement } from "./placement.ts";
import type { AllocationPolicies } from "./policies.ts";
import { DriverViolation, ViolationRules } from "./violations.ts";

/** A page mapped with two cache types at once, as recorded under the `"record"` policy. */
export interface CacheConflict {
  /** Allocation number of the MDL mapped a second time. */
  readonly mdlId: number;
  /** Cache type of the mapping the MDL already had. */
  readonly existing: CacheType;
  /** The different cache type the new mapping asked for. */
  readonly requested: CacheType;
}

/** Everything the memory manager needs from its simulator. */
export interface MmContext {
  readonly owner: object;
  readonly memory: PhysicalMemory;
  /** Where non-contiguous allocations find their frames. */
  readonly placement: Placement;
  readonly faults: FaultInjector;
  readonly policies: AllocationPolicies;
  readonly costModel: CostModel;
  readonly systemVaBytes: bigint;
  /** Which allocations record their stack. */
  readonly allocationSites: SiteSelection;
}

/** Result of one Mm call: the value Windows returns plus its modeled duration. */
export interface MmResult<T> {
  readonly value: T;
  readonly durationNs: number;
}

/** The mappings of an MDL that has none, shared: mappings are replaced, never changed in place. */
const NO_MAPPINGS: readonly MdlMapping[] = Object.freeze([]);
const KERNEL_VA_BASE = 0xffff_a000_0000_0000n;
const USER_VA_BASE = 0x0000_0200_0000_0000n;

/**
 * The memory manager of one simulator.
 *
 * @example
 * ```ts
 * import { CacheType, MmAllocateFlags, Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const { value: mdl } = sim.mm.allocatePagesForMdlEx({
 *   lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 65536,
 *   cacheType: CacheType.Cached, flags: MmAllocateFlags.FULLY_REQUIRED,
 * });
 * ```
 */
export class MemoryManager {
  readonly #ctx: MmContext;
  readonly #page: number;
  readonly #kit = createMdlKit();
  /** Plans each allocation, remembering the last plan (a driver repeats its request). */
  readonly #planner: AllocationPlanner;
  /** The live MDLs, each at its `slot`, in no order (a free moves the last into its slot). */
  readonly #live: MdlState[] = [];
  readonly #conflicts: CacheConflict[] = [];
  #heldPages = 0;
  #nextId = 1;
  #kernelVaUsed = 0n;
  #nextKernelVa = KERNEL_VA_BASE;
  #nextUserVa = USER_VA_BASE;
  #closed = false;
  #lastNs = 0;

  constructor(ctx: MmContext) {
    this.#ctx = ctx;
    this.#page = ctx.memory.pageSize;
    this.#planner = new AllocationPlanner(this.#page, ctx.memory.frames.frameCount, ctx.policies);
  }

  /** Pages held by live MDLs. */
  get heldPages(): number {
    return this.#heldPages;
  }

  /** Number of live (allocated, not freed) MDLs. */
  get liveMdlCount(): number {
    return this.#live.length;
  }

  /** Bytes of system address space in use by kernel mappings. */
  get systemVaInUse(): bigint {
    return this.#kernelVaUsed;
  }

  /**
   * Modeled duration of the last allocation or free, as {@linkcode allocateChecked} and
   * {@linkcode freeChecked} leave it (they return the value alone).
   *
   * @internal
   */
  get lastDurationNs(): number {
    return this.#lastNs;
  }

  /** Cache-type conflicts recorded under the `"record"` policy. */
  get cacheConflicts(): readonly CacheConflict[] {
    return this.#conflicts;
  }

  /**
   * `MmAllocatePagesForMdlEx`. Returns null where Windows returns NULL: invalid flags, SkipBytes
   * not a page multiple, an unsatisfiable contiguous request, nothing free in range, an injected
   * fault, or a shortfall with FULLY_REQUIRED. Arguments a C caller cannot express (negative,
   * fractional, wrong types, low above high) throw instead.
   */
  allocatePagesForMdlEx(
    request: AllocatePagesRequest,
    source: MdlSource = "mm",
  ): MmResult<Mdl | null> {
    this.assertOpen(source === "mm" ? "allocatePagesForMdlEx" : source);
    const value = this.allocateChecked(checkAllocateRequest(request), source);
    return { value, durationNs: this.#lastNs };
  }

  /**
   * {@linkcode allocatePagesForMdlEx} for a request whose arguments the caller has checked as
   * `checkAllocateRequest` does, after {@linkcode assertOpen} (the stream's allocations, whose
   * fixed fields need no check): the common request shape without validating every field twice.
   * Returns the MDL alone; its modeled duration is then {@linkcode lastDurationNs}.
   *
   * @internal
   */
  allocateChecked(checked: CheckedRequest, source: MdlSource): Mdl | null {
    const { policies, memory, faults } = this.#ctx;
    if (rejectedByWindows(checked, this.#page, policies)) return this.#allocateFailed();
    const operation = source === "allocateContiguousPagesForMdl"
      ? "allocateContiguous"
      : "allocate";
    if (faults.shouldFail(operation) !== null) return this.#allocateFailed();
    const capPages = faults.memoryCapPages - this.#heldPages;
    const plan = this.#planner.plan(checked, capPages);
    if (plan === null) return this.#allocateFailed();
    let frames: Uint32Array | null;
    // Frames are marked taken as they are taken unless a shortfall may give them back.
    memory.beginTakes(plan.wanted, plan.fullyRequired ? null : plan.zero);
    try {
      frames = gatherFrames(memory.frames, plan, this.#ctx.placement);
    } catch (error) {
      memory.endTakes(false, 0);
      throw error;
    }
    // Zeroed word by word as they were taken, once the allocation is sure to succeed.
    const zeroed = frames === null
      ? memory.endTakes(false, 0)
      : memory.endTakes(plan.zero, frames.length);
    if (frames === null) return this.#allocateFailed();
    return this.#buildMdl(plan, frames, zeroed, checked.totalBytes, source);
  }

  /** The NULL result of an allocation, and its duration. */
  #allocateFailed(): null {
    this.#lastNs = this.#ctx.costModel.allocateCallNs;
    return null;
  }

  /** Wraps the gathered frames (`zeroed` of them zeroed) in a live MDL. */
  #buildMdl(
    plan: AllocationPlan,
    frames: Uint32Array,
    zeroed: number,
    total: number | bigint,
    source: MdlSource,
  ): Mdl {
    const { memory, policies, costModel } = this.#ctx;
    const taken = frames.length;
    // A single contiguous chunk is one ascending run, freed word by word.
    const oneRun = plan.strategy === "chunks" && plan.chunkFrames === plan.wanted;
    const exact = taken === plan.requestedPages && !plan.clamped &&
      policies.byteCount === "requested";
    const id = this.#nextId++;
    const state: MdlState = {
      owner: this.#ctx.owner,
      id,
      source,
      frames,
      oneRun,
      groups: oneRun ? undefined : memory.takenGroups(),
      zeroed: plan.zero,
      allocationSite:
        id <= this.#ctx.allocationSites.first || this.#ctx.allocationSites.ids?.has(id)
          ? captureSite()
          : undefined,
      byteCount: exact ? Number(total) : taken * this.#page,
      mdlFlags: FRESH_MDL_FLAGS,
      mappings: NO_MAPPINGS,
      frameCacheType: null,
      freed: false,
      slot: this.#live.length,
    };
    const mdl = this.#kit.wrap(state);
    this.#live.push(state);
    this.#heldPages += taken;
    this.#lastNs = allocationNs(costModel, taken, zeroed * this.#page);
    if (id === this.#ctx.allocationSites.stopAfter) throw new ReplayStopped(id, this.leaks());
    return mdl;
  }

  /**
   * `MmFreePagesFromMdl` (plus the `ExFreePool` of the MDL that PortCls does). The pages become
   * free again and are marked stale: the next owner gets them zeroed unless it opts out.
   */
  freePagesFromMdl(mdl: Mdl): MmResult<void> {
    this.freeChecked(mdl);
    return { value: undefined, durationNs: this.#lastNs };
  }

  /**
   * {@linkcode freePagesFromMdl} leaving its modeled duration in {@linkcode lastDurationNs}.
   *
   * @internal
   */
  freeChecked(mdl: Mdl): void {
    const state = this.#check(mdl, "freePagesFromMdl");
    checkFreeable(state, state.mappings);
    this.#release(state);
  }

  /** Returns an MDL's pages and retires it. */
  #release(state: MdlState): void {
    const { memory, costModel } = this.#ctx;
    const frames = state.frames;
    const placement = this.#ctx.placement;
    const groups = state.groups;
    const park = frames.length <= placement.parkLimit;
    const zeroed = state.zeroed === true;
    let parked = false;
    if (state.oneRun) memory.releaseRun(frames[0], frames.length, zeroed);
    else {
      parked = memory.release(
        frames,
        frames.length,
        zeroed,
        groups,
        placement.keepsFreedLists,
        park,
      );
    }
    state.groups = undefined;
    placement.freed(frames, frames.length, groups);
    state.freed = true;
    // The MDL's `pfns` no longer read this list once it is freed (a copy made before stays); a
    // placement that keeps it as its recent frees reads it later.
    if (!placement.keepsFreedLists && !parked) recycleFrameList(frames);
    const last = this.#live.pop()!;
    if (last !== state) {
      this.#live[state.slot] = last;
      last.slot = state.slot;
    }
    this.#heldPages -= frames.length;
    this.#lastNs = costModel.freeCallNs + frames.length * costModel.freePageNs;
  }

  /**
   * `MmMapLockedPagesSpecifyCache`. One kernel (system) mapping per MDL; user mappings model the
   * port driver mapping the buffer into the audio engine's process. Returns null when system
   * address space would exceed `systemVaBytes` or an injected fault fires.
   */
  mapLockedPagesSpecifyCache(
    mdl: Mdl,
    mode: "kernel" | "user",
    cacheType: CacheType,
  ): MmResult<bigint | null> {
    const state = this.#check(mdl, "mapAllocatedPages");
    checkCacheType("cacheType", cacheType);
    if (mode !== "kernel" && mode !== "user") {
      throw new RangeError(`mode must be "kernel" or "user", got ${describe(mode)}`);
    }
    const { costModel, policies, faults } = this.#ctx;
    const existing = state.mappings;
    if (mode === "kernel") {
      checkNotMapped(state, existing.find((m) => m.mode === "kernel")?.address ?? null);
    }
    const other = existing.find((m) => m.cacheType !== cacheType);
    if (other !== undefined) {
      const conflict = {
        mdlId: state.id,
        existing: other.cacheType as CacheType,
        requested: cacheType,
      };
      if (policies.cacheConflict === "throw") {
        throw new DriverViolation(
          ViolationRules.cacheTypeConflict,
          `MDL #${state.id} is mapped with cache type ${other.cacheType}, requested ${cacheType}`,
        );
      }
      this.#conflicts.push(conflict);
    }
    const fail = { value: null, durationNs: costModel.mapCallNs };
    if (faults.shouldFail("map") !== null) return fail;
    const pages = state.frames.length;
    const bytes = BigInt(pages * this.#page);
    let address: bigint;
    if (mode === "kernel") {
      if (this.#kernelVaUsed + bytes > this.#ctx.systemVaBytes) return fail;
      address = this.#nextKernelVa;
      // A guard page between mappings, as system PTE ranges have.
      this.#nextKernelVa += bytes + BigInt(this.#page);
      this.#kernelVaUsed += bytes;
      state.mdlFlags |= MdlFlags.MAPPED_TO_SYSTEM_VA;
    } else {
      address = this.#nextUserVa;
      this.#nextUserVa += bytes + BigInt(this.#page);
    }
    state.mappings = [...existing, { address, cacheType, mode }];
    state.frameCacheType = cacheType;
    return { value: address, durationNs: costModel.mapCallNs + pages * costModel.mapPageNs };
  }

  /** `MmUnmapLockedPages`: removes the mapping at `baseAddress`. */
  unmapLockedPages(baseAddress: bigint, mdl: Mdl): MmResult<void> {
    const state = this.#check(mdl, "unmapAllocatedPages");
    if (typeof baseAddress !== "bigint") {
      throw new TypeError(`baseAddress must be a bigint, got ${describe(baseAddress)}`);
    }
    const mapping = state.mappings[checkUnmap(state, state.mappings, baseAddress)];
    state.mappings = state.mappings.filter((m: MdlMapping) => m !== mapping);
    this.#removeMapping(state, mapping);
    state.frameCacheType = state.mappings.length ? state.mappings[0].cacheType : null;
    return { value: undefined, durationNs: this.#ctx.costModel.unmapCallNs };
  }

  /** Gives back a kernel mapping's system address space and flag. */
  #removeMapping(state: MdlState, mapping: MdlMapping): void {
    if (mapping.mode !== "kernel") return;
    state.mdlFlags &= ~MdlFlags.MAPPED_TO_SYSTEM_VA;
    this.#kernelVaUsed -= BigInt(state.frames.length * this.#page);
  }

  /** Cache type of `frame`'s live mapping (its live MDL's, see `MdlState`), or null. */
  frameCacheType(frame: number): number | null {
    const owner = this.#live.find((s) => Array.prototype.indexOf.call(s.frames, frame) >= 0);
    return owner === undefined ? null : owner.frameCacheType;
  }

  /** The state of a live MDL of this simulator, or a violation for any other value. */
  liveState(mdl: Mdl, operation: string): MdlState {
    return this.#check(mdl, operation);
  }

  /** MDLs allocated and never freed, oldest first. */
  leaks(): Leak[] {
    return this.#byAge().map((state) => {
      return {
        mdlId: state.id,
        source: state.source,
        byteCount: state.byteCount,
        pages: state.frames.length,
        allocatedAt: allocationSite(
          state.allocationSite,
          state.id,
          this.#ctx.allocationSites,
        ),
      };
    });
  }

  /** Unmaps and frees every live MDL (used on close); returns how many there were. */
  releaseAll(): number {
    const live = this.#byAge();
    for (const state of live) {
      for (const m of state.mappings) this.#removeMapping(state, m);
      state.mappings = NO_MAPPINGS;
      this.#release(state);
    }
    return live.length;
  }

  /**
   * Releases everything (see {@linkcode releaseAll}) and refuses every later call with an Error
   * naming it; safe to call more than once. Returns how many MDLs were still live.
   */
  close(): number {
    if (this.#closed) return 0;
    const released = this.releaseAll();
    this.#closed = true;
    return released;
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Throws a clear Error once the simulator is closed: nothing of it may be used any more. */
  assertOpen(operation: string): void {
    if (this.#closed) {
      throw new Error(`the simulator is closed: ${operation} was called after close()`);
    }
  }

  /**
   * Forgets every count (MDL ids, address space, conflicts) as on a fresh machine; for
   * `Simulator.restore`, after {@linkcode releaseAll}.
   */
  resetCounters(): void {
    if (this.#live.length > 0) throw new Error("resetCounters needs every MDL released first");
    this.#conflicts.length = 0;
    this.#heldPages = 0;
    this.#nextId = 1;
    this.#kernelVaUsed = 0n;
    this.#nextKernelVa = KERNEL_VA_BASE;
    this.#nextUserVa = USER_VA_BASE;
    this.#ctx.memory.frames.settle(); // while the placement still holds a parked list
    this.#ctx.placement.reset();
  }

  /** The live MDLs, oldest first. */
  #byAge(): MdlState[] {
    return [...this.#live].sort((a, b) => a.id - b.id);
  }

  #check(mdl: Mdl, operation: string): MdlState {
    this.assertOpen(operation);
    return checkLiveMdl(mdl, this.#kit.stateOf(mdl), this.#ctx.owner, operation, "simulator");
  }
}
