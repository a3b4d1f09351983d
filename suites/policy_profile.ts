/**
 * Policy profiles: the answers a hardware run gave to the open questions of the allocation
 * semantics ([HW?]: ByteCount of a size that is not a page multiple, whether the page holding
 * HighAddress may be allocated, TotalBytes = 0), derived from recorded observations and written
 * as JSON the simulator loads into its `policies` option.
 *
 * A question the observations cannot settle stays out of `policies` and is listed under
 * `undetermined` with the reason, so the simulator keeps its documented default for it.
 *
 * Files are tagged `wavert-bench.policy-profile/2` and carry the versioned envelope (when, the
 * host facts, the exact command line). Files of the first format (`"format":
 * "wavert-policy-profile", "version": 1`, no host, no command) still load.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import type { AllocationPolicies } from "../core/policies.ts";
import { SCHEMAS } from "../results/envelope.ts";
import { collectHostFactsSync, commandLine, type HostFacts } from "../results/host_facts.ts";
import { hostFactsSchema } from "../results/output_schemas.ts";
import { firstIssue, OutputFileError, readJson } from "../results/read_output.ts";

export type { AllocationPolicies } from "../core/policies.ts";
export type { Fact, HostFacts } from "../results/host_facts.ts";

/** The simulator policies a hardware run can settle. */
export type OpenQuestion = "byteCount" | "highAddressPage" | "zeroBytes";

/**
 * What one backend did for each open question (see `recordOpenQuestions`). Addresses are hex
 * strings so the observations survive JSON unchanged.
 */
export interface OpenQuestionObservations {
  /** The backend's name, e.g. "linux-host" or "simulator". */
  readonly backend: string;
  /** The backend's bytes per page, against which ByteCounts are judged. */
  readonly pageSize: number;
  /** AllocatePagesForMdl(0xFFFFFFFF, totalBytes) for sizes that are not page multiples. */
  readonly byteCount: readonly { readonly totalBytes: number; readonly byteCount: number | null }[];
  /**
   * AllocatePagesForMdl(highAddress, highAddress + 1): every page of [0, highAddress] asked for,
   * so a free boundary page would be taken when it is eligible.
   */
  readonly highAddress: readonly {
    readonly highAddress: string;
    readonly totalBytes: number;
    /** ByteCount of the MDL, or null when the call returned NULL. */
    readonly byteCount: number | null;
    /** Whether a page frame of the result is the page containing highAddress. */
    readonly boundaryPageAllocated: boolean;
  }[];
  /** AllocatePagesForMdl(0xFFFFFFFF, 0): NULL, an MDL, or an error thrown before the call. */
  readonly zeroBytes: {
    readonly outcome: "null" | "mdl" | "error";
    readonly detail?: string;
  };
}

/**
 * What a policy profile settled, in either format: the backend, the policies, their evidence, and
 * the questions left open.
 *
 * @example
 * ```ts
 * const answers: PolicyAnswers = {
 *   backend: "windows-host",
 *   policies: { byteCount: "rounded" },
 *   evidence: { byteCount: "1920 bytes -> ByteCount 4096" },
 *   undetermined: {},
 * };
 * ```
 */
export interface PolicyAnswers {
  /** Name of the backend whose observations settled the policies, e.g. "windows-wavert". */
  readonly backend: string;
  /** The settled policies, ready for `new Simulator({ policies })`; unsettled ones absent. */
  readonly policies: Partial<Pick<AllocationPolicies, OpenQuestion>>;
  /** For each settled policy, the observations that settled it. */
  readonly evidence: Partial<Record<OpenQuestion, string>>;
  /** For each unsettled question, why. */
  readonly undetermined: Partial<Record<OpenQuestion, string>>;
}

/**
 * A policy profile as written today (`wavert-bench.policy-profile/2`).
 *
 * @example
 * ```ts
 * import { collectHostFacts } from "../results/host_facts.ts";
 * const profile: PolicyProfile = {
 *   schema: "wavert-bench.policy-profile/2",
 *   createdAt: "2026-11-24T12:00:00.000Z",
 *   host: await collectHostFacts(),
 *   command: ["deno", "file:///repo/suites/open_questions.ts", "out/policy-profile.json"],
 *   backend: "windows-host",
 *   policies: { byteCount: "rounded" },
 *   evidence: { byteCount: "1920 bytes -> ByteCount 4096" },
 *   undetermined: {},
 * };
 * ```
 */
export interface PolicyProfile extends PolicyAnswers {
  /** The kind's tag; the loader refuses any but this and the first format. */
  readonly schema: "wavert-bench.policy-profile/2";
  /** When the observations were turned into this profile, as an ISO 8601 timestamp. */
  readonly createdAt: string;
  /** The machine and process that recorded it. */
  readonly host: HostFacts;
  /** The exact command line: Deno, the main module, its arguments. */
  readonly command: readonly string[];
}

/**
 * A policy profile of the first format, before the envelope: still loads.
 *
 * @example
 * ```ts
 * const old: PolicyProfileV1 = {
 *   format: "wavert-policy-profile",
 *   version: 1,
 *   backend: "windows-host",
 *   recordedAt: "2026-11-24T12:00:00.000Z",
 *   policies: { zeroBytes: "null" },
 *   evidence: { zeroBytes: "TotalBytes 0 returned NULL" },
 *   undetermined: {},
 * };
 * ```
 */
export interface PolicyProfileV1 extends PolicyAnswers {
  /** Format tag of the first format. */
  readonly format: "wavert-policy-profile";
  /** Its version, 1. */
  readonly version: 1;
  /** When the observations were turned into the profile, as an ISO 8601 timestamp. */
  readonly recordedAt: string;
}

type Answer<K extends OpenQuestion> =
  | { readonly policy: AllocationPolicies[K]; readonly evidence: string }
  | { readonly policy?: undefined; readonly reason: string };

function roundUp(bytes: number, pageSize: number): number {
  return Math.ceil(bytes / pageSize) * pageSize;
}

function answerByteCount(o: OpenQuestionObservations): Answer<"byteCount"> {
  const full = o.byteCount.filter((b) =>
    b.totalBytes % o.pageSize !== 0 && b.byteCount !== null && b.byteCount >= b.totalBytes
  );
  if (full.length === 0) {
    return { reason: "no request of a size that is not a page multiple was fully satisfied" };
  }
  const seen = full.map((b) => `${b.totalBytes} bytes -> ByteCount ${b.byteCount}`).join(", ");
  if (full.every((b) => b.byteCount === roundUp(b.totalBytes, o.pageSize))) {
    return { policy: "rounded", evidence: seen };
  }
  if (full.every((b) => b.byteCount === b.totalBytes)) {
    return { policy: "requested", evidence: seen };
  }
  return { reason: `the observations fit neither rounded nor requested: ${seen}` };
}

function answerHighAddress(o: OpenQuestionObservations): Answer<"highAddressPage"> {
  const seen = o.highAddress.filter((h) => h.boundaryPageAllocated);
  if (seen.length > 0) {
    return {
      policy: "inclusive",
      evidence: `the page holding HighAddress was allocated for ${
        seen.map((h) => h.highAddress).join(", ")
      }`,
    };
  }
  // Absence proves something only when the allocator ran out of eligible pages, so that a free,
  // eligible boundary page would have been taken; two such runs guard against a page that merely
  // happened to be in use.
  const exhausted = o.highAddress.filter((h) => h.byteCount === null || h.byteCount < h.totalBytes);
  if (exhausted.length >= 2) {
    return {
      policy: "exclusive",
      evidence: `inferred from absence: ${exhausted.length} requests for all of [0, HighAddress] ` +
        `came back short without the page holding HighAddress (${
          exhausted.map((h) => h.highAddress).join(", ")
        })`,
    };
  }
  return {
    reason: `the page holding HighAddress was never allocated, and ${exhausted.length} ` +
      "request(s) exhausted the range (2 are needed to infer exclusive)",
  };
}

function answerZeroBytes(o: OpenQuestionObservations): Answer<"zeroBytes"> {
  const { outcome, detail } = o.zeroBytes;
  if (outcome === "null") return { policy: "null", evidence: "TotalBytes 0 returned NULL" };
  if (outcome === "mdl") {
    return {
      reason: `TotalBytes 0 returned an MDL${detail ? ` (${detail})` : ""}; no simulator policy ` +
        "models that",
    };
  }
  return {
    reason: `the backend refused TotalBytes 0 before calling the allocator${
      detail ? `: ${detail}` : ""
    }`,
  };
}

/**
 * Settles each open question from a backend's observations; the profile carries this host's facts
 * and this process's command line.
 *
 * @example
 * ```ts
 * const profile = derivePolicyProfile({
 *   backend: "windows-host",
 *   pageSize: 4096,
 *   byteCount: [{ totalBytes: 1920, byteCount: 4096 }],
 *   highAddress: [],
 *   zeroBytes: { outcome: "null" },
 * }, new Date("2026-11-24T12:00:00Z"));
 * profile.policies; // { byteCount: "rounded", zeroBytes: "null" }
 * profile.schema; // "wavert-bench.policy-profile/2"
 * ```
 */
export function derivePolicyProfile(
  observations: OpenQuestionObservations,
  recordedAt: Date = new Date(),
): PolicyProfile {
  const policies: Record<string, string> = {};
  const evidence: Record<string, string> = {};
  const undetermined: Record<string, string> = {};
  const answers: [OpenQuestion, Answer<OpenQuestion>][] = [
    ["byteCount", answerByteCount(observations)],
    ["highAddressPage", answerHighAddress(observations)],
    ["zeroBytes", answerZeroBytes(observations)],
  ];
  for (const [question, answer] of answers) {
    if (answer.policy === undefined) {
      undetermined[question] = answer.reason;
    } else {
      policies[question] = answer.policy;
      evidence[question] = answer.evidence;
    }
  }
  return {
    schema: SCHEMAS["policy-profile"],
    createdAt: recordedAt.toISOString(),
    host: collectHostFactsSync(),
    command: commandLine(),
    backend: observations.backend,
    policies: policies as PolicyProfile["policies"],
    evidence,
    undetermined,
  };
}

const reasons = z.strictObject({
  byteCount: z.string().optional(),
  highAddressPage: z.string().optional(),
  zeroBytes: z.string().optional(),
});

const answers = {
  backend: z.string().min(1),
  policies: z.strictObject({
    byteCount: z.enum(["rounded", "requested"]).optional(),
    highAddressPage: z.enum(["inclusive", "exclusive"]).optional(),
    zeroBytes: z.enum(["null", "range-error"]).optional(),
  }),
  evidence: reasons,
  undetermined: reasons,
};
const isoDateTime = z.iso.datetime({ error: "must be an ISO 8601 date-time" });
const v1 = z.strictObject({
  format: z.literal("wavert-policy-profile", { error: 'must be "wavert-policy-profile"' }),
  version: z.literal(1, { error: "must be 1 in the first format" }),
  recordedAt: isoDateTime,
  ...answers,
});
const v2 = z.strictObject({
  schema: z.literal(SCHEMAS["policy-profile"]),
  createdAt: isoDateTime,
  host: hostFactsSchema,
  command: z.array(z.string()).min(1).readonly(),
  ...answers,
});

// The explicit types must be what the schemas accept: a field added to one and not the other
// fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameAsSchema: [
  Same<PolicyProfileV1, z.infer<typeof v1>>,
  Same<PolicyProfile, z.infer<typeof v2>>,
] = [true, true];

/**
 * Validates a parsed profile of either format; `source` (a path) starts the one-line message.
 *
 * @throws {OutputFileError} `source: field: problem (and n more problem(s))`, one line.
 * @example
 * ```ts
 * const policies = parsePolicyProfile({
 *   format: "wavert-policy-profile",
 *   version: 1,
 *   backend: "windows-host",
 *   recordedAt: "2026-11-24T12:00:00.000Z",
 *   policies: { zeroBytes: "null" },
 *   evidence: { zeroBytes: "TotalBytes 0 returned NULL" },
 *   undetermined: {},
 * }).policies; // { zeroBytes: "null" }
 * ```
 */
export function parsePolicyProfile(
  value: unknown,
  source = "profile",
): PolicyProfile | PolicyProfileV1 {
  const object = value as { schema?: unknown; format?: unknown } | null;
  const legacy = object?.schema === undefined && object?.format !== undefined;
  if (!legacy && object?.schema !== SCHEMAS["policy-profile"]) {
    const got = object?.schema === undefined
      ? "no schema tag"
      : `schema ${JSON.stringify(object.schema)}`;
    throw new OutputFileError(
      source,
      `${got}, expected "${
        SCHEMAS["policy-profile"]
      }" (or the first format, "wavert-policy-profile")`,
    );
  }
  const result = (legacy ? v1 : v2).safeParse(value);
  if (!result.success) throw new OutputFileError(source, firstIssue(result.error));
  return result.data;
}

/**
 * Reads a policy profile written by the open-questions run and returns the policies it settled,
 * ready for `new Simulator({ policies })`.
 *
 * @throws {OutputFileError} one line naming the path and the problem when the file cannot be
 * read, is truncated, is not JSON or is not a valid profile.
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a recorded profile.
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator({ policies: await loadPolicyProfile("out/policy-profile.json") });
 * ```
 */
export async function loadPolicyProfile(path: string): Promise<Partial<AllocationPolicies>> {
  return { ...parsePolicyProfile(await readJson(path), path).policies };
}

/**
 * The profile as the JSON file `loadPolicyProfile` reads.
 *
 * @example
 * ```ts
 * const json = policyProfileToJson(derivePolicyProfile({
 *   backend: "simulator",
 *   pageSize: 4096,
 *   byteCount: [],
 *   highAddress: [],
 *   zeroBytes: { outcome: "null" },
 * }));
 * JSON.parse(json).policies.zeroBytes; // "null"
 * ```
 */
export function policyProfileToJson(profile: PolicyProfile): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}
