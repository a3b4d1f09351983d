/**
 * The PortCls layer: `IPortWaveRTStream`'s page-allocation methods, checking IRQL and arguments
 * and calling the memory manager the way PortCls calls Mm on Windows.
 *
 * @module
 */

import {
  checkByteCountValue,
  checkHighAddress,
  checkIndex,
  checkPhysicalAddress,
} from "./arguments.ts";
import type { CallTiming, Mdl, StreamOperation, WaveRtStream } from "./backend.ts";
import { CacheType, Irql, MmAllocateFlags } from "./constants.ts";
import type { MemoryManager, MmResult } from "./mm.ts";
import type { AllocationPolicies } from "./policies.ts";
import { DriverViolation, ViolationRules } from "./violations.ts";

/** The HighAddress remembered before any call: no argument equals it. */
const NONE_GIVEN = Symbol("no HighAddress yet");

/** What a stream shares with its simulator: one object, read and written on every call. */
export interface StreamHost {
  readonly mm: MemoryManager;
  readonly pageSize: number;
  readonly policies: AllocationPolicies;
  /** Current IRQL of the calling context (the simulator's `withIrql` sets it). */
  irql: number;
  /** The simulator's clock: each call adds its modeled duration. */
  clockNs: number;
}

/**
 * A simulated `IPortWaveRTStream`. Obtain one with `sim.stream()`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920)!;
 * stream.getPhysicalPagesCount(mdl); // 1
 * stream.freePagesFromMdl(mdl);
 * ```
 */
export class PortClsStream implements WaveRtStream {
  readonly #host: StreamHost;
  /** The last call's timing, made on first read from the two fields below. */
  #lastCall: CallTiming | null = null;
  #lastOperation: StreamOperation | null = null;
  #lastNs = 0;
  /**
   * The request of `allocatePagesForMdl`, filled in by each call (Mm keeps none of it). The other
   * fields are constants Mm accepts (low 0 is below every high).
   */
  readonly #request = {
    lowAddress: 0n,
    highAddress: 0n,
    skipBytes: 0n,
    totalBytes: 0 as number | bigint,
    flags: 0,
  };
  /** The last HighAddress given, and its normalised value: a driver passes the same bound. */
  #givenHigh: unknown = NONE_GIVEN;
  #checkedHigh = 0n;

  /**
   * A stream on `host`'s memory manager, IRQL and clock (shared with the simulator and its
   * other streams); made by `Simulator.stream()`.
   *
   * @internal
   */
  constructor(host: StreamHost) {
    this.#host = host;
  }

  get lastCall(): CallTiming | null {
    if (this.#lastCall === null && this.#lastOperation !== null) {
      this.#lastCall = {
        operation: this.#lastOperation,
        durationNs: this.#lastNs,
        source: "modeled",
      };
    }
    return this.#lastCall;
  }

  allocatePagesForMdl(highAddress: bigint, totalBytes: number | bigint): Mdl | null {
    this.#checkIrql("allocatePagesForMdl");
    if (highAddress !== this.#givenHigh) {
      this.#checkedHigh = checkHighAddress(highAddress, this.#host.pageSize);
      this.#givenHigh = highAddress;
    }
    const request = this.#request;
    request.highAddress = this.#checkedHigh;
    request.totalBytes = checkByteCountValue("totalBytes", totalBytes);
    const mm = this.#host.mm;
    const mdl = mm.allocateChecked(request, "allocatePagesForMdl");
    this.#record("allocatePagesForMdl", mm.lastDurationNs);
    return mdl;
  }

  allocateContiguousPagesForMdl(
    lowAddress: bigint,
    highAddress: bigint,
    totalBytes: number | bigint,
  ): Mdl | null {
    this.#checkIrql("allocateContiguousPagesForMdl");
    checkPhysicalAddress("lowAddress", lowAddress);
    const high = checkHighAddress(highAddress, this.#host.pageSize);
    return this.#timed(
      "allocateContiguousPagesForMdl",
      this.#host.mm.allocatePagesForMdlEx({
        lowAddress,
        highAddress: high,
        skipBytes: 0n,
        totalBytes,
        cacheType: CacheType.NonCached,
        flags: MmAllocateFlags.REQUIRE_CONTIGUOUS_CHUNKS,
      }, "allocateContiguousPagesForMdl"),
    );
  }

  mapAllocatedPages(mdl: Mdl, cacheType: CacheType): bigint | null {
    this.#checkIrql("mapAllocatedPages");
    return this.#timed(
      "mapAllocatedPages",
      this.#host.mm.mapLockedPagesSpecifyCache(mdl, "kernel", cacheType),
    );
  }

  unmapAllocatedPages(baseAddress: bigint, mdl: Mdl): void {
    this.#checkIrql("unmapAllocatedPages");
    this.#timed("unmapAllocatedPages", this.#host.mm.unmapLockedPages(baseAddress, mdl));
  }

  freePagesFromMdl(mdl: Mdl): void {
    this.#checkIrql("freePagesFromMdl");
    const mm = this.#host.mm;
    mm.freeChecked(mdl);
    this.#record("freePagesFromMdl", mm.lastDurationNs);
  }

  getPhysicalPagesCount(mdl: Mdl): number {
    const state = this.#host.mm.liveState(mdl, "getPhysicalPagesCount");
    return Math.ceil(state.byteCount / this.#host.pageSize);
  }

  getPhysicalPageAddress(mdl: Mdl, index: number): bigint {
    const state = this.#host.mm.liveState(mdl, "getPhysicalPageAddress");
    checkIndex("index", index);
    const pages = state.frames.length;
    if (index >= pages) {
      if (this.#host.policies.pageAddressOutOfRange === "zero") return 0n;
      throw new RangeError(`index must be below the MDL's ${pages} pages, got ${index}`);
    }
    return BigInt(state.frames[index]) * BigInt(this.#host.pageSize);
  }

  #checkIrql(operation: StreamOperation): void {
    this.#host.mm.assertOpen(operation);
    const irql = this.#host.irql;
    if (irql !== Irql.PASSIVE_LEVEL) {
      throw new DriverViolation(
        ViolationRules.irqlNotPassive,
        `${operation} called at IRQL ${irql}`,
      );
    }
  }

  #timed<T>(operation: StreamOperation, result: MmResult<T>): T {
    this.#record(operation, result.durationNs);
    return result.value;
  }

  /** Records a call's timing (its {@linkcode lastCall}, built when read) and advances the clock. */
  #record(operation: StreamOperation, durationNs: number): void {
    this.#lastCall = null;
    this.#lastOperation = operation;
    this.#lastNs = durationNs;
    this.#host.clockNs += durationNs;
  }
}
