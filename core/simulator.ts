/**
 * The simulator: a machine's physical memory, its memory manager and the PortCls stream surface,
 * deterministic for a given seed, configuration and call sequence.
 *
 * @module
 */

import type {
  Backend,
  BackendCapabilities,
  BackendLimits,
  EngineMappings,
  Leak,
  Mdl,
} from "./backend.ts";
import { allocationSiteSelection, type SiteReplay } from "./call_site.ts";
import type { CacheType } from "./constants.ts";
import { Irql } from "./constants.ts";
import { type CostModel, resolveCostModel } from "./cost_model.ts";
import { FaultInjector, type FaultOptions } from "./faults.ts";
import {
  type MachineLayout,
  type MachinePresetName,
  machinePresets,
  validateMachine,
  withPageSize,
} from "./machine.ts";
import { type CacheConflict, MemoryManager } from "./mm.ts";
import { type FragmentModel, PhysicalMemory } from "./physical_memory.ts";
import { createPlacement, DEFAULT_PLACEMENT, type PlacementOption } from "./placement.ts";
import { type AllocationPolicies, resolvePolicies } from "./policies.ts";
import { PortClsStream, type StreamHost } from "./port_stream.ts";
import type { SimulatorSnapshot } from "./snapshot.ts";
import { leakedPagesViolation } from "./violations.ts";

/**
 * Options of a {@linkcode Simulator}; every field is optional.
 *
 * @example
 * ```ts
 * const options: SimulatorOptions = { machine: "x64-64gib", fragmentation: 0.3, seed: 42 };
 * ```
 */
export interface SimulatorOptions {
  /** A layout, or the name of one of `machinePresets`. Default `"x64-16gib"`. */
  readonly machine?: MachineLayout | MachinePresetName;
  /** Page size: 4096 (default, or the layout's), 16384 or 65536. Ranges are trimmed to fit. */
  readonly pageSize?: number;
  /** Fraction (0–1) of RAM already used by the rest of the system. Default 0. */
  readonly fragmentation?: number;
  /** Mean length in pages of one run of memory used by others. Default 4. */
  readonly fragmentRunPages?: number;
  /**
   * How fragmentation draws run lengths: `"heavy-tailed"` (default: free memory left in runs of
   * every size, as on a running system) or `"geometric"` (the model before issue 12: free runs
   * longer than a few dozen pages practically never occur). See `FragmentModel`.
   */
  readonly fragmentModel?: FragmentModel;
  /**
   * Which free frames non-contiguous allocations get: `"running-system"` (default: recently freed
   * first, then short runs scattered across RAM), `"lowest-first"` (ascending, as ReactOS scans)
   * or `{ profile }` (calibrated from a measured placement profile). See `core/placement.ts`.
   */
  readonly placement?: PlacementOption;
  /** Seed for fragmentation, placement and fault injection. Default 1. */
  readonly seed?: number;
  /** Fault injection, like Driver Verifier's Low Resources Simulation. */
  readonly faults?: FaultOptions;
  /** Behaviours the documentation leaves open; see {@linkcode AllocationPolicies}. */
  readonly policies?: Partial<AllocationPolicies>;
  /** Latency model parameters; see {@linkcode CostModel}. */
  readonly costModel?: Partial<CostModel>;
  /**
   * System address space available to mappings, in bytes. Default 1 GiB: mapping a buffer larger
   * than that fails (NULL), as mapping a 2 GiB MDL does on Windows.
   */
  readonly systemVaBytes?: number | bigint;
  /**
   * Which allocations record their stack, so that leaks name the line that allocated them:
   * `true` every one, `false` none, or a number N for the first N of this simulator. Default
   * 10,000: every allocation of a test, while long generated or benchmark runs do not pay the
   * 3–4 µs a stack costs in Deno for each of their millions of allocations. A leak without a
   * stack still names its allocation number, call and size. A list of allocation numbers records
   * exactly those; a {@linkcode SiteReplay} those, and ends the run after the last: how
   * `withLeakSites` replays a run to name its leaks' lines.
   */
  readonly captureAllocationSites?: boolean | number | readonly number[] | SiteReplay;
  /**
   * Whether free pages start out zeroed (default, as Windows' zeroed-page list provides) or
   * stale, so that every allocation pays for zeroing, as on Linux where the kernel zeroes each
   * page when it is handed out. Calibration against a Linux host uses `"stale"`.
   */
  readonly freshPages?: "zeroed" | "stale";
}

const GiB = 1n << 30n;

/**
 * A simulated machine with an `IPortWaveRTStream` surface.
 *
 * @example
 * ```ts
 * using sim = new Simulator({ machine: "x64-16gib", fragmentation: 0.3, seed: 7 });
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * if (mdl) stream.freePagesFromMdl(mdl);
 * sim.assertNoLeaks();
 * ```
 */
export class Simulator implements Backend {
  readonly name = "simulator";
  readonly pageSize: number;
  /** The physical memory layout, with its ranges trimmed to whole pages of `pageSize`. */
  readonly machine: MachineLayout;
  /** Seed of the fragmentation and the fault injection. */
  readonly seed: number;
  /** The open-behaviour policies in force: the options' over the defaults. */
  readonly policies: AllocationPolicies;
  /** The cost model in force: the options' parameters over the defaults. */
  readonly costModel: CostModel;
  /**
   * The Mm layer the stream calls; usable directly for `MmAllocatePagesForMdlEx` semantics.
   *
   * @internal
   */
  readonly mm: MemoryManager;
  /** Everything available: frame numbers, bounds, contiguity, cache types, misuse, modeled time. */
  readonly capabilities: BackendCapabilities = {
    frameNumbers: { available: true, note: "simulated frame numbers" },
    highAddressEnforced: { available: true },
    contiguous: { available: true },
    cacheTypes: { available: true, note: "recorded per page, conflicts flagged" },
    misuseDetection: { available: true },
    timing: { source: "modeled", resolutionNs: 0 },
  };
  readonly limits: BackendLimits;
  /** The port driver's user-mode mappings for the audio engine (`mm`, mode `"user"`). */
  readonly engineMappings: EngineMappings = {
    map: (mdl: Mdl, cacheType: CacheType) =>
      this.mm.mapLockedPagesSpecifyCache(mdl, "user", cacheType).value,
    unmap: (address: bigint, mdl: Mdl) => void this.mm.unmapLockedPages(address, mdl),
  };
  readonly #memory: PhysicalMemory;
  readonly #faults: FaultInjector;
  /**
   * What its streams read and write on every call (`core/port_stream.ts`): plain fields, the
   * IRQL and clock included, so a call costs no getter or closure.
   */
  readonly #host: StreamHost;
  #closed = false;

  /** A simulated machine set up from `options`; throws `RangeError`/`TypeError` on a bad option. */
  constructor(options: SimulatorOptions = {}) {
    const {
      machine = "x64-16gib",
      fragmentation = 0,
      fragmentRunPages = 4,
      seed = 1,
      systemVaBytes = GiB,
      captureAllocationSites = 10_000,
      freshPages = "zeroed",
      fragmentModel = "heavy-tailed",
    } = options;
    if (fragmentModel !== "geometric" && fragmentModel !== "heavy-tailed") {
      throw new RangeError(
        `fragmentModel must be "geometric" or "heavy-tailed", got ${String(fragmentModel)}`,
      );
    }
    if (freshPages !== "zeroed" && freshPages !== "stale") {
      throw new RangeError(`freshPages must be "zeroed" or "stale", got ${freshPages}`);
    }
    const layout = typeof machine === "string" ? presetByName(machine) : validateMachine(machine);
    this.machine = options.pageSize === undefined ? layout : withPageSize(layout, options.pageSize);
    this.pageSize = this.machine.pageSize;
    this.limits = { lockedBytes: null, contiguousUnitBytes: this.pageSize };
    if (typeof fragmentation !== "number" || !(fragmentation >= 0 && fragmentation <= 1)) {
      throw new RangeError(`fragmentation must be a number in 0..1, got ${fragmentation}`);
    }
    if (!Number.isFinite(fragmentRunPages) || fragmentRunPages < 1) {
      throw new RangeError(`fragmentRunPages must be ≥ 1, got ${fragmentRunPages}`);
    }
    const allocationSites = allocationSiteSelection(captureAllocationSites);
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`seed must be an integer, got ${seed}`);
    }
    const va = typeof systemVaBytes === "bigint" ? systemVaBytes : BigInt(
      Number.isSafeInteger(systemVaBytes) ? systemVaBytes : -1,
    );
    if (va < 0n) throw new RangeError(`systemVaBytes must be ≥ 0, got ${systemVaBytes}`);
    this.seed = seed;
    this.policies = resolvePolicies(options.policies);
    this.costModel = resolveCostModel(options.costModel);
    this.#faults = new FaultInjector(options.faults ?? {}, seed, this.pageSize);
    this.#memory = new PhysicalMemory(this.machine, {
      fraction: fragmentation,
      meanRunPages: fragmentRunPages,
      seed,
      model: fragmentModel,
    }, freshPages);
    this.mm = new MemoryManager({
      owner: this,
      memory: this.#memory,
      placement: createPlacement(
        options.placement ?? DEFAULT_PLACEMENT,
        this.machine,
        seed,
        this.#memory.groupings,
      ),
      faults: this.#faults,
      policies: this.policies,
      costModel: this.costModel,
      systemVaBytes: va,
      allocationSites,
    });
    this.#host = {
      mm: this.mm,
      pageSize: this.pageSize,
      policies: this.policies,
      irql: Irql.PASSIVE_LEVEL,
      clockNs: 0,
    };
  }

  /** Free pages on the whole machine. */
  get freePageCount(): number {
    return this.#memory.frames.freeCount;
  }

  /** RAM pages on the machine (holes excluded). */
  get totalPageCount(): number {
    return this.#memory.ramFrames;
  }

  /** Pages occupied by the rest of the system when the simulator was built. */
  get fragmentedPageCount(): number {
    return this.#memory.occupiedAtStart;
  }

  /** Bytes of simulator state per RAM page. */
  get stateBytesPerPage(): number {
    return this.#memory.stateBytesPerPage;
  }

  /** Current IRQL of the calling context (PASSIVE_LEVEL unless inside {@linkcode withIrql}). */
  get irql(): number {
    return this.#host.irql;
  }

  /** Total modeled time of all calls so far, in nanoseconds. */
  get clockNs(): number {
    return this.#host.clockNs;
  }

  /** Injected faults fired so far. */
  get faultsFired(): number {
    return this.#faults.fired;
  }

  /** Cache-type conflicts recorded under the `"record"` policy. */
  get cacheConflicts(): readonly CacheConflict[] {
    return this.mm.cacheConflicts;
  }

  /** A new stream surface on this machine. */
  stream(): PortClsStream {
    if (this.#closed) throw new Error("the simulator is closed: stream() was called after close()");
    return new PortClsStream(this.#host);
  }

  /**
   * Runs `body` as if at IRQL `level` (e.g. from a DPC), then restores the previous level.
   *
   * @example
   * ```ts
   * import { Irql } from "../mod.ts";
   * using sim = new Simulator();
   * const stream = sim.stream();
   * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
   * try {
   *   sim.withIrql(Irql.DISPATCH_LEVEL, () => stream.freePagesFromMdl(mdl)); // a DPC must not free
   * } catch (e) {
   *   console.log(e); // DriverViolation: irql-not-passive ... (bug check 0xC4/0x71003)
   * }
   * stream.freePagesFromMdl(mdl);
   * ```
   */
  withIrql<T>(level: number, body: () => T): T {
    if (!Number.isInteger(level) || level < 0 || level > Irql.HIGH_LEVEL) {
      throw new RangeError(`level must be an IRQL in 0..15, got ${level}`);
    }
    const host = this.#host;
    const previous = host.irql;
    host.irql = level;
    try {
      return body();
    } finally {
      host.irql = previous;
    }
  }

  /** Whether `pfn` is free. */
  isFrameFree(pfn: number): boolean {
    return this.#memory.frames.isFree(pfn);
  }

  /** Whether `pfn` holds zeros (false once an owner has had it and freed it unzeroed). */
  isFrameZeroed(pfn: number): boolean {
    return !this.#memory.isStale(pfn);
  }

  /** Cache type of the live mapping of `pfn`, or null when it is not mapped. */
  frameCacheType(pfn: number): number | null {
    return this.mm.frameCacheType(pfn);
  }

  /** MDLs allocated and not freed, oldest first, each with where it was allocated. */
  leaks(): Leak[] {
    return this.mm.leaks();
  }

  /**
   * Throws a `DriverViolation` (rule `leaked-pages`, bug check 0xC4/0x71005) listing every MDL
   * that was never freed.
   */
  assertNoLeaks(): void {
    const leaks = this.leaks();
    if (leaks.length === 0) return;
    throw leakedPagesViolation(leaks);
  }

  /**
   * The state of this machine with nothing allocated (its build and fragmentation), for
   * {@linkcode restore}. Throws while MDLs are live.
   *
   * @example
   * ```ts
   * using sim = new Simulator({ machine: "x64-4gib", fragmentation: 0.3, seed: 5 });
   * const built = sim.snapshot();
   * sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 1 << 20); // a leak, say
   * sim.restore(built, { probability: 0.06 }); // as new, now with faults
   * ```
   */
  snapshot(): SimulatorSnapshot {
    if (this.mm.liveMdlCount > 0) throw new Error("snapshot needs every MDL freed first");
    return { owner: this, memory: this.#memory.saveState(), clockNs: this.#host.clockNs };
  }

  /**
   * Puts this simulator back to a {@linkcode snapshot} of itself without rebuilding it: unmaps and
   * frees whatever is live (those MDLs are then freed ones), copies the saved bitmap and stale bits
   * back (only the words written since, when this snapshot is the one taken or restored last),
   * restarts MDL ids, address space, clock and IRQL, and starts fault injection afresh with
   * `faults` (same seed). Frame numbers after it are those of a new simulator with these options.
   */
  restore(snapshot: SimulatorSnapshot, faults: FaultOptions = {}): void {
    this.mm.assertOpen("restore");
    if (snapshot.owner !== this) throw new Error("the snapshot belongs to another simulator");
    this.mm.releaseAll();
    // Before the counters: their reset would write a parked batch back for the copy to undo.
    this.#memory.restoreState(snapshot.memory);
    this.mm.resetCounters();
    this.#faults.reconfigure(faults, this.seed, this.pageSize);
    this.#host.clockNs = snapshot.clockNs;
    this.#host.irql = Irql.PASSIVE_LEVEL;
  }

  /**
   * Unmaps and frees everything still allocated, once; safe to call more than once. Afterwards
   * every call on this simulator's streams, its MDLs and `sim.mm` throws an Error saying the
   * simulator is closed.
   */
  close(): void {
    if (this.#closed) return;
    this.mm.close();
    this.#closed = true;
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function presetByName(name: string): MachineLayout {
  const preset = (machinePresets as Record<string, MachineLayout>)[name];
  if (preset === undefined) {
    throw new RangeError(
      `machine must be a layout or one of ${Object.keys(machinePresets).join(", ")}, got "${name}"`,
    );
  }
  return preset;
}
