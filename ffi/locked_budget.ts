/**
 * The locked-memory budget of the host backend: the most bytes it holds locked at once, whether
 * or not the process may lock without limit (root). By default a quarter of the memory the system
 * could give without swapping (`MemAvailable` when the backend opens); `WAVERT_LOCKED_BUDGET` or
 * the `lockedBudgetBytes` option override it. The helper enforces it per context, before anything
 * is mapped.
 *
 * @module
 */

import { HelperStatus } from "./helper_error.ts";
import type { HelperLibrary } from "./library.ts";
import { type NativeAllocation, NativeCalls } from "./native_calls.ts";
import { ResultWord } from "./symbols.ts";

/**
 * Environment variable that sets the budget: a byte count with an optional `KiB`, `MiB` or `GiB`
 * suffix (`64MiB`), or `unlimited`.
 *
 * @example
 * ```sh
 * WAVERT_LOCKED_BUDGET=256MiB npx --yes deno@2 task demo
 * ```
 */
export const LOCKED_BUDGET_ENV = "WAVERT_LOCKED_BUDGET";

/**
 * Share of `MemAvailable` the default budget allows.
 *
 * @example
 * ```ts
 * const budget = Math.floor(8 * 2 ** 30 * DEFAULT_BUDGET_SHARE); // 2 GiB of 8 GiB available
 * ```
 */
export const DEFAULT_BUDGET_SHARE = 0.25;

/**
 * A budget as chosen: bytes (null for unlimited) and the rule that chose it, for messages.
 *
 * @example
 * ```ts
 * const budget: LockedBudget = { bytes: 64 << 20, rule: "WAVERT_LOCKED_BUDGET=64MiB" };
 * ```
 */
export interface LockedBudget {
  /** The most bytes a backend may hold locked; null for no budget. */
  readonly bytes: number | null;
  /** Where the figure comes from, e.g. the environment variable or the MemAvailable share. */
  readonly rule: string;
}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a budget: a whole number of bytes, optionally with `K`/`KiB`, `M`/`MiB`, `G`/`GiB` or
 * `T`/`TiB` (binary units), or `unlimited`.
 *
 * @throws {RangeError} naming the text when it is none of these.
 * @example
 * ```ts
 * parseLockedBudget("64MiB"); // 67108864
 * parseLockedBudget("unlimited"); // null
 * ```
 */
export function parseLockedBudget(text: string): number | null {
  const trimmed = text.trim();
  if (/^unlimited$/i.test(trimmed)) return null;
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(trimmed);
  const bytes = match === null ? NaN : Number(match[1]) * UNITS[match[2].toLowerCase()];
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new RangeError(
      `a locked-memory budget must be a positive byte count (e.g. 268435456, 256MiB, 1GiB) or ` +
        `"unlimited", got ${JSON.stringify(text)}`,
    );
  }
  return bytes;
}

/**
 * Chooses the budget: the option when given, else `WAVERT_LOCKED_BUDGET`, else
 * {@linkcode DEFAULT_BUDGET_SHARE} of `availableBytes` rounded down to whole pages.
 *
 * @example
 * ```ts
 * chooseLockedBudget(undefined, 8 * 2 ** 30, 4096, undefined).bytes; // 2147483648
 * chooseLockedBudget(null, 8 * 2 ** 30, 4096, undefined).bytes; // null (unlimited)
 * chooseLockedBudget(undefined, 8 * 2 ** 30, 4096, "1MiB").rule; // "WAVERT_LOCKED_BUDGET=1MiB"
 * ```
 */
export function chooseLockedBudget(
  option: number | null | undefined,
  availableBytes: number,
  pageSize: number,
  env: string | undefined = Deno.env.get(LOCKED_BUDGET_ENV),
): LockedBudget {
  if (option !== undefined) {
    if (option !== null && (!Number.isSafeInteger(option) || option <= 0)) {
      throw new RangeError(
        `lockedBudgetBytes must be a positive integer or null (unlimited), got ${option}`,
      );
    }
    return { bytes: option, rule: "the lockedBudgetBytes option" };
  }
  if (env !== undefined && env !== "") {
    return { bytes: parseLockedBudget(env), rule: `${LOCKED_BUDGET_ENV}=${env}` };
  }
  const share = Math.floor(availableBytes * DEFAULT_BUDGET_SHARE / pageSize) * pageSize;
  return {
    bytes: Math.max(pageSize, share),
    rule: `the default, ${DEFAULT_BUDGET_SHARE * 100} % of MemAvailable (${
      formatBytes(availableBytes)
    })`,
  };
}

/**
 * `MemAvailable` in bytes, read by the helper (Deno needs --allow-all to read /proc/meminfo).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * using lib = HelperLibrary.open();
 * memoryAvailable(lib); // e.g. 23764770816
 * ```
 */
export function memoryAvailable(lib: HelperLibrary): number {
  const out = new BigUint64Array(ResultWord.length);
  const status = lib.symbols.wrt_memory_available(out);
  if (status !== HelperStatus.OK) {
    throw lib.error("wrt_memory_available", status, Number(out[ResultWord.sysErrno]));
  }
  return Number(out[ResultWord.byteCount]);
}

/**
 * An allocation the locked-memory budget refused; nothing was allocated. Carries the figures.
 *
 * @example
 * ```ts
 * const e = new LockedBudgetError(8 << 20, 4 << 20, 1 << 20, "WAVERT_LOCKED_BUDGET=4MiB");
 * e.message; // "the request would lock 8 MiB with 1 MiB already held, over the …"
 * ```
 */
export class LockedBudgetError extends RangeError {
  /** Bytes the request would lock (whole pages, or huge pages for contiguous ones). */
  readonly requestedBytes: number;
  /** The budget. */
  readonly budgetBytes: number;
  /** Bytes the backend held locked when it asked. */
  readonly heldBytes: number;

  /** The refusal of `requestedBytes` with `heldBytes` held, over `budgetBytes` (from `rule`). */
  constructor(requestedBytes: number, budgetBytes: number, heldBytes: number, rule: string) {
    super(
      `the request would lock ${formatBytes(requestedBytes)} with ${
        formatBytes(heldBytes)
      } already held, over the locked-memory budget of ${formatBytes(budgetBytes)} (${rule}); ` +
        `raise it with ${LOCKED_BUDGET_ENV} or --locked-budget`,
    );
    this.name = "LockedBudgetError";
    this.requestedBytes = requestedBytes;
    this.budgetBytes = budgetBytes;
    this.heldBytes = heldBytes;
  }
}

/**
 * {@linkcode NativeCalls} whose refused allocations (`WRT_E_OVER_BUDGET`) throw a
 * {@linkcode LockedBudgetError} with the figures.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * import { ResultWord } from "./symbols.ts";
 * using lib = HelperLibrary.open();
 * const out = new BigUint64Array(ResultWord.length);
 * lib.symbols.wrt_context_open(out);
 * const budget = { bytes: 4096, rule: "a test" };
 * const calls = new BudgetedCalls(lib, out[ResultWord.handle], 4096, budget, 4096);
 * calls.allocate(0xFFFFFFFFn, 8192n); // throws LockedBudgetError
 * ```
 */
export class BudgetedCalls extends NativeCalls {
  readonly #budget: LockedBudget;
  readonly #pageSize: number;
  readonly #contiguousUnit: number;

  constructor(
    lib: HelperLibrary,
    context: bigint,
    pageSize: number,
    budget: LockedBudget,
    contiguousUnit: number,
  ) {
    super(lib, context, pageSize);
    this.#budget = budget;
    this.#pageSize = pageSize;
    this.#contiguousUnit = contiguousUnit;
    const out = new BigUint64Array(ResultWord.length);
    const status = lib.symbols.wrt_context_set_budget(context, BigInt(budget.bytes ?? 0), out);
    if (status !== HelperStatus.OK) throw lib.error("wrt_context_set_budget", status);
  }

  override allocate(high: bigint, total: bigint): NativeAllocation {
    return this.#checked(super.allocate(high, total), total, this.#pageSize);
  }

  override allocateContiguous(low: bigint, high: bigint, total: bigint): NativeAllocation {
    return this.#checked(super.allocateContiguous(low, high, total), total, this.#contiguousUnit);
  }

  #checked(result: NativeAllocation, total: bigint, unit: number): NativeAllocation {
    if (result.status !== HelperStatus.OVER_BUDGET) return result;
    const requested = Math.ceil(Number(total) / unit) * unit;
    throw new LockedBudgetError(
      requested,
      this.#budget.bytes ?? 0,
      this.stats().lockedBytes,
      this.#budget.rule,
    );
  }
}

/**
 * Bytes as the messages show them: MiB or GiB with up to two decimals, or bytes.
 *
 * @example
 * ```ts
 * formatBytes(64 << 20); // "64 MiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(2)} KiB`;
  return `${bytes} bytes`;
}
