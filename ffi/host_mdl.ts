/**
 * The host backend's MDLs: the record it keeps for each allocation, the read-only {@linkcode HostMdl}
 * a caller holds, and the table of live records leaks are reported from.
 *
 * @module
 */

import type { Leak, Mdl, StreamOperation } from "../core/backend.ts";
import { MdlFlags } from "../core/constants.ts";
import type { MappedAt, MdlLifecycleState } from "../core/mdl_lifecycle.ts";

/**
 * What the backend holds for one MDL; reachable only through the {@linkcode HostMdlTable} that
 * made it ({@linkcode HostMdlTable.recordOf}).
 *
 * @example
 * ```ts
 * const table = new HostMdlTable({});
 * const record = table.recordOf(table.add("allocatePagesForMdl", 1n, [0], 4096))!;
 * record.mappedAt; // null
 * ```
 */
export interface HostMdlRecord extends MdlLifecycleState {
  /** The backend that allocated it. */
  readonly owner: object;
  /** The table that made it: records of any other table are foreign. */
  readonly table: HostMdlTable;
  readonly id: number;
  /** The helper's handle of the allocation. */
  readonly handle: bigint;
  readonly source: StreamOperation;
  /** The frames the helper reported, frozen: also the MDL's `pfns`. */
  readonly frames: readonly number[];
  readonly byteCount: number;
  mdlFlags: number;
  mappedAt: bigint | null;
  freed: boolean;
}

/** Only this module can construct a {@linkcode HostMdl}. */
const CONSTRUCT = Symbol("HostMdl construction");
let readRecord: (value: unknown) => HostMdlRecord | undefined;

/**
 * An MDL returned by the host backend. Its fields are read-only views of the backend's record.
 * Callers cannot construct one (`new HostMdl(…)` is a TypeError) nor reach its record: only the
 * {@linkcode HostMdlTable} that made it reads it back.
 *
 * @example
 * ```ts
 * const mdl = new HostMdlTable({}).add("allocatePagesForMdl", 1n, Object.freeze([0x1234]), 4096);
 * mdl.byteCount; // 4096
 * mdl.pfns[0]; // 0x1234
 * ```
 */
export class HostMdl implements Mdl {
  // A private field rather than a WeakMap: allocation is a hot path and WeakMap inserts cost
  // more than the whole FFI call.
  readonly #record: HostMdlRecord;

  /** Not for callers: MDLs come from a stream's allocations. */
  constructor(key: unknown, record: HostMdlRecord) {
    if (key !== CONSTRUCT) {
      throw new TypeError("HostMdl is not constructible: MDLs come from a stream's allocations");
    }
    this.#record = record;
  }

  static {
    readRecord = (value) =>
      typeof value === "object" && value !== null && #record in value
        ? (value as HostMdl).#record
        : undefined;
  }

  /** Frame numbers, frozen: the backend frees and translates from this same record. */
  get pfns(): readonly number[] {
    return this.#record.frames;
  }

  get byteCount(): number {
    return this.#record.byteCount;
  }

  get byteOffset(): number {
    return 0;
  }

  get startVa(): bigint {
    return 0n;
  }

  get mdlFlags(): number {
    return this.#record.mdlFlags;
  }

  get mappedSystemVa(): bigint | null {
    return this.#record.mappedAt;
  }
}

const NOT_MAPPED: readonly MappedAt[] = [];

/**
 * The record's one mapping as the rule book lists mappings: none, or the system mapping.
 *
 * @example
 * ```ts
 * const table = new HostMdlTable({});
 * const record = table.recordOf(table.add("allocatePagesForMdl", 1n, [0], 4096))!;
 * mappingsOf(record); // []
 * ```
 */
export function mappingsOf(record: HostMdlRecord): readonly MappedAt[] {
  return record.mappedAt === null ? NOT_MAPPED : [{ address: record.mappedAt }];
}

/**
 * The live MDLs of one host backend, numbered from 1 in allocation order.
 *
 * @example
 * ```ts
 * const table = new HostMdlTable({});
 * const mdl = table.add("allocatePagesForMdl", 7n, Object.freeze([0x10]), 4096);
 * table.leaks().length; // 1
 * table.forget(table.recordOf(mdl)!);
 * table.leaks().length; // 0
 * ```
 */
export class HostMdlTable {
  readonly #owner: object;
  readonly #live = new Set<HostMdlRecord>();
  #nextId = 1;

  /** `owner`: the backend the records belong to, as the rule book compares it. */
  constructor(owner: object) {
    this.#owner = owner;
  }

  /** Records a fresh allocation and returns the MDL the caller gets. */
  add(
    source: StreamOperation,
    handle: bigint,
    frames: readonly number[],
    byteCount: number,
  ): HostMdl {
    const record: HostMdlRecord = {
      owner: this.#owner,
      table: this,
      id: this.#nextId++,
      handle,
      source,
      frames,
      byteCount,
      mdlFlags: MdlFlags.PAGES_LOCKED,
      mappedAt: null,
      freed: false,
    };
    this.#live.add(record);
    return new HostMdl(CONSTRUCT, record);
  }

  /**
   * The record behind `value` if it is an MDL this table made, else undefined: a spread copy,
   * `Object.create(HostMdl.prototype)`, a Proxy, a plain object or another table's MDL all give
   * undefined.
   */
  recordOf(value: unknown): HostMdlRecord | undefined {
    const record = readRecord(value);
    return record !== undefined && record.table === this ? record : undefined;
  }

  /** Marks a record freed (after the helper freed it). */
  forget(record: HostMdlRecord): void {
    record.freed = true;
    this.#live.delete(record);
  }

  /** Marks every live record freed (when the helper's context is closed). */
  forgetAll(): void {
    for (const record of this.#live) record.freed = true;
    this.#live.clear();
  }

  /** MDLs allocated and never freed, oldest first. */
  leaks(): Leak[] {
    return [...this.#live].map((r) => ({
      mdlId: r.id,
      source: r.source === "allocateContiguousPagesForMdl" ? r.source : "allocatePagesForMdl",
      byteCount: r.byteCount,
      pages: r.frames.length,
      allocatedAt: "(allocation sites are not captured by the host backend)",
    }));
  }
}
