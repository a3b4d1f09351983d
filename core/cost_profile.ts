/**
 * A saved, named cost profile: the simulator's cost model fitted to one machine's measurements
 * (`bench/calibrate.ts` fits it), and the loader that validates a profile file with zod before the
 * simulator or the suite CLI uses it.
 *
 * Version 2 (`wavert-bench.cost-profile/2`) carries the versioned envelope: when, on which host
 * (the host facts of `results/host_facts.ts`) and by which command line it was fitted. Version 1
 * files, without host and command, still load.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import { type CostModel, defaultCostModel } from "./cost_model.ts";

/**
 * The tag of the cost profile files written today.
 *
 * @example
 * ```ts
 * COST_PROFILE_SCHEMA; // "wavert-bench.cost-profile/2"
 * ```
 */
export const COST_PROFILE_SCHEMA = "wavert-bench.cost-profile/2";
/**
 * The tag of version 1 files, which still load.
 *
 * @example
 * ```ts
 * COST_PROFILE_SCHEMA_V1; // "wavert-bench.cost-profile/1"
 * ```
 */
export const COST_PROFILE_SCHEMA_V1 = "wavert-bench.cost-profile/1";

/**
 * One measured size: pages and the median duration of allocating them.
 *
 * @example
 * ```ts
 * const point: CalibrationPoint = { bytes: 4096, pages: 1, medianNs: 3800 };
 * ```
 */
export interface CalibrationPoint {
  /** Bytes requested per allocation at this size. */
  readonly bytes: number;
  /** Pages one allocation of that size holds. */
  readonly pages: number;
  /** Median measured duration of one allocation, in nanoseconds. */
  readonly medianNs: number;
}

/**
 * One host fact as a cost profile stores it: the value, or null and why it could not be read.
 * (`core/` does not know `results/`; its `HostFacts` fit this shape.)
 *
 * @example
 * ```ts
 * const fact: CostProfileFact = { value: null, reason: "--allow-sys=hostname not granted" };
 * ```
 */
export interface CostProfileFact {
  /** The fact, or null when it could not be read. */
  readonly value: string | number | boolean | null;
  /** Why the value is null. */
  readonly reason?: string;
}

/**
 * A cost profile of version 1: no host facts, no command line.
 *
 * @example
 * ```ts
 * const old: CostProfileV1 = {
 *   schema: "wavert-bench.cost-profile/1",
 *   name: "my-host",
 *   createdAt: "2025-01-01T00:00:00.000Z",
 *   fittedOn: "linux-host",
 *   costModel: { allocateCallNs: 3000 },
 *   freshPages: "stale",
 *   points: [],
 * };
 * ```
 */
export interface CostProfileV1 {
  /** Format tag of a version 1 file. */
  readonly schema: "wavert-bench.cost-profile/1";
  /** Name the profile was saved under, shown in reports. */
  readonly name: string;
  /** When the profile was fitted, as an ISO 8601 timestamp. */
  readonly createdAt: string;
  /** Backend the measurements came from, e.g. `linux-host`. */
  readonly fittedOn: string;
  /** The cost model parameters to pass to `new Simulator({ costModel })`. */
  readonly costModel: Partial<CostModel>;
  /** Whether the measured system zeroes every page it hands out (Linux does). */
  readonly freshPages: "zeroed" | "stale";
  /** The measurements the cost model was fitted to, one per size. */
  readonly points: readonly CalibrationPoint[];
}

/**
 * A cost profile of version 2, as written today: version 1's fields under the new tag, with the
 * host facts and the exact command line of the fit.
 *
 * @example
 * ```ts
 * const profile: CostProfileV2 = {
 *   schema: "wavert-bench.cost-profile/2",
 *   name: "my-host",
 *   createdAt: "2025-01-01T00:00:00.000Z",
 *   host: { os: { value: "linux" }, hostname: { value: null, reason: "not permitted" } },
 *   command: ["deno", "file:///repo/cli/bench.ts"],
 *   fittedOn: "linux-host",
 *   costModel: { allocateCallNs: 3000, allocatePageNs: 200 },
 *   freshPages: "stale",
 *   points: [],
 * };
 * ```
 */
export interface CostProfileV2 extends Omit<CostProfileV1, "schema"> {
  /** Format tag of the profile file; the loader refuses any but version 1 and 2. */
  readonly schema: "wavert-bench.cost-profile/2";
  /** The machine and process that fitted it (`results/host_facts.ts`), fact by fact. */
  readonly host: Readonly<Record<string, CostProfileFact>>;
  /** The exact command line: Deno, the main module, its arguments. */
  readonly command: readonly string[];
}

/**
 * A cost profile of either version; only version 2 carries host and command.
 *
 * @example
 * ```ts
 * function describe(profile: CostProfile): string {
 *   return profile.schema === "wavert-bench.cost-profile/2"
 *     ? `${profile.name} (${profile.command.join(" ")})`
 *     : profile.name;
 * }
 * ```
 */
export type CostProfile = CostProfileV1 | CostProfileV2;

const nonNegative = z.number().nonnegative();
const costModelKeys = Object.keys(defaultCostModel) as (keyof CostModel)[];
// Every parameter of the cost model, finite and ≥ 0 (the zeroing bandwidth > 0), as
// `resolveCostModel` demands; an unknown key is refused.
const costModel = z.strictObject(
  Object.fromEntries(
    costModelKeys.map((key) => [
      key,
      (key === "zeroBytesPerSecond" ? z.number().positive() : nonNegative).optional(),
    ]),
  ) as Record<keyof CostModel, z.ZodOptional<z.ZodNumber>>,
).readonly();
const point = z.object({
  bytes: z.number().int().positive(),
  pages: z.number().int().positive(),
  medianNs: nonNegative,
}).readonly();
const common = {
  name: z.string().min(1),
  createdAt: z.iso.datetime({ error: "must be an ISO 8601 date-time" }),
  fittedOn: z.string().min(1),
  costModel,
  freshPages: z.enum(["zeroed", "stale"]),
  points: z.array(point).readonly(),
};
const fact = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  reason: z.string().optional(),
}).readonly();
const v1 = z.object({ schema: z.literal(COST_PROFILE_SCHEMA_V1), ...common }).readonly();
const v2 = z.object({
  schema: z.literal(COST_PROFILE_SCHEMA),
  ...common,
  host: z.record(z.string(), fact).readonly(),
  command: z.array(z.string()).min(1).readonly(),
}).readonly();

/**
 * The zod schema of a cost profile file, version 1 or 2.
 *
 * @example
 * ```ts
 * costProfileSchema.safeParse({ schema: "wavert-bench.cost-profile/2" }).success; // false
 * ```
 */
export const costProfileSchema = z.discriminatedUnion("schema", [v1, v2]);

// The explicit types must be what the schema accepts: a field added to one and not the other fails
// to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameAsSchema: [
  Same<CostProfileV1, z.infer<typeof v1>>,
  Same<CostProfileV2, z.infer<typeof v2>>,
] = [true, true];

/**
 * Validates a parsed cost profile; `source` (a file name) starts the one-line message.
 *
 * @throws {TypeError} `source: field: problem`, one line.
 * @example
 * ```ts
 * try {
 *   parseCostProfile({ schema: "wavert-bench.cost-profile/2", name: "x" }, "p.json");
 * } catch (e) {
 *   (e as Error).message; // "p.json: createdAt: must be an ISO 8601 date-time (and 6 more problem(s))"
 * }
 * ```
 */
export function parseCostProfile(value: unknown, source = "cost profile"): CostProfile {
  const tag = (value as { schema?: unknown } | null)?.schema;
  if (tag !== COST_PROFILE_SCHEMA && tag !== COST_PROFILE_SCHEMA_V1) {
    const got = tag === undefined ? "no schema tag" : `schema ${JSON.stringify(tag)}`;
    throw new TypeError(
      `${source}: this is not a cost profile: ${got}, expected "${COST_PROFILE_SCHEMA}" (or "${COST_PROFILE_SCHEMA_V1}")`,
    );
  }
  const result = costProfileSchema.safeParse(value);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const where = first.path.length === 0 ? "(root)" : first.path.join(".");
  const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem(s))`;
  throw new TypeError(`${source}: ${where}: ${first.message.split("\n")[0]}${more}`);
}

/**
 * Reads and validates a profile file: one line naming the file and the problem when it cannot be
 * read, is truncated, is not JSON or is not a cost profile of version 1 or 2.
 *
 * @throws {TypeError} `path: problem`, one line.
 * @example
 * ```ts ignore
 * import { Simulator } from "./simulator.ts";
 * const profile = loadCostProfile("dist/bench/cost-profile.json");
 * using sim = new Simulator({ costModel: profile.costModel, freshPages: profile.freshPages });
 * ```
 */
export function loadCostProfile(path: string): CostProfile {
  let text;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new TypeError(`${path}: cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 names where parsing stopped: at the very end of the text, the file was cut short.
    const at = /at position (\d+)/.exec(String(error));
    const truncated = text.trim().length === 0 || /end of (JSON )?input/i.test(String(error)) ||
      (at !== null && Number(at[1]) >= text.trimEnd().length - 1);
    throw new TypeError(
      `${path}: ${truncated ? "truncated or empty JSON" : "not JSON"}: ${(error as Error).message}`,
    );
  }
  return parseCostProfile(value, path);
}
