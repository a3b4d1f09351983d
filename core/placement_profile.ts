/**
 * A placement profile: how one machine's allocator places pages (lengths of physically contiguous
 * runs, share of pages above 4 GiB, spread), measured through the hardware backend by
 * `bench/placement_calibrate.ts` and saved as versioned JSON that the simulator's `calibrated`
 * placement replays. Files are validated with zod on load; a wrong file is refused with a message
 * naming the file and the problem.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";

/**
 * The format tag of version 1: one run-length histogram, no reuse of freed pages.
 *
 * @example
 * ```ts
 * PLACEMENT_PROFILE_FORMAT_V1; // "wavert-bench.placement-profile/1"
 * ```
 */
export const PLACEMENT_PROFILE_FORMAT_V1 = "wavert-bench.placement-profile/1";
/**
 * The format tag of version 2 (written today): per-size histograms, first use and reuse.
 *
 * @example
 * ```ts
 * PLACEMENT_PROFILE_FORMAT; // "wavert-bench.placement-profile/2"
 * ```
 */
export const PLACEMENT_PROFILE_FORMAT = "wavert-bench.placement-profile/2";

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);

const pairs = z.array(z.tuple([z.number().int().positive(), z.number().int().positive()]))
  .refine(
    (list) => list.every(([length], i) => i === 0 || length > list[i - 1][0]),
    "run lengths must be ascending and distinct",
  );

const v1 = z.object({
  format: z.literal(PLACEMENT_PROFILE_FORMAT_V1),
  /** ISO time of the measurement. */
  measuredAt: z.string().min(1),
  /** Backend measured, e.g. `linux-host`. */
  measuredOn: z.string().min(1),
  pageSize: z.union([z.literal(4096), z.literal(16384), z.literal(65536)]),
  /** Buffer sizes in bytes and how many rounds of each were allocated. */
  workload: z.object({
    sizes: z.array(z.number().int().positive()).min(1),
    rounds: z.number().int().positive(),
  }),
  allocations: count,
  pages: z.number().int().positive(),
  /**
   * `[length, count]` pairs, lengths ascending and distinct: every run of physically contiguous
   * pages in MDL order except each MDL's last run (cut short by the buffer's end).
   */
  runLengths: pairs.refine((list) => list.length > 0, "runLengths must not be empty"),
  /** Share of allocated pages at or above 4 GiB. */
  above4GiBShare: share,
  /** (95th − 5th percentile of frame numbers) ÷ highest RAM frame. */
  spread: share,
  /** Share of an allocation's pages that the allocation freed just before it had held. */
  reuseShare: share,
});

/** One buffer size of a version 2 profile: its runs before and after the process freed pages. */
const sizeClass = z.object({
  /** Pages per buffer. */
  pages: z.number().int().positive(),
  /** `[length, count]` runs of allocations made before the process had freed any page. */
  first: pairs,
  /** `[length, count]` runs of allocations made after frees (Linux reuses those pages first). */
  reuse: pairs,
  /** Share of the pages of allocations after frees that the round before had held. */
  reuseShare: share,
});

const v2 = v1.extend({
  format: z.literal(PLACEMENT_PROFILE_FORMAT),
  /** Pooled `[length, count]` runs of every allocation, as in version 1. */
  runLengths: v1.shape.runLengths,
  /** Per buffer size, ascending and distinct in pages; the simulator uses the nearest. */
  classes: z.array(sizeClass).min(1).refine(
    (list) => list.every((c, i) => i === 0 || c.pages > list[i - 1].pages),
    "classes must be ascending and distinct in pages",
  ).refine(
    (list) => list.every((c) => c.first.length + c.reuse.length > 0),
    "every class needs runs",
  ),
});

/**
 * The zod schema of a placement profile file, version 1 or 2.
 *
 * @example
 * ```ts
 * placementProfileSchema.safeParse({ format: "x" }).success; // false
 * ```
 */
export const placementProfileSchema = z.discriminatedUnion("format", [v1, v2]);

/**
 * `[length, count]` pairs of physically contiguous runs, lengths ascending and distinct.
 *
 * @example
 * ```ts
 * const runs: RunLengthCounts = [[1, 12], [2, 1]];
 * ```
 */
export type RunLengthCounts = [number, number][];

/**
 * A version 1 placement profile: one run-length histogram for every buffer.
 *
 * @example
 * ```ts
 * const v1: PlacementProfileV1 = {
 *   format: "wavert-bench.placement-profile/1", measuredAt: "2025-01-01T00:00:00.000Z",
 *   measuredOn: "linux-host", pageSize: 4096, workload: { sizes: [65536], rounds: 1 },
 *   allocations: 1, pages: 16, runLengths: [[1, 12], [2, 1]], above4GiBShare: 0.9, spread: 0.7,
 *   reuseShare: 0,
 * };
 * ```
 */
export interface PlacementProfileV1 {
  /** The format tag. */
  format: "wavert-bench.placement-profile/1";
  /** ISO time of the measurement. */
  measuredAt: string;
  /** Backend measured, e.g. `linux-host`. */
  measuredOn: string;
  /** The page size of the machine measured. */
  pageSize: 4096 | 16384 | 65536;
  /** Buffer sizes in bytes and how many rounds of each were allocated. */
  workload: { sizes: number[]; rounds: number };
  /** Allocations measured. */
  allocations: number;
  /** Pages measured. */
  pages: number;
  /** Every run in MDL order except each MDL's last (cut short by the buffer's end). */
  runLengths: RunLengthCounts;
  /** Share of allocated pages at or above 4 GiB. */
  above4GiBShare: number;
  /** (95th − 5th percentile of frame numbers) ÷ highest RAM frame. */
  spread: number;
  /** Share of an allocation's pages that the allocation freed just before it had held. */
  reuseShare: number;
}

/**
 * One buffer size of a version 2 profile: its runs before and after the process freed pages.
 *
 * @example
 * ```ts
 * const sizeClass: PlacementSizeClass = { pages: 16, first: [[1, 14]], reuse: [[1, 10]], reuseShare: 0.8 };
 * ```
 */
export interface PlacementSizeClass {
  /** Pages per buffer. */
  pages: number;
  /** Runs of allocations made before the process had freed any page. */
  first: RunLengthCounts;
  /** Runs of allocations made after frees (Linux reuses those pages first). */
  reuse: RunLengthCounts;
  /** Share of the pages of allocations after frees that the round before had held. */
  reuseShare: number;
}

/**
 * A version 2 placement profile: per buffer size, first use and reuse.
 *
 * @example
 * ```ts
 * const v2: PlacementProfileV2 = {
 *   format: "wavert-bench.placement-profile/2", measuredAt: "2025-01-01T00:00:00.000Z",
 *   measuredOn: "linux-host", pageSize: 4096, workload: { sizes: [65536], rounds: 2 },
 *   allocations: 2, pages: 32, runLengths: [[1, 28]], above4GiBShare: 0.9, spread: 0.7,
 *   reuseShare: 0.8, classes: [{ pages: 16, first: [[1, 14]], reuse: [[1, 14]], reuseShare: 0.8 }],
 * };
 * ```
 */
export interface PlacementProfileV2 extends Omit<PlacementProfileV1, "format"> {
  /** The format tag. */
  format: "wavert-bench.placement-profile/2";
  /** Per buffer size, ascending and distinct in pages; the simulator uses the nearest. */
  classes: PlacementSizeClass[];
}

/**
 * A placement profile, as {@linkcode placementProfileSchema} describes it: version 1 (one
 * histogram) or version 2 (per buffer size, first use and reuse, with `classes`).
 *
 * @example
 * ```ts
 * const profile: PlacementProfile = {
 *   format: "wavert-bench.placement-profile/1",
 *   measuredAt: "2025-01-01T00:00:00.000Z",
 *   measuredOn: "linux-host",
 *   pageSize: 4096,
 *   workload: { sizes: [65536], rounds: 1 },
 *   allocations: 1,
 *   pages: 16,
 *   runLengths: [[1, 12], [2, 1]],
 *   above4GiBShare: 0.9,
 *   spread: 0.7,
 *   reuseShare: 0,
 * };
 * ```
 */
export type PlacementProfile = PlacementProfileV1 | PlacementProfileV2;

// The explicit types must be what the schema accepts: a field added to one and not the other fails
// `deno check` here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const profileTypesMatchTheSchema: [
  Same<PlacementProfileV1, z.infer<typeof v1>>,
  Same<PlacementProfileV2, z.infer<typeof v2>>,
] = [true, true];
void profileTypesMatchTheSchema;

/**
 * Checks a parsed value against the schema; `source` (a file name) starts every message.
 *
 * @example
 * ```ts
 * try {
 *   parsePlacementProfile({ format: "something/1" }, "p.json");
 * } catch (e) {
 *   console.log(e); // TypeError: p.json is not a valid placement profile: format: …
 * }
 * ```
 */
export function parsePlacementProfile(value: unknown, source: string): PlacementProfile {
  const result = placementProfileSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`
  );
  throw new TypeError(`${source} is not a valid placement profile: ${problems.join("; ")}`);
}

/**
 * Reads and validates a profile file.
 *
 * @example
 * ```ts ignore
 * import { Simulator } from "../mod.ts";
 * const profile = loadPlacementProfile("bench/testdata/placement-profile.json");
 * using sim = new Simulator({ placement: { profile } });
 * ```
 */
export function loadPlacementProfile(path: string): PlacementProfile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new TypeError(`${path}: cannot read the placement profile (${(e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${path} is not JSON: ${(e as Error).message}`);
  }
  return parsePlacementProfile(value, path);
}
