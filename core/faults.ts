/**
 * Fault injection in the manner of Driver Verifier's Low Resources Simulation: calls fail at
 * random, on chosen call numbers, or once per distinct call site ("systematic"), and a memory cap
 * forces partial allocations, so that a driver's failure paths can be exercised on purpose.
 *
 * @module
 */

import { callerFrame } from "./call_site.ts";
import { seededRandom } from "./random.ts";

/** Operations a fault can be injected into. */
export type FaultableOperation = "allocate" | "allocateContiguous" | "map";

/**
 * Fault injection settings. All faults are deterministic for a given simulator seed.
 *
 * @example
 * ```ts
 * // Fail 6 % of calls (Driver Verifier's default) and cap the driver at 1 MiB.
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ seed: 1, faults: { probability: 0.06, memoryCapBytes: 1 << 20 } });
 * ```
 */
export interface FaultOptions {
  /** Probability (0–1) that an eligible call fails outright (returns null). */
  readonly probability?: number;
  /** 1-based numbers of eligible calls that fail, counted across all eligible operations. */
  readonly failNth?: readonly number[];
  /** Fail the first call from each distinct call site (outside the simulator). */
  readonly systematic?: boolean;
  /** Most bytes all live MDLs may hold together; requests beyond it get partial results. */
  readonly memoryCapBytes?: number | bigint;
  /** Operations faults apply to; all three by default. */
  readonly operations?: readonly FaultableOperation[];
}

/** Why an injected fault fired, for reports. */
export type FaultReason = "probability" | "failNth" | "systematic";

const ALL_OPERATIONS: readonly FaultableOperation[] = ["allocate", "allocateContiguous", "map"];

/**
 * Decides, call by call, whether an injected fault fires.
 *
 * @example
 * ```ts
 * const faults = new FaultInjector({ failNth: [2] }, 1);
 * faults.shouldFail("allocate"); // null
 * faults.shouldFail("allocate"); // "failNth"
 * ```
 */
export class FaultInjector {
  memoryCapPages: number;
  #probability: number;
  #failNth: ReadonlySet<number>;
  #systematic: boolean;
  #operations: ReadonlySet<FaultableOperation>;
  #random: () => number;
  #seenSites = new Set<string>();
  #calls = 0;
  /** Faults fired so far. */
  fired = 0;

  constructor(options: FaultOptions, seed: number, pageSize = 4096) {
    const { probability = 0, failNth = [], systematic = false, memoryCapBytes, operations } =
      options;
    if (typeof probability !== "number" || !(probability >= 0 && probability <= 1)) {
      throw new RangeError(`faults.probability must be a number in 0..1, got ${probability}`);
    }
    if (!Array.isArray(failNth) || failNth.some((n) => !Number.isSafeInteger(n) || n < 1)) {
      throw new RangeError(
        `faults.failNth must be positive integers, got ${JSON.stringify(failNth)}`,
      );
    }
    if (operations !== undefined) {
      const unknown = operations.filter((o) => !ALL_OPERATIONS.includes(o));
      if (unknown.length) {
        throw new RangeError(
          `faults.operations may hold ${ALL_OPERATIONS.join(", ")}, got ${unknown.join(", ")}`,
        );
      }
    }
    this.memoryCapPages = capPages(memoryCapBytes, pageSize);
    this.#probability = probability;
    this.#failNth = new Set(failNth);
    this.#systematic = systematic === true;
    this.#operations = new Set(operations ?? ALL_OPERATIONS);
    // A stream of its own, so that enabling faults does not change the memory layout.
    this.#random = seededRandom(seed ^ 0x5eed_fa17);
  }

  /**
   * Starts afresh with other options, as `new FaultInjector(options, seed, pageSize)` would: for
   * `Simulator.restore`, which keeps the injector its memory manager holds.
   */
  reconfigure(options: FaultOptions, seed: number, pageSize = 4096): void {
    const fresh = new FaultInjector(options, seed, pageSize);
    this.memoryCapPages = fresh.memoryCapPages;
    this.#probability = fresh.#probability;
    this.#failNth = fresh.#failNth;
    this.#systematic = fresh.#systematic;
    this.#operations = fresh.#operations;
    this.#random = fresh.#random;
    this.#seenSites = fresh.#seenSites;
    this.#calls = 0;
    this.fired = 0;
  }

  /** Whether any fault other than the memory cap is configured. */
  get active(): boolean {
    return this.#probability > 0 || this.#failNth.size > 0 || this.#systematic;
  }

  /** Counts one eligible call and returns why it must fail, or null. */
  shouldFail(operation: FaultableOperation): FaultReason | null {
    if (!this.active || !this.#operations.has(operation)) return null;
    const call = ++this.#calls;
    let reason: FaultReason | null = null;
    if (this.#failNth.has(call)) reason = "failNth";
    else if (this.#probability > 0 && this.#random() < this.#probability) reason = "probability";
    else if (this.#systematic) {
      const site = callerFrame(new Error().stack);
      if (!this.#seenSites.has(site)) {
        this.#seenSites.add(site);
        reason = "systematic";
      }
    }
    if (reason) this.fired++;
    return reason;
  }
}

function capPages(bytes: number | bigint | undefined, pageSize: number): number {
  if (bytes === undefined) return Infinity;
  const valid = typeof bytes === "bigint" ? bytes >= 0n : Number.isSafeInteger(bytes) && bytes >= 0;
  if (!valid) {
    throw new RangeError(`faults.memoryCapBytes must be a non-negative integer, got ${bytes}`);
  }
  return Number(BigInt(bytes) / BigInt(pageSize));
}
