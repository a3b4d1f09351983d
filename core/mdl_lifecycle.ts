/**
 * The rule book of an MDL's life, as Driver Verifier checks it: an MDL is used only by the backend
 * that allocated it, only until it is freed, mapped at most once into system space, unmapped only
 * at the address its mapping returned, and freed only once unmapped. Every backend (the simulator
 * and the host backend) asks these functions before it acts, so each rule and its message is
 * written once.
 *
 * @module
 */

import { describe } from "./arguments.ts";
import { hex } from "./hex.ts";
import { DriverViolation, ViolationRules } from "./violations.ts";

/**
 * What the rules read of a backend's record of one MDL.
 *
 * @example
 * ```ts
 * const owner = {};
 * const record: MdlLifecycleState = { owner, id: 1, freed: false };
 * ```
 */
export interface MdlLifecycleState {
  /** The backend instance that allocated the MDL. */
  readonly owner: object;
  /** Sequence number of the allocation, as messages name it ("MDL #1"). */
  readonly id: number;
  /** Set once the MDL's pages are freed. */
  readonly freed: boolean;
}

/**
 * One live mapping of an MDL, as the unmap and free rules see it.
 *
 * @example
 * ```ts
 * const mapping: MappedAt = { address: 0xffff_a000_0000_0000n };
 * ```
 */
export interface MappedAt {
  readonly address: bigint;
}

/**
 * Returns `state` when it is the record of an MDL `owner` allocated and has not freed; otherwise
 * throws `foreign-mdl` (`state` undefined, or another backend's), `double-free` (freeing again) or
 * `use-after-free`. `backendKind` names the other backend in the message.
 *
 * @example
 * ```ts
 * const owner = {};
 * const record = { owner, id: 1, freed: true };
 * try {
 *   checkLiveMdl({}, record, owner, "freePagesFromMdl", "simulator");
 * } catch (e) {
 *   console.log(e); // DriverViolation: double-free: … freePagesFromMdl on MDL #1, already freed …
 * }
 * ```
 */
export function checkLiveMdl<S extends MdlLifecycleState>(
  mdl: unknown,
  state: S | undefined,
  owner: object,
  operation: string,
  backendKind: string,
): S {
  if (state === undefined || state.owner !== owner) {
    throw new DriverViolation(
      ViolationRules.foreignMdl,
      `${operation} was given ${
        state === undefined ? describe(mdl) : `an MDL of another ${backendKind}`
      }`,
    );
  }
  if (state.freed) {
    const rule = operation === "freePagesFromMdl"
      ? ViolationRules.doubleFree
      : ViolationRules.useAfterFree;
    throw new DriverViolation(rule, `${operation} on MDL #${state.id}, already freed`);
  }
  return state;
}

/**
 * Throws `double-map` when the MDL already has a system mapping (`systemVa` not null).
 *
 * @example
 * ```ts
 * checkNotMapped({ owner: {}, id: 1, freed: false }, null); // fine: not mapped yet
 * ```
 */
export function checkNotMapped(state: MdlLifecycleState, systemVa: bigint | null): void {
  if (systemVa !== null) {
    throw new DriverViolation(
      ViolationRules.doubleMap,
      `MDL #${state.id} is already mapped at ${hex(systemVa)}`,
    );
  }
}

/**
 * The index in `mappings` of the mapping at `baseAddress`; throws `unmap-not-mapped` when the MDL
 * has no mapping and `unmap-wrong-address` when none is at `baseAddress`.
 *
 * @example
 * ```ts
 * const state = { owner: {}, id: 1, freed: false };
 * checkUnmap(state, [{ address: 0x1000n }, { address: 0x9000n }], 0x9000n); // 1
 * ```
 */
export function checkUnmap(
  state: MdlLifecycleState,
  mappings: readonly MappedAt[],
  baseAddress: bigint,
): number {
  if (mappings.length === 0) {
    throw new DriverViolation(ViolationRules.unmapNotMapped, `MDL #${state.id}`);
  }
  const index = mappings.findIndex((m) => m.address === baseAddress);
  if (index < 0) {
    throw new DriverViolation(
      ViolationRules.unmapWrongAddress,
      `MDL #${state.id} is mapped at ${mappings.map((m) => hex(m.address)).join(", ")}, got ${
        hex(baseAddress)
      }`,
    );
  }
  return index;
}

/**
 * Throws `free-while-mapped` when the MDL still has a mapping.
 *
 * @example
 * ```ts
 * checkFreeable({ owner: {}, id: 1, freed: false }, []); // fine: nothing mapped
 * ```
 */
export function checkFreeable(state: MdlLifecycleState, mappings: readonly MappedAt[]): void {
  if (mappings.length > 0) {
    throw new DriverViolation(
      ViolationRules.freeWhileMapped,
      `MDL #${state.id} is still mapped at ${hex(mappings[0].address)}`,
    );
  }
}
