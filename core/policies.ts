/**
 * Behaviours the public documentation leaves open ([HW?] in `docs/wavert-semantics.md`)
 * or where the simulator must choose how loudly to fail. Each is a named, configurable policy; the
 * hardware cross-check on Windows settles the defaults.
 *
 * @module
 */

/**
 * The simulator's policies. Every field is optional in `SimulatorOptions.policies`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ policies: { byteCount: "requested", highAddressPage: "exclusive" } });
 * ```
 */
export interface AllocationPolicies {
  /**
   * ByteCount of a fully satisfied request whose TotalBytes is not a page multiple.
   * - `"rounded"` (default): the whole pages allocated. Evidence: the DDI reference says the
   *   allocation is rounded up to whole pages, and ReactOS stores the rounded size.
   * - `"requested"`: exactly TotalBytes, as some other simulators do.
   * Partial results are always whole pages.
   */
  readonly byteCount: "rounded" | "requested";
  /**
   * Whether the page containing HighAddress may be allocated.
   * - `"inclusive"` (default): yes. Evidence: the DDI reference says pages "within" [0,
   *   HighAddress], and the customary HighAddress 0xFFFFFFFF names the last byte of a page.
   * - `"exclusive"`: no, as ReactOS does (it stops below HighAddress >> PAGE_SHIFT).
   */
  readonly highAddressPage: "inclusive" | "exclusive";
  /**
   * TotalBytes = 0.
   * - `"null"` (default): the call returns NULL. Evidence: ReactOS returns NULL.
   * - `"range-error"`: treated as bad input.
   */
  readonly zeroBytes: "null" | "range-error";
  /**
   * GetPhysicalPageAddress with an index past the last page.
   * - `"range-error"` (default): bad input, reported with the index and the page count.
   * - `"zero"`: returns 0, as ReactOS does.
   */
  readonly pageAddressOutOfRange: "range-error" | "zero";
  /**
   * A page mapped with two different cache types at once (undefined behaviour on Windows).
   * - `"throw"` (default): a `DriverViolation` with rule `cache-type-conflict`.
   * - `"record"`: the mapping is made and the conflict is listed by `sim.cacheConflicts`.
   */
  readonly cacheConflict: "throw" | "record";
}

/**
 * The defaults, with the evidence given on each field of {@linkcode AllocationPolicies}.
 *
 * @example
 * ```ts
 * defaultPolicies.highAddressPage; // "inclusive"
 * ```
 */
export const defaultPolicies: AllocationPolicies = {
  byteCount: "rounded",
  highAddressPage: "inclusive",
  zeroBytes: "null",
  pageAddressOutOfRange: "range-error",
  cacheConflict: "throw",
};

const choices: { [K in keyof AllocationPolicies]: readonly AllocationPolicies[K][] } = {
  byteCount: ["rounded", "requested"],
  highAddressPage: ["inclusive", "exclusive"],
  zeroBytes: ["null", "range-error"],
  pageAddressOutOfRange: ["range-error", "zero"],
  cacheConflict: ["throw", "record"],
};

/**
 * Fills in defaults and rejects unknown policies or values.
 *
 * @example
 * ```ts
 * resolvePolicies({ zeroBytes: "range-error" }).byteCount; // "rounded"
 * ```
 */
export function resolvePolicies(partial: Partial<AllocationPolicies> = {}): AllocationPolicies {
  for (const [key, value] of Object.entries(partial)) {
    const allowed = choices[key as keyof AllocationPolicies] as readonly string[] | undefined;
    if (allowed === undefined) {
      throw new TypeError(
        `policies.${key} is not a policy; known: ${Object.keys(choices).join(", ")}`,
      );
    }
    if (!allowed.includes(value as string)) {
      throw new RangeError(`policies.${key} must be one of ${allowed.join(", ")}, got ${value}`);
    }
  }
  // Frozen: plans and streams read them once and rely on them staying.
  return Object.freeze({ ...defaultPolicies, ...partial });
}
