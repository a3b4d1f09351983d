/**
 * A physical memory map as inline SVG: RAM ranges and the holes between them, the LowAddress and
 * HighAddress bounds, and the allocated pages coloured by contiguous run. A second strip zooms on
 * the allocated pages, which are invisible at the scale of a whole machine.
 *
 * @module
 */

import type { MachineLayout } from "../core/machine.ts";
import { escapeHtml } from "./escape_html.ts";
import { formatAddress } from "./format.ts";
import type { AllocationRecord, BackendRun } from "../suites/results.ts";

const WIDTH = 520;
const STRIP = 26;
/** Vertical space of one strip with its label above and its axis and bound labels below. */
const BLOCK = STRIP + 48;
const RUN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
/** The zoom strip shows at least this many pages, so a one-page buffer is still a visible bar. */
const MIN_ZOOM_PAGES = 64n;

interface Window {
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * The memory map of one backend's run of a case.
 *
 * @example
 * ```ts
 * import { simulatorProvider } from "../suites/backends.ts";
 * import { commonFormats } from "../suites/bundled.ts";
 * const run = await simulatorProvider.run(commonFormats.cases[0], { seed: 1 });
 * const svg = memoryMapSvg(run); // "<svg class=\"memory-map\" ...>"
 * ```
 */
export function memoryMapSvg(run: BackendRun): string {
  const page = BigInt(run.pageSize ?? 4096);
  const made = run.allocations.filter((a) => a.byteCount !== null);
  const message = made.length === 0
    ? (run.allocations.length === 0 ? "no allocation" : "NULL: nothing allocated")
    : made.some((a) => a.runs === null)
    ? "frame numbers unavailable on this backend"
    : null;
  const bounds = run.allocations.flatMap((a) => [a.lowAddress, a.highAddress]);
  const extents = made.flatMap((a) =>
    a.extent ? [a.extent.lowestAddress, a.extent.highestAddress] : []
  );
  const top = maxOf([
    ...(run.machine ? [machineEnd(run.machine)] : []),
    ...bounds.map((b) => b + 1n),
    ...extents.map((e) => e + 1n),
    page,
  ]);
  const overview: Window = { from: 0n, to: top };
  const parts = [strip(0, "physical memory", overview, run, made, page)];
  if (message === null) {
    const low = minOf(extents) / page * page;
    const high = maxOf(extents) + 1n;
    const pad = maxOf([(high - low) / 8n, (MIN_ZOOM_PAGES * page - (high - low)) / 2n, 0n]);
    const zoom = { from: low > pad ? low - pad : 0n, to: high + pad };
    parts.push(strip(1, "allocated pages (zoomed)", zoom, run, made, page));
  }
  const height = parts.length * BLOCK + (message ? 18 : 0);
  const note = message
    ? `<text class="map-note" x="4" y="${height - 4}">${escapeHtml(message)}</text>`
    : "";
  return `<svg class="memory-map" role="img" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" ` +
    `height="${height}" viewBox="0 0 ${WIDTH} ${height}"><title>Physical memory map: ` +
    `${escapeHtml(run.backend)}</title>${parts.join("")}${note}</svg>`;
}

function strip(
  index: number,
  label: string,
  window: Window,
  run: BackendRun,
  made: readonly AllocationRecord[],
  page: bigint,
): string {
  const y = index * BLOCK + 14;
  const x = (address: bigint) => scale(address, window);
  const out = [
    `<text class="strip-label" x="0" y="${y - 3}">${escapeHtml(label)}</text>`,
    `<rect class="hole" x="0" y="${y}" width="${WIDTH}" height="${STRIP}"><title>hole (no RAM)` +
    `</title></rect>`,
  ];
  const ranges = run.machine?.ranges ?? [{ base: 0n, length: window.to }];
  for (const r of ranges) {
    const from = clamp(r.base, window);
    const to = clamp(r.base + r.length, window);
    if (to <= from) continue;
    out.push(
      `<rect class="ram${run.machine ? "" : " ram-unknown"}" x="${x(from)}" y="${y}" ` +
        `width="${Math.max(0.5, x(to) - x(from))}" height="${STRIP}"><title>RAM ` +
        `${formatAddress(r.base)}–${formatAddress(r.base + r.length - 1n)}</title></rect>`,
    );
  }
  let runIndex = 0;
  let drawnUpTo = -Infinity;
  for (const allocation of made) {
    for (const r of allocation.runs ?? []) {
      const from = BigInt(r.firstPfn) * page;
      const to = from + BigInt(r.pages) * page;
      const colour = RUN_COLOURS[runIndex++ % RUN_COLOURS.length];
      if (to <= window.from || from >= window.to) continue;
      const x1 = x(clamp(from, window));
      const x2 = x(clamp(to, window));
      // Runs that would share a pixel with the last one drawn add nothing visible but bytes: a
      // fragmented 64 MiB buffer has thousands of runs.
      if (x2 <= drawnUpTo) continue;
      drawnUpTo = Math.max(x1 + 2, x2);
      // A minimum width keeps single pages visible.
      out.push(
        `<rect class="run" fill="${colour}" x="${x1}" y="${y + 3}" width="${
          Math.max(2, x2 - x1)
        }" height="${STRIP - 6}"><title>${escapeHtml(allocation.handle)} run ${runIndex}: ` +
          `${formatAddress(from)}–${formatAddress(to - 1n)}, ${r.pages} page(s)</title></rect>`,
      );
    }
  }
  for (const bound of boundLines(run.allocations)) {
    if (bound.address < window.from || bound.address > window.to) continue;
    const bx = x(bound.address);
    out.push(
      `<line class="${bound.kind}" x1="${bx}" x2="${bx}" y1="${y - 2}" y2="${y + STRIP + 2}"/>`,
      `<text class="bound-label" x="${Math.min(bx, WIDTH - 150)}" y="${y + STRIP + 12}">` +
        `${bound.kind === "high-address" ? "HighAddress" : "LowAddress"} ` +
        `${formatAddress(bound.address)}</text>`,
    );
  }
  out.push(
    `<text class="axis" x="0" y="${y + STRIP + 26}">${formatAddress(window.from)}</text>`,
    `<text class="axis" x="${WIDTH}" y="${y + STRIP + 26}" text-anchor="end">` +
      `${formatAddress(window.to)}</text>`,
  );
  return out.join("");
}

function boundLines(allocations: readonly AllocationRecord[]) {
  const lines = new Map<string, { kind: "high-address" | "low-address"; address: bigint }>();
  for (const a of allocations) {
    lines.set(`h${a.highAddress}`, { kind: "high-address", address: a.highAddress });
    if (a.lowAddress > 0n) {
      lines.set(`l${a.lowAddress}`, { kind: "low-address", address: a.lowAddress });
    }
  }
  return [...lines.values()];
}

function scale(address: bigint, window: Window): number {
  const span = Number(window.to - window.from) || 1;
  return Math.round(Number(address - window.from) / span * WIDTH * 100) / 100;
}

function clamp(address: bigint, window: Window): bigint {
  return address < window.from ? window.from : address > window.to ? window.to : address;
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
