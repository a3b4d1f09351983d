/**
 * The address windows a memory map shows for a run: the whole machine, and a zoom on the case's
 * pages (invisible at the scale of a machine). Shared by the runner, which measures the memory the
 * rest of the system occupied in exactly these windows, and the map that draws them.
 *
 * @module
 */

import type { MachineLayout } from "../core/machine.ts";
import { isNoLimit } from "./bound.ts";
import type { AllocationRecord } from "./results.ts";

/** Bytes `from` (inclusive) to `to` (exclusive). */
export interface AddressWindow {
  readonly from: bigint;
  readonly to: bigint;
}

/** The zoom window shows at least this many pages, so a one-page buffer is still a visible bar. */
const MIN_ZOOM_PAGES = 64n;

/**
 * The overview window (from 0 to the end of RAM, or of the highest bound or page) and, when the
 * allocations have frame numbers, the zoom window around them. A HighAddress of no limit does not
 * stretch the overview.
 *
 * @example
 * ```ts
 * const { overview, zoom } = mapWindows({
 *   machine: { pageSize: 4096, ranges: [{ base: 0n, length: 1n << 30n }] },
 *   pageSize: 4096,
 *   allocations: [],
 * });
 * overview.to; // 1073741824n
 * zoom; // null: nothing allocated
 * ```
 */
export function mapWindows(run: {
  readonly machine: MachineLayout | null;
  readonly pageSize: number | null;
  readonly allocations: readonly AllocationRecord[];
}): { overview: AddressWindow; zoom: AddressWindow | null } {
  const page = BigInt(run.pageSize ?? 4096);
  const made = run.allocations.filter((a) => a.byteCount !== null);
  const bounds = run.allocations.flatMap((a) =>
    isNoLimit(a.highAddress) ? [a.lowAddress] : [a.lowAddress, a.highAddress]
  );
  const extents = made.flatMap((a) =>
    a.extent ? [a.extent.lowestAddress, a.extent.highestAddress] : []
  );
  const top = maxOf([
    ...(run.machine ? [machineEnd(run.machine)] : []),
    ...bounds.map((b) => b + 1n),
    ...extents.map((e) => e + 1n),
    page,
  ]);
  const overview = { from: 0n, to: top };
  if (made.length === 0 || made.some((a) => a.runs === null) || extents.length === 0) {
    return { overview, zoom: null };
  }
  const low = minOf(extents) / page * page;
  const high = maxOf(extents) + 1n;
  const pad = maxOf([(high - low) / 8n, (MIN_ZOOM_PAGES * page - (high - low)) / 2n, 0n]);
  return { overview, zoom: { from: low > pad ? low - pad : 0n, to: high + pad } };
}

function machineEnd(machine: MachineLayout): bigint {
  const last = machine.ranges[machine.ranges.length - 1];
  return last.base + last.length;
}

function maxOf(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}

function minOf(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => (b < a ? b : a));
}
