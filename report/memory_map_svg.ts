/**
 * A physical memory map as inline SVG: RAM ranges and the holes between them, the memory the rest
 * of the system occupied before the case (fragmentation), the LowAddress and HighAddress bounds,
 * and the case's pages coloured by contiguous run, with those outside the bound highlighted. A
 * second strip zooms on the case's pages, which are invisible at the scale of a whole machine; a
 * legend names each colour.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import { formatAddress } from "./format.ts";
import { formatBound, isNoLimit } from "../suites/bound.ts";
import { type AddressWindow, mapWindows } from "../suites/map_windows.ts";
import type { AllocationRecord, BackendRun, OccupancyStrip } from "../suites/results.ts";

const WIDTH = 520;
const STRIP = 26;
/** Vertical space of one strip with its label above and its axis and bound labels below. */
const BLOCK = STRIP + 48;
const LEGEND = 18;
const RUN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

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
  const windows = mapWindows(run);
  const occupied = run.preOccupied?.strips ?? [];
  const parts = [strip(0, "physical memory", windows.overview, occupied[0], run, made, page)];
  if (message === null && windows.zoom !== null) {
    parts.push(
      strip(1, "allocated pages (zoomed)", windows.zoom, occupied[1], run, made, page),
    );
  }
  const notes = [message, boundSummary(made), occupiedSummary(run)].filter((n) => n !== null);
  const notesTop = parts.length * BLOCK;
  const legendTop = notesTop + notes.length * 14;
  const height = legendTop + LEGEND;
  const noteText = notes.map((n, i) =>
    `<text class="map-note" x="4" y="${notesTop + 10 + i * 14}">${escapeHtml(n)}</text>`
  ).join("");
  return `<svg class="memory-map" role="img" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" ` +
    `height="${height}" viewBox="0 0 ${WIDTH} ${height}"><title>Physical memory map: ` +
    `${escapeHtml(run.backend)}</title>${parts.join("")}${noteText}${legend(legendTop)}</svg>`;
}

function strip(
  index: number,
  label: string,
  window: AddressWindow,
  occupied: OccupancyStrip | undefined,
  run: BackendRun,
  made: readonly AllocationRecord[],
  page: bigint,
): string {
  const y = index * BLOCK + 14;
  const x = (address: bigint) => scale(address, window);
  const noLimit = run.allocations.some((a) => isNoLimit(a.highAddress));
  const out = [
    `<text class="strip-label" x="0" y="${y - 3}">${escapeHtml(label)}${
      noLimit ? " · HighAddress: no limit" : ""
    }</text>`,
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
  if (occupied !== undefined) out.push(...occupiedBins(occupied, y));
  out.push(...caseRuns(made, window, y, page));
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

/** One rect per bin with any pre-occupied page; its opacity is the occupied share. */
function occupiedBins(occupied: OccupancyStrip, y: number): string[] {
  const width = WIDTH / occupied.bins.length;
  const how = occupied.sampled ? "sampled" : "every page";
  return occupied.bins.flatMap((share, i) =>
    share <= 0 ? [] : [
      `<rect class="pre-occupied" x="${round(i * width)}" y="${y}" width="${round(width)}" ` +
      `height="${STRIP}" fill-opacity="${Math.max(0.15, share)}"><title>pre-occupied by the ` +
      `rest of the system: ${Math.round(share * 100)} % of this RAM (${how})</title></rect>`,
    ]
  );
}

/** The case's runs, each split where it crosses its allocation's bound: outside is highlighted. */
function caseRuns(
  made: readonly AllocationRecord[],
  window: AddressWindow,
  y: number,
  page: bigint,
): string[] {
  const out: string[] = [];
  const x = (address: bigint) => scale(address, window);
  let runIndex = 0;
  let drawnUpTo = -Infinity;
  for (const allocation of made) {
    const outside = allocation.bound?.check === "checked" || allocation.bound?.check === "observed";
    const low = allocation.lowAddress / page * page;
    const high = (allocation.highAddress / page + 1n) * page;
    for (const r of allocation.runs ?? []) {
      const from = BigInt(r.firstPfn) * page;
      const to = from + BigInt(r.pages) * page;
      const colour = RUN_COLOURS[runIndex++ % RUN_COLOURS.length];
      if (to <= window.from || from >= window.to) continue;
      const pieces = outside ? splitAt(from, to, low, high) : [{ from, to, outside: false }];
      for (const piece of pieces) {
        const x1 = x(clamp(piece.from, window));
        const x2 = x(clamp(piece.to, window));
        // Runs that would share a pixel with the last one drawn add nothing visible but bytes: a
        // fragmented 64 MiB buffer has thousands of runs. Pages outside the bound always show.
        if (x2 <= drawnUpTo && !piece.outside) continue;
        drawnUpTo = Math.max(x1 + 2, x2);
        const pages = (piece.to - piece.from) / page;
        // A minimum width keeps single pages visible.
        out.push(
          `<rect class="run${piece.outside ? " outside-bound" : ""}" fill="${colour}" x="${x1}" ` +
            `y="${y + 3}" width="${Math.max(2, x2 - x1)}" height="${STRIP - 6}"><title>` +
            `${escapeHtml(allocation.handle)} run ${runIndex}: ${formatAddress(piece.from)}–` +
            `${formatAddress(piece.to - 1n)}, ${pages} page(s)${
              piece.outside ? `, outside the bound ${formatBound(allocation.highAddress)}` : ""
            }</title></rect>`,
        );
      }
    }
  }
  return out;
}

/** [from, to) split into the parts below `low`, inside [low, high) and from `high` on. */
function splitAt(from: bigint, to: bigint, low: bigint, high: bigint) {
  const cuts = [from, ...[low, high].filter((c) => c > from && c < to), to];
  return cuts.slice(1).map((end, i) => ({
    from: cuts[i],
    to: end,
    outside: cuts[i] < low || cuts[i] >= high,
  }));
}

function boundSummary(made: readonly AllocationRecord[]): string | null {
  const compared = made.filter((a) =>
    (a.bound?.check === "checked" || a.bound?.check === "observed") && a.bound.pagesOutside !== null
  );
  if (compared.length === 0) return null;
  const outside = compared.reduce((n, a) => n + a.bound!.pagesOutside!, 0);
  const pages = compared.reduce((n, a) => n + a.bound!.pages, 0);
  const observed = compared.some((a) => a.bound!.check === "observed");
  return `${outside} of ${pages} page(s) outside the bound` +
    (observed ? " (observed: not enforced on this backend)" : " (checked)");
}

function occupiedSummary(run: BackendRun): string | null {
  const occupied = run.preOccupied;
  if (occupied === undefined || occupied === null || occupied.pages === 0) return null;
  return `${occupied.pages.toLocaleString("en-US")} page(s) pre-occupied by the rest of the system`;
}

function legend(top: number): string {
  const items: [string, string][] = [
    ["ram", "free RAM"],
    ["pre-occupied", "pre-occupied"],
    ["run", "this case's pages"],
    ["run outside-bound", "outside the bound"],
    ["hole", "hole"],
  ];
  let x = 0;
  const out = [`<g class="legend">`];
  for (const [cls, text] of items) {
    const fill = cls === "run" ? ` fill="${RUN_COLOURS[0]}"` : "";
    out.push(
      `<rect class="legend-swatch ${cls}"${fill} x="${x}" y="${top + 4}" width="10" height="10"/>`,
      `<text class="legend-label" x="${x + 13}" y="${top + 13}">${text}</text>`,
    );
    x += 19 + text.length * 6;
  }
  out.push(
    `<line class="high-address legend-swatch" x1="${x + 4}" x2="${x + 4}" y1="${top + 2}" y2="${
      top + 16
    }"/>`,
    `<text class="legend-label" x="${x + 9}" y="${top + 13}">HighAddress</text>`,
    "</g>",
  );
  return out.join("");
}

function boundLines(allocations: readonly AllocationRecord[]) {
  const lines = new Map<string, { kind: "high-address" | "low-address"; address: bigint }>();
  for (const a of allocations) {
    if (!isNoLimit(a.highAddress)) {
      lines.set(`h${a.highAddress}`, { kind: "high-address", address: a.highAddress });
    }
    if (a.lowAddress > 0n) {
      lines.set(`l${a.lowAddress}`, { kind: "low-address", address: a.lowAddress });
    }
  }
  return [...lines.values()];
}

function scale(address: bigint, window: AddressWindow): number {
  const span = Number(window.to - window.from) || 1;
  return round(Number(address - window.from) / span * WIDTH);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function clamp(address: bigint, window: AddressWindow): bigint {
  return address < window.from ? window.from : address > window.to ? window.to : address;
}
