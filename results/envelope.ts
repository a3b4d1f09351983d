/**
 * The one family of versioned output schemas, `wavert-bench.<kind>/<n>`: every JSON file the
 * project writes starts with its tag, when and where it was made (host facts) and the exact
 * command line. A kind's number is bumped on any incompatible change.
 *
 * @module
 */

import { collectHostFacts, commandLine, type HostFacts } from "./host_facts.ts";

/**
 * Each output kind and the tag of its current version.
 *
 * @example
 * ```ts
 * SCHEMAS["suite-results"]; // "wavert-bench.suite-results/1"
 * ```
 */
export const SCHEMAS = {
  "suite-results": "wavert-bench.suite-results/1",
  "fuzz-report": "wavert-bench.fuzz-report/1",
  "latency-sweep": "wavert-bench.latency-sweep/2",
  "policy-profile": "wavert-bench.policy-profile/2",
  "cost-profile": "wavert-bench.cost-profile/2",
  "merged-results": "wavert-bench.merged-results/1",
} as const;

/**
 * An output kind: a key of {@linkcode SCHEMAS}.
 *
 * @example
 * ```ts
 * const kind: OutputKind = "fuzz-report";
 * ```
 */
export type OutputKind = keyof typeof SCHEMAS;

/**
 * What every output file carries besides its payload.
 *
 * @example
 * ```ts
 * const envelope: Envelope<"fuzz-report"> = await envelopeFor("fuzz-report");
 * envelope.schema; // "wavert-bench.fuzz-report/1"
 * ```
 */
export interface Envelope<K extends OutputKind> {
  /** The kind's tag, `wavert-bench.<kind>/<n>`. */
  readonly schema: (typeof SCHEMAS)[K];
  /** When the file was written, ISO 8601. */
  readonly createdAt: string;
  /** The machine and process that wrote it. */
  readonly host: HostFacts;
  /** The exact command line: Deno, the main module, its arguments. */
  readonly command: readonly string[];
}

/**
 * The envelope of a file of `kind` written now by this process.
 *
 * @example
 * ```ts
 * const file = { ...(await envelopeFor("suite-results")), suites: [] };
 * file.command[1]; // the main module
 * ```
 */
export async function envelopeFor<K extends OutputKind>(kind: K): Promise<Envelope<K>> {
  return {
    schema: SCHEMAS[kind],
    createdAt: new Date().toISOString(),
    host: await collectHostFacts(),
    command: commandLine(),
  };
}

/**
 * JSON.stringify replacer for output files: bigints (addresses) become "0x…" hex strings, since
 * JSON has no 64-bit integers.
 *
 * @example
 * ```ts
 * JSON.stringify({ a: 255n }, bigintAsHex); // '{"a":"0xFF"}'
 * ```
 */
export function bigintAsHex(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? "0x" + value.toString(16).toUpperCase() : value;
}
