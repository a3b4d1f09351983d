/**
 * The native helper's calls for one backend context, with the buffers native code writes into.
 *
 * @module
 */

import type { RamRange } from "../core/machine.ts";
import { HelperStatus } from "./helper_error.ts";
import type { HelperLibrary } from "./library.ts";
import { type HelperSymbols, ResultWord } from "./symbols.ts";

/**
 * What an allocation call returns: the status, the result words and the frame buffer.
 *
 * @example
 * ```ts
 * import { ResultWord } from "./symbols.ts";
 * const result: NativeAllocation = {
 *   status: 0, out: new BigUint64Array(ResultWord.length), frames: new BigUint64Array(1),
 * };
 * ```
 */
export interface NativeAllocation {
  readonly status: number;
  readonly out: BigUint64Array;
  readonly frames: BigUint64Array;
}

/**
 * The native calls of one backend context, with the buffers they write into. The buffers are
 * fields, so they live exactly as long as the backend that native code writes them for.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * import { ResultWord } from "./symbols.ts";
 * using lib = HelperLibrary.open();
 * const out = new BigUint64Array(ResultWord.length);
 * lib.symbols.wrt_context_open(out);
 * const calls = new NativeCalls(lib, out[ResultWord.handle], 4096);
 * const { status } = calls.allocate(0xFFFFFFFFn, 4096n); // HelperStatus.OK
 * calls.close(); // frees what the context still holds
 * ```
 */
export class NativeCalls {
  readonly #lib: HelperLibrary;
  readonly #symbols: HelperSymbols;
  readonly #context: bigint;
  readonly #pageSize: bigint;
  readonly #out = new BigUint64Array(ResultWord.length);
  #frames = new BigUint64Array(64);

  constructor(lib: HelperLibrary, context: bigint, pageSize: number) {
    this.#lib = lib;
    this.#symbols = lib.symbols;
    this.#context = context;
    this.#pageSize = BigInt(pageSize);
  }

  /** `wrt_allocate_pages`: pages at or below `high`. */
  allocate(high: bigint, total: bigint): NativeAllocation {
    return this.#allocate(null, high, total);
  }

  /** `wrt_allocate_contiguous`: one physical run inside [low, high]. */
  allocateContiguous(low: bigint, high: bigint, total: bigint): NativeAllocation {
    return this.#allocate(low, high, total);
  }

  map(handle: bigint, cacheType: number): BigUint64Array {
    return this.#checked(
      "wrt_map",
      this.#symbols.wrt_map(this.#context, handle, cacheType, this.#out),
    );
  }

  unmap(handle: bigint, base: bigint): BigUint64Array {
    return this.#checked(
      "wrt_unmap",
      this.#symbols.wrt_unmap(this.#context, handle, base, this.#out),
    );
  }

  free(handle: bigint): BigUint64Array {
    return this.#checked("wrt_free", this.#symbols.wrt_free(this.#context, handle, this.#out));
  }

  queryFrames(handle: bigint, pages: number): BigUint64Array {
    const frames = this.#framesFor(BigInt(pages) * this.#pageSize);
    this.#checked(
      "wrt_query_frames",
      this.#symbols.wrt_query_frames(
        this.#context,
        handle,
        frames,
        BigInt(frames.length),
        this.#out,
      ),
    );
    return frames;
  }

  stats(): { allocations: number; lockedBytes: number } {
    this.#checked("wrt_context_stats", this.#symbols.wrt_context_stats(this.#context, this.#out));
    return {
      allocations: Number(this.#out[ResultWord.handle]),
      lockedBytes: Number(this.#out[ResultWord.byteCount]),
    };
  }

  processLocked(): number {
    this.#checked("wrt_process_locked", this.#symbols.wrt_process_locked(this.#out));
    return Number(this.#out[ResultWord.byteCount]);
  }

  /**
   * The RAM ranges the helper reads from /proc/iomem, or null when this machine will not say
   * (addresses hidden without CAP_SYS_ADMIN, or no such list). The buffer grows to the count the
   * helper asks for; a few retries cover RAM hot-plugged between two calls.
   */
  hostRam(): RamRange[] | null {
    let slots = 64;
    for (let attempt = 0; attempt < 4; attempt++) {
      const ranges = new BigUint64Array(slots);
      const status = this.#symbols.wrt_host_ram(ranges, BigInt(slots), this.#out);
      if (status === HelperStatus.ADDRESSES_HIDDEN || status === HelperStatus.UNSUPPORTED) {
        return null;
      }
      const count = Number(this.#out[ResultWord.byteCount]);
      if (status === HelperStatus.BUFFER_TOO_SMALL) {
        slots = 2 * count;
        continue;
      }
      this.#checked("wrt_host_ram", status);
      return Array.from({ length: count }, (_, i) => ({
        base: ranges[2 * i],
        length: ranges[2 * i + 1],
      }));
    }
    throw new Error(
      `wrt_host_ram kept asking for a bigger buffer (last ${slots / 2} ranges): ` +
        "the RAM layout changed on every read",
    );
  }

  close(): void {
    this.#checked("wrt_context_close", this.#symbols.wrt_context_close(this.#context, this.#out));
  }

  #allocate(low: bigint | null, high: bigint, total: bigint): NativeAllocation {
    const frames = this.#framesFor(total);
    const capacity = BigInt(frames.length);
    const status = low === null
      ? this.#symbols.wrt_allocate_pages(this.#context, high, total, frames, capacity, this.#out)
      : this.#symbols.wrt_allocate_contiguous(
        this.#context,
        low,
        high,
        total,
        frames,
        capacity,
        this.#out,
      );
    return { status, out: this.#out, frames };
  }

  /** The frame buffer, grown (and then kept) when a request needs more pages than it holds. */
  #framesFor(total: bigint): BigUint64Array {
    const pages = Number((total + this.#pageSize - 1n) / this.#pageSize);
    if (this.#frames.length < pages) this.#frames = new BigUint64Array(pages);
    return this.#frames;
  }

  #checked(call: string, status: number): BigUint64Array {
    if (status !== HelperStatus.OK) {
      throw this.#lib.error(call, status, Number(this.#out[ResultWord.sysErrno]));
    }
    return this.#out;
  }
}
