/**
 * Physical memory layouts: RAM ranges with the holes between them, as firmware reports them.
 *
 * @module
 */

import { SUPPORTED_PAGE_SIZES } from "./constants.ts";
import { hex } from "./hex.ts";

/** One range of usable RAM, in bytes. */
export interface RamRange {
  /** Physical address of the range's first byte. */
  readonly base: bigint;
  /** Size of the range in bytes. */
  readonly length: bigint;
}

/**
 * A machine's physical memory: RAM ranges (sorted, non-overlapping) and a page size. Anything not
 * in a range is a hole (legacy areas, the PCI hole, firmware reservations) and is never allocated.
 *
 * @example
 * ```ts
 * const machine: MachineLayout = { pageSize: 4096, ranges: [{ base: 0x100000n, length: 1n << 30n }] };
 * ```
 */
export interface MachineLayout {
  /** Bytes per page: 4096, 16384 or 65536. */
  readonly pageSize: number;
  /** The usable RAM ranges, sorted by base and non-overlapping. */
  readonly ranges: readonly RamRange[];
}

const KiB = 1024n;
const MiB = 1024n * KiB;
const GiB = 1024n * MiB;

/**
 * An x64 PC layout with `totalGiB` of RAM: page 0 reserved, RAM up to 640 KiB, the legacy hole to
 * 1 MiB, RAM from 1 MiB to 3 GiB, the PCI hole from 3 to 4 GiB, and the rest above 4 GiB.
 */
function x64Pc(totalGiB: number): MachineLayout {
  const low = [
    { base: 0x1000n, length: 0xa0000n - 0x1000n },
    { base: 1n * MiB, length: 3n * GiB - 1n * MiB },
  ];
  const lowBytes = low.reduce((sum, r) => sum + r.length, 0n);
  const above4G = BigInt(totalGiB) * GiB - lowBytes;
  return {
    pageSize: 4096,
    ranges: [...low, { base: 4n * GiB, length: alignDown(above4G, 2n * MiB) }],
  };
}

/**
 * Realistic x64 machines. `x64-16gib` is the default: a typical audio workstation.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ machine: machinePresets["x64-64gib"] });
 * ```
 */
export const machinePresets: Readonly<Record<MachinePresetName, MachineLayout>> = {
  "x64-4gib": x64Pc(4),
  "x64-16gib": x64Pc(16),
  "x64-64gib": x64Pc(64),
};

/** Name of one of the {@linkcode machinePresets}. */
export type MachinePresetName = "x64-4gib" | "x64-16gib" | "x64-64gib";

/**
 * Builds a machine from Linux `/proc/iomem`: every top-level "System RAM" line becomes a range,
 * trimmed inward to whole pages. Nested lines (kernel code, data) are part of their RAM range.
 * Reading `/proc/iomem` without CAP_SYS_ADMIN yields all-zero addresses: that is rejected.
 *
 * @example
 * ```ts
 * const machine = parseProcIomem("00100000-bfffffff : System RAM\n");
 * machine.ranges[0].length; // 0xbff00000n
 * ```
 */
export function parseProcIomem(text: string, pageSize = 4096): MachineLayout {
  checkPageSize(pageSize);
  const page = BigInt(pageSize);
  const ranges: RamRange[] = [];
  for (const line of text.split("\n")) {
    const match = /^([0-9a-fA-F]+)-([0-9a-fA-F]+) : System RAM\s*$/.exec(line);
    if (!match) continue;
    const start = BigInt("0x" + match[1]);
    const end = BigInt("0x" + match[2]) + 1n;
    if (end <= 1n) {
      throw new RangeError(
        "/proc/iomem shows zero addresses (reading it needs CAP_SYS_ADMIN): " + line.trim(),
      );
    }
    const base = alignUp(start, page);
    const top = alignDown(end, page);
    if (top > base) ranges.push({ base, length: top - base });
  }
  if (ranges.length === 0) throw new RangeError("/proc/iomem text has no 'System RAM' lines");
  return validateMachine({ pageSize, ranges });
}

/**
 * The layout of the machine this process runs on, from `/proc/iomem`.
 *
 * @example
 * ```ts ignore
 * import { Simulator } from "../mod.ts";
 * // Deno grants /proc/iomem only with --allow-all; addresses are real only for root.
 * using sim = new Simulator({ machine: hostMachine() });
 * ```
 */
export function hostMachine(): MachineLayout {
  return parseProcIomem(Deno.readTextFileSync("/proc/iomem"));
}

/**
 * Checks a layout: supported page size, page-aligned non-empty ranges, sorted and non-overlapping.
 * Returns a normalised copy (ranges sorted by base).
 *
 * @example
 * ```ts
 * validateMachine({ pageSize: 4096, ranges: [{ base: 0n, length: 4096n }] });
 * ```
 */
export function validateMachine(machine: MachineLayout): MachineLayout {
  if (machine === null || typeof machine !== "object" || !Array.isArray(machine.ranges)) {
    throw new TypeError("machine must be { pageSize, ranges: { base, length }[] }");
  }
  checkPageSize(machine.pageSize);
  const page = BigInt(machine.pageSize);
  const ranges = [...machine.ranges].sort((a, b) => (a.base < b.base ? -1 : 1));
  if (ranges.length === 0) throw new RangeError("machine.ranges must not be empty");
  let previousEnd = -1n;
  ranges.forEach((r, i) => {
    if (typeof r.base !== "bigint" || typeof r.length !== "bigint") {
      throw new TypeError(`machine.ranges[${i}] base and length must be bigint`);
    }
    if (r.base < 0n || r.length <= 0n || r.base % page !== 0n || r.length % page !== 0n) {
      throw new RangeError(
        `machine.ranges[${i}] must be a non-empty, page-aligned range, got base ${
          hex(r.base)
        } length ${hex(r.length)}`,
      );
    }
    if (r.base < previousEnd) {
      throw new RangeError(`machine.ranges[${i}] overlaps the range before it`);
    }
    previousEnd = r.base + r.length;
  });
  return { pageSize: machine.pageSize, ranges: ranges.map((r) => ({ ...r })) };
}

/**
 * The same machine with another page size: each range is trimmed inward to whole pages, and
 * ranges smaller than a page disappear.
 *
 * @example
 * ```ts
 * withPageSize(machinePresets["x64-16gib"], 65536).pageSize; // 65536
 * ```
 */
export function withPageSize(machine: MachineLayout, pageSize: number): MachineLayout {
  checkPageSize(pageSize);
  const page = BigInt(pageSize);
  const ranges = machine.ranges.flatMap((r) => {
    const base = alignUp(r.base, page);
    const top = alignDown(r.base + r.length, page);
    return top > base ? [{ base, length: top - base }] : [];
  });
  return validateMachine({ pageSize, ranges });
}

/** Total RAM bytes of a layout. */
export function ramBytes(machine: MachineLayout): bigint {
  return machine.ranges.reduce((sum, r) => sum + r.length, 0n);
}

function checkPageSize(pageSize: number): void {
  if (!SUPPORTED_PAGE_SIZES.includes(pageSize)) {
    throw new RangeError(
      `pageSize must be one of ${SUPPORTED_PAGE_SIZES.join(", ")}, got ${pageSize}`,
    );
  }
}

function alignUp(value: bigint, alignment: bigint): bigint {
  return (value + alignment - 1n) / alignment * alignment;
}

function alignDown(value: bigint, alignment: bigint): bigint {
  return value / alignment * alignment;
}
