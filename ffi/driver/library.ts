/**
 * A loaded driver library: its entry ABI and the shim's harness ABI (`native/wrt_harness.h`)
 * through `Deno.dlopen`, and the one `Deno.UnsafeCallback` through which the shim's
 * `IPortWaveRTStream`, pool and IRQL routines reach the running {@linkcode DriverSession}.
 *
 * @module
 */

import type { Simulator } from "../../core/simulator.ts";
import { DriverSession } from "./session.ts";
import { hex } from "../../core/hex.ts";
import { CallSiteNames } from "./call_site_names.ts";
import {
  type BridgeFaults,
  type EntryArguments,
  type EntryOutcome,
  NO_SITE,
} from "./session_records.ts";

const SYMBOLS = {
  wrt_driver_abi_version: { parameters: [], result: "u32" },
  wrth_abi_version: { parameters: [], result: "u32" },
  wrth_begin: { parameters: ["function", "buffer"], result: "i32" },
  wrth_create: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  wrth_allocate: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  wrth_free: { parameters: ["u32", "u64", "u32", "buffer"], result: "i32" },
  wrth_destroy: { parameters: ["buffer"], result: "i32" },
  wrth_end: { parameters: [], result: "void" },
  wrth_demangle: { parameters: ["buffer", "buffer", "u32"], result: "u32" },
  wrth_log: { parameters: ["buffer", "u32"], result: "u32" },
  wrth_peek: { parameters: ["u64", "u32"], result: "u32" },
} as const;

const CALLBACK = {
  parameters: ["u32", "u32", "u64", "u64", "u64", "u32"],
  result: "i64",
} as const;

const ENTRY_ABI_VERSION = 1;
const HARNESS_ABI_VERSION = 2;
const BUGCHECK = -1;

/**
 * A loaded driver library. One case at a time runs on it (the shim's state is per process).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built driver library and --allow-ffi.
 * using library = DriverLibrary.open("ffi/native/build/driver/libminiport_example.so");
 * ```
 */
export class DriverLibrary implements Disposable {
  readonly path: string;
  readonly #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  readonly #callback: Deno.UnsafeCallback<typeof CALLBACK>;
  readonly #control = new ArrayBuffer(64);
  readonly #out = new BigUint64Array(new ArrayBuffer(64));
  readonly #text = new Uint8Array(new ArrayBuffer(1024));
  readonly #file: string;
  #names: CallSiteNames | null = null;
  #session: DriverSession | null = null;
  #closed = false;

  private constructor(path: string) {
    this.path = path;
    this.#lib = Deno.dlopen(path, SYMBOLS);
    const abi = this.#lib.symbols.wrt_driver_abi_version();
    const harness = this.#lib.symbols.wrth_abi_version();
    if (abi !== ENTRY_ABI_VERSION || harness !== HARNESS_ABI_VERSION) {
      this.#lib.close();
      throw new RangeError(
        `${path}: entry ABI ${abi} and harness ABI ${harness}, expected ` +
          `${ENTRY_ABI_VERSION} and ${HARNESS_ABI_VERSION} (rebuild it with buildDriverLibrary)`,
      );
    }
    this.#file = path.slice(path.lastIndexOf("/") + 1);
    this.#callback = new Deno.UnsafeCallback(
      CALLBACK,
      // Deno takes a number or a bigint for an i64 result; numbers avoid a BigInt per call.
      (opIrql, handle, a, b, c, site) =>
        (this.#session?.dispatch(opIrql, handle, a, b, c, site) ?? BUGCHECK) as bigint,
    );
  }

  /** Loads a driver library built by `buildDriverLibrary`. */
  static open(path: string): DriverLibrary {
    return new DriverLibrary(path);
  }

  /** Starts a case on `simulator`'s stream; end it with `session.end()`. */
  begin(simulator: Simulator, faults: BridgeFaults = {}): DriverSession {
    if (this.#closed) throw new Error("the driver library is closed");
    if (this.#session) throw new Error("a case is already running on this library");
    if (simulator.pageSize !== 4096) {
      throw new RangeError(`the driver harness needs 4096-byte pages, got ${simulator.pageSize}`);
    }
    const session = new DriverSession(this, simulator, faults, this.#control);
    this.#session = session;
    if (this.#lib.symbols.wrth_begin(this.#callback.pointer, new Uint8Array(this.#control)) !== 0) {
      this.#session = null;
      throw new Error(`${this.path}: wrth_begin failed (dladdr)`);
    }
    return session;
  }

  /** @internal Used by the session. */
  entry(call: "create" | "allocate" | "free" | "destroy", args: EntryArguments): EntryOutcome {
    const s = this.#lib.symbols;
    const out = this.#out;
    let stopped: number;
    if (call === "create") stopped = s.wrth_create(args.format!, args.parameters!, out);
    else if (call === "allocate") stopped = s.wrth_allocate(args.a!, args.b!, out);
    else if (call === "free") stopped = s.wrth_free(args.a!, args.mdl!, args.b!, out);
    else stopped = s.wrth_destroy(out);
    return {
      stopped: stopped !== 0,
      status: Number(out[0] & 0xffff_ffffn) | 0,
      mdl: out[1],
      handle: Number(out[2]),
      actualSize: Number(out[3]),
      offset: Number(out[4]),
      cacheType: Number(out[5] & 0xffff_ffffn) | 0,
      irql: Number(out[6]),
    };
  }

  /** @internal Ends the current session's native state. */
  end(session: DriverSession): void {
    if (this.#session !== session) return;
    this.#lib.symbols.wrth_end();
    this.#session = null;
  }

  /** "function+0xNN (library+0xSITE)" for a call site: its name, and where it is in this build. */
  symbolize(site: number): string {
    const name = this.siteName(site);
    return name.startsWith(this.#file) || site === NO_SITE
      ? name
      : `${name} (${this.#file}+${hex(site)})`;
  }

  /** A call site as `function+0xNN`, the same in any build of the same source. */
  siteName(site: number): string {
    return this.#siteNames().name(site);
  }

  /** The site (library offset) of a `function+0xNN` name in this build; a number as it is. */
  resolveSite(site: string | number): number {
    return this.#siteNames().resolve(site);
  }

  #siteNames(): CallSiteNames {
    this.#names ??= CallSiteNames.read(this.path, (symbol) => this.#demangle(symbol));
    return this.#names;
  }

  #demangle(symbol: string): string {
    const name = new TextEncoder().encode(symbol + "\0");
    let text = this.#text;
    const n = this.#lib.symbols.wrth_demangle(name, text, text.length);
    if (n >= text.length) {
      text = new Uint8Array(new ArrayBuffer(n + 1));
      this.#lib.symbols.wrth_demangle(name, text, text.length);
    }
    return new TextDecoder().decode(text.subarray(0, n));
  }

  /** The DbgPrint output of the current case. */
  log(): string {
    const n = this.#lib.symbols.wrth_log(this.#text, this.#text.length);
    if (n < this.#text.length) return new TextDecoder().decode(this.#text.subarray(0, n));
    const big = new Uint8Array(new ArrayBuffer(n + 1));
    this.#lib.symbols.wrth_log(big, big.length);
    return new TextDecoder().decode(big.subarray(0, n));
  }

  /** Byte `offset` of an MDL's native mapping, or null when it is not mapped. */
  peek(mdl: bigint, offset: number): number | null {
    const value = this.#lib.symbols.wrth_peek(mdl, offset);
    return value === 0x100 ? null : value;
  }

  close(): void {
    if (this.#closed) return;
    if (this.#session) this.end(this.#session);
    this.#closed = true;
    this.#callback.close();
    this.#lib.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
