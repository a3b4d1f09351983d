/**
 * How every command line reads its options: `node:util`'s `parseArgs` with positional arguments
 * allowed and unknown options refused, a command line it cannot read coming back as its message
 * for the command's own usage error.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/**
 * What {@linkcode parseCommandLine} read: each option's value and the positional arguments.
 *
 * @example
 * ```ts
 * const line: CommandLine<{ html: { type: "string" } }> = {
 *   values: { html: "out/a.html" },
 *   positionals: ["a.json"],
 * };
 * ```
 */
export type CommandLine<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>
>;

/**
 * Reads `args` against `options`; an unknown option or a missing value comes back as
 * `{ error }` with `parseArgs`'s message.
 *
 * @example
 * ```ts
 * const line = parseCommandLine(["a.json", "--html", "out/a.html"], { html: { type: "string" } });
 * if (!("error" in line)) console.log(line.values.html, line.positionals); // "out/a.html" ["a.json"]
 * ```
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
): CommandLine<O> | { readonly error: string } {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
