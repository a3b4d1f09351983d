/**
 * The hardware backend: the same stream surface as the simulator, served by the native helper
 * with real locked pages, their true frame numbers and per-call durations measured in native
 * code. Misuse the helper can see is reported as the simulator's {@linkcode DriverViolation}s.
 *
 * @module
 */

import { describe } from "../core/arguments.ts";
import type { Backend, BackendCapabilities, BackendLimits, Leak, Mdl } from "../core/backend.ts";
import { type MachineLayout, validateMachine } from "../core/machine.ts";
import { DriverViolation, ViolationRules } from "../core/violations.ts";
import { HelperStatus } from "./helper_error.ts";
import { hostCapabilities, hostLimits } from "./host_capabilities.ts";
import { type HostInfo, queryHost } from "./host_info.ts";
import { HostMdlTable } from "./host_mdl.ts";
import { HostStream } from "./host_stream.ts";
import { HelperLibrary } from "./library.ts";
import {
  BudgetedCalls,
  chooseLockedBudget,
  type LockedBudget,
  memoryAvailable,
} from "./locked_budget.ts";
import type { NativeCalls } from "./native_calls.ts";
import { ResultWord } from "./symbols.ts";

/**
 * Every backend of this thread not yet closed: closed when the thread's event loop unloads (a
 * Worker closing itself, the main module ending). A thread that ends without unloading (a Worker
 * terminated) is covered in the helper, which closes a thread's contexts when the thread exits.
 */
const open = new Set<WeakRef<HostBackend>>();
globalThis.addEventListener?.("unload", () => closeAllHostBackends());

/**
 * Closes every host backend this thread still has open; returns how many it closed.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * openHostBackend().stream().allocatePagesForMdl(0xFFFFFFFFn, 4096);
 * closeAllHostBackends(); // 1: the pages are unlocked
 * ```
 */
export function closeAllHostBackends(): number {
  let closed = 0;
  for (const ref of [...open]) {
    const backend = ref.deref();
    open.delete(ref);
    if (backend !== undefined && !backend.closed) {
      backend.close();
      closed++;
    }
  }
  return closed;
}

/** Closes a backend's native context if the backend is collected without `close()`. */
const unclosed = new FinalizationRegistry<{ calls: NativeCalls; lib: HelperLibrary }>(
  ({ calls, lib }) => {
    calls.close();
    lib.close();
  },
);

/**
 * Options of {@linkcode openHostBackend}.
 *
 * @example
 * ```ts
 * const options: HostBackendOptions = { path: "/opt/wavert/libwavert_helper.so" };
 * ```
 */
export interface HostBackendOptions {
  /** Helper library path; default `WAVERT_HELPER_PATH`, then the locally built file. */
  readonly path?: string;
  /**
   * Most bytes the backend holds locked at once (null: unlimited); default
   * `WAVERT_LOCKED_BUDGET`, else a quarter of MemAvailable (see `ffi/locked_budget.ts`).
   */
  readonly lockedBudgetBytes?: number | null;
  /**
   * Clamp requests above 4 GB − PAGE_SIZE to that size, as Windows returns them partial, instead
   * of refusing them with a `RangeError`: on this backend the clamp locks real memory.
   */
  readonly allowOversizedRequests?: boolean;
}

/**
 * The host backend: the Linux helper, or on Windows the bridge to the WaveRT test driver. Create
 * it with {@linkcode openHostBackend}.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * if (!backend.capabilities.frameNumbers.available) {
 *   console.log("frame numbers unavailable:", backend.capabilities.frameNumbers.reason);
 * }
 * ```
 */
export class HostBackend implements Backend {
  /** `"linux-host"`, or `"windows-wavert"` when the helper is the Windows bridge. */
  readonly name: string;
  readonly pageSize: number;
  /** What this machine allows: frame numbers, bounds, contiguity, cache types, timing. */
  readonly capabilities: BackendCapabilities;
  readonly limits: BackendLimits;
  /** What the helper reported about this machine when the backend was opened. */
  readonly host: HostInfo;
  /**
   * The loaded helper.
   *
   * @internal
   */
  readonly library: HelperLibrary;
  /** Whether requests above 4 GB − PAGE_SIZE are clamped rather than refused. */
  readonly allowsOversizedRequests: boolean;
  /** The locked-memory budget and the rule that chose it. */
  readonly lockedBudget: LockedBudget;
  readonly #calls: NativeCalls;
  readonly #mdls = new HostMdlTable(this);
  readonly #ref = new WeakRef(this);
  #closed = false;

  /** Loads the helper and opens its native context; prefer {@linkcode openHostBackend}. */
  constructor(options: HostBackendOptions = {}) {
    const lib = HelperLibrary.open(options.path);
    try {
      this.host = queryHost(lib);
      const out = new BigUint64Array(ResultWord.length);
      const status = lib.symbols.wrt_context_open(out);
      if (status !== HelperStatus.OK) throw lib.error("wrt_context_open", status);
      this.pageSize = this.host.pageSize;
      const context = out[ResultWord.handle];
      try {
        this.lockedBudget = chooseLockedBudget(
          options.lockedBudgetBytes,
          memoryAvailable(lib),
          this.pageSize,
        );
        this.#calls = new BudgetedCalls(
          lib,
          context,
          this.pageSize,
          this.lockedBudget,
          hostLimits(this.host).contiguousUnitBytes,
        );
      } catch (e) {
        lib.symbols.wrt_context_close(context, out);
        throw e;
      }
    } catch (e) {
      lib.close();
      throw e;
    }
    this.library = lib;
    this.name = Deno.build.os === "windows" ? "windows-wavert" : "linux-host";
    this.capabilities = hostCapabilities(this.host, Deno.build.os);
    this.limits = {
      ...hostLimits(this.host),
      lockedBudgetBytes: this.lockedBudget.bytes,
      lockedBudgetRule: this.lockedBudget.rule,
    };
    this.allowsOversizedRequests = options.allowOversizedRequests ?? false;
    unclosed.register(this, { calls: this.#calls, lib }, this);
    open.add(this.#ref);
  }

  /** Whether {@linkcode close} has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** A stream surface; all streams share this backend's allocations. */
  stream(): HostStream {
    if (this.#closed) throw new Error("the linux-host backend is closed");
    return new HostStream(this, this.#calls, this.#mdls);
  }

  /** Live allocations and the bytes they hold locked, as the helper counts them. */
  stats(): { allocations: number; lockedBytes: number } {
    this.#checkOpen();
    return this.#calls.stats();
  }

  /**
   * Bytes of memory the whole process holds locked (`VmLck`), read by the helper because Deno
   * needs --allow-all to read `/proc/self/status`.
   *
   * @example
   * ```ts ignore
   * // Not run as a doc test: it needs the built helper (deno task build:ffi).
   * using backend = openHostBackend();
   * const baseline = backend.processLockedBytes();
   * ```
   */
  processLockedBytes(): number {
    this.#checkOpen();
    return this.#calls.processLocked();
  }

  /**
   * This machine's physical RAM ranges (the top-level "System RAM" lines of `/proc/iomem`, trimmed
   * to whole pages), read by the helper because Deno needs --allow-all to read that file. Null,
   * without throwing, when the kernel hides physical addresses (no CAP_SYS_ADMIN) or the helper
   * offers no ranges (the Windows bridge); other failures throw the usual `HelperError`.
   *
   * @example
   * ```ts ignore
   * // Not run as a doc test: it needs the built helper (deno task build:ffi).
   * using backend = openHostBackend();
   * const machine = backend.ramLayout(); // { pageSize: 4096, ranges: [{ base: 0x1000n, ... }] }
   * if (machine === null) console.log("RAM ranges unavailable: the map is drawn without them");
   * ```
   */
  ramLayout(): MachineLayout | null {
    this.#checkOpen();
    const ranges = this.#calls.hostRam();
    return ranges === null ? null : validateMachine({ pageSize: this.pageSize, ranges });
  }

  /**
   * Reads the MDL's frame numbers again from the page tables, to check they have not moved.
   *
   * @example
   * ```ts ignore
   * // Not run as a doc test: it needs the built helper (deno task build:ffi).
   * using backend = openHostBackend();
   * const mdl = backend.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
   * const now = backend.queryFrames(mdl); // equals mdl.pfns while the pages are locked
   * backend.stream().freePagesFromMdl(mdl);
   * ```
   */
  queryFrames(mdl: Mdl): number[] {
    this.#checkOpen();
    const record = this.#mdls.recordOf(mdl);
    if (record === undefined || record.owner !== this || record.freed) {
      throw new TypeError(`mdl must be a live MDL of this backend, got ${describe(mdl)}`);
    }
    const frames = this.#calls.queryFrames(record.handle, record.frames.length);
    return Array.from(frames.subarray(0, record.frames.length), Number);
  }

  /** MDLs allocated and never freed, oldest first. */
  leaks(): Leak[] {
    return this.#mdls.leaks();
  }

  /** Throws a `leaked-pages` {@linkcode DriverViolation} when any MDL is still allocated. */
  assertNoLeaks(): void {
    const leaks = this.leaks();
    if (leaks.length === 0) return;
    const list = leaks.map((l) => `MDL #${l.mdlId} (${l.byteCount} bytes)`).join(", ");
    throw new DriverViolation(
      ViolationRules.leakedPages,
      `${leaks.length} MDL(s) never freed: ${list}`,
    );
  }

  /** Frees every allocation still held and unloads the helper; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unclosed.unregister(this);
    open.delete(this.#ref);
    this.#mdls.forgetAll();
    try {
      this.#calls.close();
    } finally {
      this.library.close();
    }
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("the linux-host backend is closed");
  }
}

/**
 * Loads the helper and opens a backend on this machine.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * using backend = openHostBackend();
 * const stream = backend.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * if (mdl !== null) stream.freePagesFromMdl(mdl);
 * ```
 */
export function openHostBackend(options: HostBackendOptions = {}): HostBackend {
  return new HostBackend(options);
}
