/**
 * The host backend's stream surface: argument checks, the rule book, then the native call, with
 * the duration the helper measured.
 *
 * @module
 */

import {
  checkByteCount,
  checkCacheType,
  checkHighAddress,
  checkIndex,
  checkPhysicalAddress,
  describe,
} from "../core/arguments.ts";
import type { CallTiming, Mdl, StreamOperation, WaveRtStream } from "../core/backend.ts";
import { type CacheType, maxBytesPerCall, MdlFlags } from "../core/constants.ts";
import { checkFreeable, checkLiveMdl, checkNotMapped, checkUnmap } from "../core/mdl_lifecycle.ts";
import { HelperStatus } from "./helper_error.ts";
import type { HelperLibrary } from "./library.ts";
import { type HostMdlRecord, type HostMdlTable, mappingsOf } from "./host_mdl.ts";
import type { NativeCalls } from "./native_calls.ts";
import { RESULT_FRAMES_VALID, ResultWord } from "./symbols.ts";

/**
 * What a host stream needs of the backend that opened it (`HostBackend`).
 *
 * @example
 * ```ts
 * const owner = (b: StreamOwner) => `${b.pageSize}-byte pages, closed: ${b.closed}`;
 * ```
 */
export interface StreamOwner {
  /** The host's page size in bytes. */
  readonly pageSize: number;
  /** Whether the backend was closed. */
  readonly closed: boolean;
  /** Whether requests above 4 GB − PAGE_SIZE are passed on instead of refused. */
  readonly allowsOversizedRequests: boolean;
  /** The loaded helper, for its status messages. */
  readonly library: HelperLibrary;
}

/**
 * A stream on the host backend. Obtain one with `backend.stream()`.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * const stream = backend.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4 * 4096)!;
 * stream.lastCall?.durationNs; // measured in the helper
 * stream.freePagesFromMdl(mdl);
 * ```
 */
export class HostStream implements WaveRtStream {
  readonly #backend: StreamOwner;
  readonly #call: NativeCalls;
  readonly #mdls: HostMdlTable;
  #lastCall: CallTiming | null = null;

  /** Made by `backend.stream()`: the backend's native calls and its table of MDLs. */
  constructor(backend: StreamOwner, call: NativeCalls, mdls: HostMdlTable) {
    this.#backend = backend;
    this.#call = call;
    this.#mdls = mdls;
  }

  get lastCall(): CallTiming | null {
    return this.#lastCall;
  }

  allocatePagesForMdl(highAddress: bigint, totalBytes: number | bigint): Mdl | null {
    this.#checkOpen();
    const high = checkHighAddress(highAddress, this.#backend.pageSize);
    const total = this.#checkTotal(totalBytes);
    if (total === 0n) return null;
    const { status, out, frames } = this.#call.allocate(high, total);
    return this.#allocated("allocatePagesForMdl", status, out, frames);
  }

  allocateContiguousPagesForMdl(
    lowAddress: bigint,
    highAddress: bigint,
    totalBytes: number | bigint,
  ): Mdl | null {
    this.#checkOpen();
    checkPhysicalAddress("lowAddress", lowAddress);
    const high = checkHighAddress(highAddress, this.#backend.pageSize);
    const total = this.#checkTotal(totalBytes);
    if (lowAddress > high) {
      throw new RangeError(
        `lowAddress must not exceed highAddress, got ${lowAddress} > ${highAddress}`,
      );
    }
    if (total === 0n) return null;
    const { status, out, frames } = this.#call.allocateContiguous(lowAddress, high, total);
    if (status === HelperStatus.NOT_CONTIGUOUS) {
      this.#timed("allocateContiguousPagesForMdl", out);
      return null;
    }
    return this.#allocated("allocateContiguousPagesForMdl", status, out, frames);
  }

  mapAllocatedPages(mdl: Mdl, cacheType: CacheType): bigint | null {
    const record = this.#live(mdl, "mapAllocatedPages");
    checkCacheType("cacheType", cacheType);
    checkNotMapped(record, record.mappedAt);
    const out = this.#call.map(record.handle, cacheType);
    this.#timed("mapAllocatedPages", out);
    record.mappedAt = out[ResultWord.address];
    record.mdlFlags |= MdlFlags.MAPPED_TO_SYSTEM_VA;
    return record.mappedAt;
  }

  unmapAllocatedPages(baseAddress: bigint, mdl: Mdl): void {
    const record = this.#live(mdl, "unmapAllocatedPages");
    if (typeof baseAddress !== "bigint") {
      throw new TypeError(`baseAddress must be a bigint, got ${describe(baseAddress)}`);
    }
    checkUnmap(record, mappingsOf(record), baseAddress);
    this.#timed("unmapAllocatedPages", this.#call.unmap(record.handle, baseAddress));
    record.mappedAt = null;
    record.mdlFlags &= ~MdlFlags.MAPPED_TO_SYSTEM_VA;
  }

  freePagesFromMdl(mdl: Mdl): void {
    const record = this.#live(mdl, "freePagesFromMdl");
    checkFreeable(record, mappingsOf(record));
    this.#timed("freePagesFromMdl", this.#call.free(record.handle));
    this.#mdls.forget(record);
  }

  getPhysicalPagesCount(mdl: Mdl): number {
    const record = this.#live(mdl, "getPhysicalPagesCount");
    return Math.ceil(record.byteCount / this.#backend.pageSize);
  }

  getPhysicalPageAddress(mdl: Mdl, index: number): bigint {
    const record = this.#live(mdl, "getPhysicalPageAddress");
    checkIndex("index", index);
    const pages = record.frames.length;
    if (index >= pages) {
      throw new RangeError(`index must be below the MDL's ${pages} pages, got ${index}`);
    }
    return BigInt(record.frames[index]) * BigInt(this.#backend.pageSize);
  }

  /** MDL calls need no check: close() marks every MDL freed, so they raise use-after-free. */
  #checkOpen(): void {
    if (this.#backend.closed) throw new Error("the linux-host backend is closed");
  }

  /**
   * The byte count to ask for: larger requests are refused, or clamped (as Windows returns them
   * partial) when the backend was opened with `allowOversizedRequests`.
   */
  #checkTotal(totalBytes: unknown): bigint {
    const total = checkByteCount("totalBytes", totalBytes);
    const max = BigInt(maxBytesPerCall(this.#backend.pageSize));
    if (total > max && !this.#backend.allowsOversizedRequests) {
      throw new RangeError(
        `totalBytes must be at most ${max} (4 GB − PAGE_SIZE, the most one call allocates), ` +
          `got ${total}: clamping it would lock ${max} bytes of real memory; open the backend ` +
          "with { allowOversizedRequests: true } to clamp as Windows does",
      );
    }
    return total > max ? max : total;
  }

  #allocated(
    operation: StreamOperation,
    status: number,
    out: BigUint64Array,
    frames: BigUint64Array,
  ): Mdl | null {
    this.#timed(operation, out);
    if (status === HelperStatus.NO_MEMORY) return null;
    if (status !== HelperStatus.OK) {
      throw this.#backend.library.error(operation, status, Number(out[ResultWord.sysErrno]));
    }
    const byteCount = Number(out[ResultWord.byteCount]);
    const pages = byteCount / this.#backend.pageSize;
    const copy = new Array<number>(pages);
    const valid = (out[ResultWord.flags] & RESULT_FRAMES_VALID) !== 0n;
    for (let i = 0; i < pages; i++) copy[i] = valid ? Number(frames[i]) : 0;
    return this.#mdls.add(operation, out[ResultWord.handle], Object.freeze(copy), byteCount);
  }

  #timed(operation: StreamOperation, out: BigUint64Array): void {
    this.#lastCall = {
      operation,
      durationNs: Number(out[ResultWord.durationNs]),
      source: "measured",
    };
  }

  #live(mdl: Mdl, operation: string): HostMdlRecord {
    return checkLiveMdl(mdl, this.#mdls.recordOf(mdl), this.#backend, operation, "host backend");
  }
}
