/**
 * One case's connection between a driver and a simulator stream: dispatches the driver's port
 * and pool calls to the simulator, injects the faults keyed by native call sites, materialises
 * MDLs for the shim, and keeps the record the contract checks read (every MDL, mapping and pool
 * block, which driver call made it, and from which call site). A `DriverViolation` inside a
 * callback stops the driver call like a bug check.
 *
 * @module
 */
import type { Mdl, WaveRtStream } from "../../core/backend.ts";
import type { CacheType } from "../../core/constants.ts";
import type { Simulator } from "../../core/simulator.ts";
import { seededRandom } from "../../core/random.ts";
import { type DriverFinding, DriverRules, findingOf } from "./findings.ts";
import { checkFinding, Op, OP_NAMES, stopFinding, tagName } from "./port_ops.ts";
import type {
  BridgeFaults,
  EntryArguments,
  EntryOutcome,
  FaultSite,
  MdlRecord,
  PoolRecord,
} from "./session_records.ts";

/** One call of the shim's port callback (`native/wrt_harness.h`), its operation decoded. */
type PortCall = (
  op: number,
  handle: number,
  a: number | bigint,
  b: number | bigint,
  c: number | bigint,
  site: number,
) => number | bigint;

const BUGCHECK = -1;
const ANY_TAG = 0xffff_ffff_ffff_ffffn;
const FOREIGN: Mdl = Object.freeze({
  byteCount: 0,
  byteOffset: 0,
  startVa: 0n,
  mdlFlags: 0,
  mappedSystemVa: null,
  pfns: [],
});

/**
 * What a session needs of the library that began it: running an entry, and ending the case.
 *
 * @example
 * ```ts
 * const idle: SessionLibrary = {
 *   entry: () => ({ status: 0, stopped: 0 }) as never,
 *   end() {},
 *   symbolize: (site) => `+0x${site.toString(16)}`,
 *   peek: () => null,
 * };
 * ```
 */
export interface SessionLibrary {
  /** Runs one entry of the driver's ABI. */
  entry(call: "create" | "allocate" | "free" | "destroy", args: EntryArguments): EntryOutcome;
  /** Frees the native side of `session`'s case. */
  end(session: DriverSession): void;
  /** The driver function and offset a call-site value lies in, and where it is in the build. */
  symbolize(site: number): string;
  /** One byte of an MDL's mapped buffer, or null when it is not readable. */
  peek(mdl: bigint, offset: number): number | null;
}

/**
 * One case's connection between the driver and a simulator stream: dispatches the driver's port
 * and pool calls, injects the bridge's faults and keeps the record of what the driver holds.
 * Obtain one with `DriverLibrary.begin` (`library.ts`).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and --allow-ffi.
 * using sim = new Simulator();
 * const session = library.begin(sim);
 * try {
 *   session.create(format, "");
 * } finally {
 *   session.end();
 * }
 * ```
 */
export class DriverSession {
  readonly library: SessionLibrary;
  readonly simulator: Simulator;
  readonly stream: WaveRtStream;
  readonly mdls: (MdlRecord | undefined)[] = [undefined];
  readonly pool: (PoolRecord | undefined)[] = [undefined];
  readonly sites = new Map<number, FaultSite>();
  /** Which driver call is running: resources it creates are tagged with it. */
  epoch = 0;
  /** Step index for findings. */
  step = -1;
  /** Why the driver was stopped, once it was. */
  stop: DriverFinding | null = null;
  /** Port calls (IPortWaveRTStream methods) so far. */
  portCalls = 0;
  /** Faults the bridge injected so far. */
  injected = 0;
  /** Most pages the driver held at once. */
  peakPages = 0;
  #heldPages = 0;
  readonly #faults: BridgeFaults;
  readonly #random: () => number;
  readonly #control32: Uint32Array;
  #pfns: Uint32Array;

  constructor(
    library: SessionLibrary,
    simulator: Simulator,
    faults: BridgeFaults,
    control: ArrayBuffer,
  ) {
    this.library = library;
    this.simulator = simulator;
    this.stream = simulator.stream();
    this.#faults = faults;
    this.#random = seededRandom(faults.seed ?? 1);
    this.#control32 = new Uint32Array(control);
    this.#pfns = this.#growPfns(256);
  }

  /** Runs a driver entry with this session's epoch. */
  call(
    call: "create" | "allocate" | "free" | "destroy",
    args: EntryArguments,
  ): EntryOutcome {
    this.epoch++;
    return this.library.entry(call, args);
  }

  /** Frees the native side of the case (every MDL, mapping and pool block). */
  end(): void {
    this.library.end(this);
  }

  /** @internal The port callback: `op` carries the IRQL in its second byte. */
  readonly dispatch: PortCall = (opIrql, handle, a, b, c, site) => {
    const op = opIrql & 0xff;
    const irql = opIrql >>> 8;
    try {
      if (irql !== 0 && op <= Op.pageAddress) {
        return this.simulator.withIrql(irql, () => this.#port(op, handle, a, b, c, site));
      }
      return this.#port(op, handle, a, b, c, site);
    } catch (e) {
      this.stop = stopFinding(e, op, site, this.step);
      return BUGCHECK;
    }
  };

  readonly #port: PortCall = (op, handle, a, b, c, site) => {
    if (op <= Op.pageAddress) this.portCalls++;
    const record = this.mdls[handle];
    const mdl = record?.mdl ?? FOREIGN;
    switch (op) {
      case Op.allocate:
      case Op.allocateContiguous: {
        if (this.#inject(op, site)) return 0;
        const allocated = op === Op.allocate
          ? this.stream.allocatePagesForMdl(BigInt(a), BigInt(c))
          : this.stream.allocateContiguousPagesForMdl(BigInt(a), BigInt(b), BigInt(c));
        return allocated === null ? 0 : this.#materialise(allocated, site);
      }
      case Op.map: {
        if (this.#inject(op, site)) return 0;
        const va = this.stream.mapAllocatedPages(mdl, (Number(a) | 0) as CacheType);
        if (va === null || record === undefined) return 0;
        record.simVa = va;
        record.cacheType = Number(a) | 0;
        this.#writeFields(record.mdl);
        return 1;
      }
      case Op.unmap: {
        const va = Number(a) === 1 && record?.simVa != null ? record.simVa : 0n;
        this.stream.unmapAllocatedPages(va, mdl);
        if (record) {
          record.simVa = null;
          record.cacheType = null;
          this.#writeFields(record.mdl);
        }
        return 0;
      }
      case Op.free:
        this.stream.freePagesFromMdl(mdl);
        if (record) {
          record.freed = true;
          this.#heldPages -= record.pages;
        }
        return 0;
      case Op.pageCount:
        return this.stream.getPhysicalPagesCount(mdl);
      case Op.pageAddress:
        return this.stream.getPhysicalPageAddress(mdl, Number(a));
      case Op.poolAllocate: {
        if (this.#inject(op, site)) return 0;
        const id = this.pool.length;
        this.pool.push({
          id,
          bytes: Number(a),
          tag: Number(b),
          site,
          epoch: this.epoch,
          freed: false,
        });
        return id;
      }
      case Op.poolFree:
        return this.#poolFree(handle, BigInt(a), site);
      case Op.check:
        throw checkFinding(Number(a), Number(b));
      default:
        throw new RangeError(`unknown port operation ${op}`);
    }
  };

  #poolFree(id: number, tag: bigint, site: number): number {
    const block = this.pool[id];
    if (block === undefined) {
      throw findingOf(DriverRules.poolForeignFree, "the address is no pool block", { site });
    }
    if (block.freed) {
      throw findingOf(DriverRules.poolDoubleFree, `pool block #${id} (${block.bytes} bytes)`, {
        site,
      });
    }
    if (tag !== ANY_TAG && Number(tag) !== block.tag) {
      throw findingOf(
        DriverRules.poolTagMismatch,
        `block #${id} has tag ${tagName(block.tag)}, freed with ${tagName(Number(tag))}`,
        { site },
      );
    }
    block.freed = true;
    return 0;
  }

  #inject(op: number, site: number): boolean {
    let entry = this.sites.get(site);
    if (entry === undefined) {
      entry = { site, operation: OP_NAMES[op], calls: 0 };
      this.sites.set(site, entry);
    }
    const occurrence = ++entry.calls;
    const faults = this.#faults;
    const fail = (faults.systematic === true && occurrence === 1) ||
      (faults.failSites?.some((f) => f.site === site && f.occurrence === occurrence) ?? false) ||
      (op === Op.poolAllocate && (faults.poolProbability ?? 0) > 0 &&
        this.#random() < faults.poolProbability!);
    if (fail) this.injected++;
    return fail;
  }

  #materialise(mdl: Mdl, site: number): number {
    const handle = this.mdls.length;
    const pages = mdl.pfns.length;
    this.mdls.push({
      handle,
      mdl,
      pages,
      site,
      epoch: this.epoch,
      simVa: null,
      cacheType: null,
      freed: false,
    });
    this.#heldPages += pages;
    if (this.#heldPages > this.peakPages) this.peakPages = this.#heldPages;
    if (pages * 2 > this.#pfns.length) this.#pfns = this.#growPfns(pages * 2);
    const pfns = this.#pfns;
    for (let i = 0; i < pages; i++) {
      const pfn = mdl.pfns[i];
      pfns[2 * i] = pfn >>> 0;
      pfns[2 * i + 1] = Math.floor(pfn / 0x1_0000_0000);
    }
    this.#control32[4] = pages;
    this.#writeFields(mdl);
    return handle;
  }

  #writeFields(mdl: Mdl): void {
    this.#control32[0] = mdl.byteCount;
    this.#control32[2] = mdl.mdlFlags;
  }

  #growPfns(words: number): Uint32Array {
    const pfns = new Uint32Array(new ArrayBuffer(Math.max(words, 256) * 8));
    const pointer = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(pfns)));
    this.#control32[6] = Number(pointer & 0xffff_ffffn);
    this.#control32[7] = Number(pointer >> 32n);
    return pfns;
  }
}
