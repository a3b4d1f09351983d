/**
 * One driver case, in this process: builds a simulator, creates the driver's stream around the
 * bridge's `IPortWaveRTStream`, runs the buffer steps, checks each result against the contract,
 * destroys the stream and checks nothing is left. Everything native and simulated is freed on
 * every path. `runDriverCase` (isolated.ts) runs the same in a child process.
 *
 * @module
 */

import { Simulator, type SimulatorOptions } from "../../core/simulator.ts";
import type { FaultOptions } from "../../core/faults.ts";
import {
  checkAllocated,
  checkFailedLeftNothing,
  checkFreed,
  checkIrqlRestored,
  checkTeardown,
  DEFAULT_ALLOWED_CACHE_TYPES,
} from "./contracts.ts";
import type { DriverFinding } from "./findings.ts";
import { DriverLibrary } from "./library.ts";
import type { DriverSession } from "./session.ts";

/**
 * A PCM format, as `WAVEFORMATEX` describes it.
 *
 * @example
 * ```ts
 * const cd: AudioFormat = { sampleRate: 44_100, channels: 2, bitsPerSample: 16 };
 * ```
 */
export interface AudioFormat {
  /** Frames per second (`nSamplesPerSec`). */
  readonly sampleRate: number;
  /** Interleaved channels (`nChannels`). */
  readonly channels: number;
  /** Bits per sample (`wBitsPerSample`). */
  readonly bitsPerSample: number;
}

/**
 * One step of a case: a buffer allocation (the case's size and notification count unless given),
 * or a free of the most recent live buffer, as PortCls makes them.
 *
 * @example
 * ```ts
 * const steps: DriverStep[] = [{ call: "allocate" }, { call: "free" }, { call: "allocate" }];
 * ```
 */
export type DriverStep =
  | {
    readonly call: "allocate";
    readonly requestedBytes?: number;
    readonly notificationCount?: number;
  }
  | { readonly call: "free" };

/**
 * Faults for a driver case: the simulator's (`probability`, `failNth`, `memoryCapBytes`,
 * `operations`) and the bridge's, keyed by the driver's native call sites (`systematic`,
 * `failSites`, `poolProbability`).
 *
 * @example
 * ```ts
 * const faults: DriverFaults = { memoryCapBytes: 8192, systematic: true };
 * ```
 */
export interface DriverFaults extends Omit<FaultOptions, "systematic" | "memoryCapBytes"> {
  /** Most bytes the driver's live MDLs may hold together; beyond it allocations are partial. */
  readonly memoryCapBytes?: number;
  /** Fail the first call from each distinct native call site (page, map and pool calls). */
  readonly systematic?: boolean;
  /** Fail the given occurrence (1-based) of the call from each given native call site: named
   * `function+0xNN` (a `CallSite`'s `symbol`, the same after a rebuild of the same source), or
   * as an offset into this build of the library. */
  readonly failSites?: readonly { readonly site: string | number; readonly occurrence: number }[];
  /** Probability that a pool allocation fails (seeded by the simulator's seed). */
  readonly poolProbability?: number;
}

/**
 * A driver case. JSON-serialisable, so it can run in a child process and be printed for
 * pasting.
 *
 * @example
 * ```ts
 * const options: DriverCaseOptions = {
 *   library: "ffi/native/build/driver/libminiport_example.so",
 *   requestedBytes: 19_200, // 100 ms of 48 kHz 16-bit stereo
 *   notificationCount: 2,
 *   faults: { memoryCapBytes: 8192 },
 * };
 * ```
 */
export interface DriverCaseOptions {
  /** Path of a library built by `buildDriverLibrary`. */
  readonly library: string;
  /** Default 48 kHz, 2 channels, 16 bits. */
  readonly format?: AudioFormat;
  /** The buffer size PortCls asks the driver for, in bytes. */
  readonly requestedBytes: number;
  /** 0 or absent: AllocateAudioBuffer; 1 or more: AllocateBufferWithNotification. */
  readonly notificationCount?: number;
  /** Default: allocate, then free. Buffers still live at the end are freed, as PortCls does. */
  readonly steps?: readonly DriverStep[];
  /** The string the driver's create entry receives (like registry parameters). Default "". */
  readonly parameters?: string;
  /** Simulator settings (JSON values only: a preset name for `machine`). */
  readonly simulator?: Omit<SimulatorOptions, "faults">;
  /** Faults injected by the simulator and the bridge; absent for none. */
  readonly faults?: DriverFaults;
  /** Cache types `*CacheType` may hold. Default MmNonCached, MmCached, MmWriteCombined. */
  readonly allowedCacheTypes?: readonly number[];
}

/**
 * What one step did.
 *
 * @example
 * ```ts
 * const step: StepOutcome = { call: "allocate", status: 0, actualSize: 16384, byteCount: 16384 };
 * ```
 */
export interface StepOutcome {
  readonly call: "allocate" | "free";
  readonly status?: number;
  readonly actualSize?: number;
  readonly byteCount?: number;
  /** First and last byte of the buffer's mapping, as the driver left them (when mapped). */
  readonly contents?: readonly [first: number, last: number];
  readonly stopped?: boolean;
  readonly skipped?: string;
}

/**
 * A distinct call site that can fail.
 *
 * @example
 * ```ts
 * const s: CallSite = {
 *   site: 0x2a10,
 *   operation: "MapAllocatedPages",
 *   calls: 1,
 *   symbol: "CMiniportWaveRTStream::AllocateBufferWithNotification(…)+0xD4",
 * };
 * ```
 */
export interface CallSite {
  /** The return address as an offset into this build of the library. */
  readonly site: number;
  /** The port or pool routine called. */
  readonly operation: string;
  /** How many times it was called from here. */
  readonly calls: number;
  /** `function+0xNN` (demangled), which names the same call in any build of the same source. */
  readonly symbol: string;
  /** `file:line` of the call, where the library's debug information and addr2line tell it. */
  readonly source?: string;
}

/**
 * The outcome of a driver case: passed when there are no findings.
 *
 * @example
 * ```ts
 * const failed = (r: DriverCaseResult) => r.findings.map((f) => f.rule);
 * ```
 */
export interface DriverCaseResult {
  readonly passed: boolean;
  readonly findings: readonly DriverFinding[];
  readonly createStatus: number;
  /** A bug check stopped the driver. */
  readonly stopped: boolean;
  readonly steps: readonly StepOutcome[];
  /** Call sites of allocations, maps and pool allocations, in first-call order. */
  readonly sites: readonly CallSite[];
  /** Most pages the driver held at once. */
  readonly peakPages: number;
  readonly portCalls: number;
  readonly faultsInjected: number;
  /** DbgPrint output. */
  readonly log: string;
}

const libraries = new Map<string, DriverLibrary>();

/**
 * The process-wide loaded copy of a driver library (a library is loaded once per process).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built library.
 * const library = loadDriverLibrary("ffi/native/build/driver/libminiport_example.so");
 * ```
 */
export function loadDriverLibrary(path: string): DriverLibrary {
  let library = libraries.get(path);
  if (library === undefined) {
    library = DriverLibrary.open(path);
    libraries.set(path, library);
  }
  return library;
}

/**
 * `WAVEFORMATEX` bytes for a PCM format.
 *
 * @example
 * ```ts
 * waveFormatEx({ sampleRate: 48_000, channels: 2, bitsPerSample: 16 }).length; // 18
 * ```
 */
export function waveFormatEx(format: AudioFormat): Uint8Array {
  const bytes = new Uint8Array(18);
  const view = new DataView(bytes.buffer);
  const blockAlign = format.channels * format.bitsPerSample / 8;
  view.setUint16(0, 1, true); // WAVE_FORMAT_PCM
  view.setUint16(2, format.channels, true);
  view.setUint32(4, format.sampleRate, true);
  view.setUint32(8, format.sampleRate * blockAlign, true);
  view.setUint16(12, blockAlign, true);
  view.setUint16(14, format.bitsPerSample, true);
  return bytes;
}

const DEFAULT_FORMAT: AudioFormat = { sampleRate: 48_000, channels: 2, bitsPerSample: 16 };
const ok = (status: number) => status >= 0;

/**
 * Runs a driver case in this process. A crash of the driver's code takes the process with it:
 * use `runDriverCase` to isolate it.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built library and --allow-ffi.
 * const result = runDriverCaseInProcess({ library, requestedBytes: 19_200 });
 * console.log(result.passed, result.findings);
 * ```
 */
export function runDriverCaseInProcess(options: DriverCaseOptions): DriverCaseResult {
  const library = loadDriverLibrary(options.library);
  const { systematic, failSites, poolProbability, ...simulatorFaults } = options.faults ?? {};
  // Leak reports name the driver's native call site, so the simulator's JS stacks (2.5–3.5 µs an
  // allocation, and always the bridge's callback) are off unless a case asks for them.
  using simulator = new Simulator({
    captureAllocationSites: false,
    ...options.simulator,
    faults: simulatorFaults,
  });
  const session = library.begin(simulator, {
    systematic,
    failSites: failSites?.map((f) => ({ ...f, site: library.resolveSite(f.site) })),
    poolProbability,
    seed: options.simulator?.seed,
  });
  const findings: DriverFinding[] = [];
  const steps: StepOutcome[] = [];
  let createStatus = 0;
  let sites: CallSite[] = [];
  let log = "";
  try {
    createStatus = runSteps(session, options, findings, steps);
  } finally {
    sites = [...session.sites.values()].map((s) => ({ ...s, symbol: library.siteName(s.site) }));
    log = library.log();
    session.end();
  }
  if (session.stop) findings.push(session.stop);
  return {
    passed: findings.length === 0,
    findings: findings.map((f) =>
      f.site === undefined || f.callSite !== undefined
        ? f
        : { ...f, callSite: library.symbolize(f.site) }
    ),
    createStatus,
    stopped: session.stop !== null,
    steps,
    sites,
    peakPages: session.peakPages,
    portCalls: session.portCalls,
    faultsInjected: session.injected + simulator.faultsFired,
    log,
  };
}

interface LiveBuffer {
  readonly mdl: bigint;
  readonly size: number;
  readonly withNotification: boolean;
  readonly epoch: number;
}

/** The case's calls; returns the create status. Findings and step outcomes are appended. */
function runSteps(
  session: DriverSession,
  options: DriverCaseOptions,
  findings: DriverFinding[],
  steps: StepOutcome[],
): number {
  const parameters = new TextEncoder().encode((options.parameters ?? "") + "\0");
  const format = waveFormatEx(options.format ?? DEFAULT_FORMAT);
  const allowed = options.allowedCacheTypes ?? DEFAULT_ALLOWED_CACHE_TYPES;
  const reported = new Set<number>();
  const report = (epoch: number, found: DriverFinding[]) => {
    if (found.length > 0) reported.add(epoch);
    findings.push(...found);
  };

  session.step = -1;
  const created = session.call("create", { format, parameters });
  if (created.stopped) return created.status;
  if (!ok(created.status)) {
    report(session.epoch, checkFailedLeftNothing(session, session.epoch, "create", created.status));
    return created.status;
  }
  const live: LiveBuffer[] = [];
  const plan = [...(options.steps ?? [{ call: "allocate" }, { call: "free" }])];
  for (let i = 0; i < plan.length || live.length > 0; i++) {
    const step: DriverStep = i < plan.length ? plan[i] : { call: "free" };
    session.step = i;
    if (step.call === "allocate") {
      const requested = step.requestedBytes ?? options.requestedBytes;
      const notifications = step.notificationCount ?? options.notificationCount ?? 0;
      const call = notifications > 0 ? "AllocateBufferWithNotification" : "AllocateAudioBuffer";
      const out = session.call("allocate", { a: notifications, b: requested });
      if (out.stopped) {
        steps.push({ call: "allocate", stopped: true });
        return created.status;
      }
      const epoch = session.epoch;
      const record = session.mdls[out.handle];
      const first = record ? session.library.peek(out.mdl, 0) : null;
      const last = record ? session.library.peek(out.mdl, record.mdl.byteCount - 1) : null;
      steps.push({
        call: "allocate",
        status: out.status,
        ...(ok(out.status) ? { actualSize: out.actualSize } : {}),
        ...(ok(out.status) && record ? { byteCount: record.mdl.byteCount } : {}),
        ...(first !== null && last !== null ? { contents: [first, last] as const } : {}),
      });
      report(epoch, checkIrqlRestored(session, out, call));
      if (ok(out.status)) {
        report(epoch, checkAllocated(session, out, requested, allowed));
        live.push({
          mdl: out.mdl,
          size: out.actualSize,
          withNotification: notifications > 0,
          epoch,
        });
      } else {
        report(epoch, checkFailedLeftNothing(session, epoch, call, out.status));
      }
    } else {
      const buffer = live.pop();
      if (buffer === undefined) {
        steps.push({ call: "free", skipped: "no live buffer" });
        continue;
      }
      const call = buffer.withNotification ? "FreeBufferWithNotification" : "FreeAudioBuffer";
      const out = session.call("free", {
        a: buffer.withNotification ? 1 : 0,
        mdl: buffer.mdl,
        b: buffer.size,
      });
      steps.push({ call: "free", ...(out.stopped ? { stopped: true } : {}) });
      if (out.stopped) return created.status;
      report(buffer.epoch, checkIrqlRestored(session, out, call));
      if (!reported.has(buffer.epoch)) report(buffer.epoch, checkFreed(session, buffer.epoch));
    }
  }
  session.step = plan.length;
  const destroyed = session.call("destroy", {});
  if (destroyed.stopped) return created.status;
  findings.push(...checkTeardown(session, reported));
  return created.status;
}
