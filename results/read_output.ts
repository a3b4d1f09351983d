/**
 * Reading back an output file: refused, with one line naming the file and the problem, when it
 * is not JSON (e.g. truncated), is another kind or version, or lacks what readers rely on.
 *
 * @module
 */

import type { z } from "npm:zod@4.6.7";
import { type OutputKind, SCHEMAS } from "./envelope.ts";
import { outputSchemas } from "./output_schemas.ts";

/**
 * A file that is not a valid output of the expected kind; `message` is one line.
 *
 * @example
 * ```ts
 * new OutputFileError("base.json", "backends: expected array, received undefined").message;
 * // "base.json: backends: expected array, received undefined"
 * ```
 */
export class OutputFileError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "OutputFileError";
  }
}

/**
 * Validates an already parsed value as an output of `kind`; throws {@linkcode OutputFileError}.
 *
 * @example
 * ```ts
 * try {
 *   parseOutput({ schema: "wavert-bench.latency-sweep/2" }, "latency-sweep", "base.json");
 * } catch (e) {
 *   console.log((e as Error).message); // "base.json: host: expected object, received undefined…"
 * }
 * ```
 */
export function parseOutput<K extends OutputKind>(
  value: unknown,
  kind: K,
  path: string,
): z.infer<(typeof outputSchemas)[K]> {
  const expected = SCHEMAS[kind];
  const tag = (value as { schema?: unknown } | null)?.schema;
  if (tag !== expected) {
    const got = tag === undefined ? "no schema tag" : `schema ${JSON.stringify(tag)}`;
    throw new OutputFileError(path, `${got}, expected "${expected}"`);
  }
  const result = outputSchemas[kind].safeParse(value);
  if (!result.success) throw new OutputFileError(path, firstIssue(result.error));
  return result.data as z.infer<(typeof outputSchemas)[K]>;
}

/**
 * Reads and validates an output file of `kind`; throws {@linkcode OutputFileError}.
 *
 * @example
 * ```ts ignore
 * const sweep = await readOutput("dist/bench/latency.json", "latency-sweep");
 * sweep.backends.length;
 * ```
 */
export async function readOutput<K extends OutputKind>(
  path: string,
  kind: K,
): Promise<z.infer<(typeof outputSchemas)[K]>> {
  let text;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new OutputFileError(path, `cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseOutput(parseJson(text, path), kind, path);
}

/**
 * The synchronous {@linkcode readOutput}, for CLIs that validate before any work.
 *
 * @example
 * ```ts ignore
 * const baseline = readOutputSync("base.json", "latency-sweep");
 * ```
 */
export function readOutputSync<K extends OutputKind>(
  path: string,
  kind: K,
): z.infer<(typeof outputSchemas)[K]> {
  let text;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new OutputFileError(path, `cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseOutput(parseJson(text, path), kind, path);
}

/**
 * The first problem zod found, as one line: its field, its message, and how many more there are.
 *
 * @example
 * ```ts
 * import { z } from "npm:zod@4.6.7";
 * const result = z.object({ a: z.string() }).safeParse({});
 * if (!result.success) firstIssue(result.error); // "a: Invalid input: expected string, …"
 * ```
 */
export function firstIssue(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  const where = first.path.length === 0 ? "(root)" : first.path.join(".");
  const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem(s))`;
  return `${where}: ${first.message.split("\n")[0]}${more}`;
}

/**
 * The asynchronous {@linkcode readJsonSync}.
 *
 * @example
 * ```ts ignore
 * const value = await readJson("out/policy-profile.json");
 * ```
 */
export async function readJson(path: string): Promise<unknown> {
  let text;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new OutputFileError(path, `cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseJson(text, path);
}

/**
 * Reads `path` and parses it as JSON; throws {@linkcode OutputFileError} when it cannot be read,
 * is truncated or is not JSON. For files whose schema lives elsewhere (cost, policy profiles).
 *
 * @example
 * ```ts ignore
 * const value = readJsonSync("out/policy-profile.json");
 * ```
 */
export function readJsonSync(path: string): unknown {
  let text;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new OutputFileError(path, `cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseJson(text, path);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8 names where parsing stopped: at the very end of the text, the file was cut short.
    const at = /at position (\d+)/.exec(String(error));
    const truncated = text.trim().length === 0 || /end of (JSON )?input/i.test(String(error)) ||
      (at !== null && Number(at[1]) >= text.trimEnd().length - 1);
    throw new OutputFileError(
      path,
      `${truncated ? "truncated or empty JSON" : "not JSON"}: ${(error as Error).message}`,
    );
  }
}
