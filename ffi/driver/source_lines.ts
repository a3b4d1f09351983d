/**
 * `file:line` of call sites, from the library's debug information through `addr2line` (binutils),
 * one run for all the sites of a sweep. Without addr2line, or without leave to run it, the sites
 * keep their `function+0xNN` names alone and the reason is given.
 *
 * @module
 */

import { hex } from "../../core/hex.ts";

/**
 * `file:line` (the file's base name) for each site that has one, or why none could be had.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built library and addr2line.
 * const found = await sourceLines(library, [0x1a3f]);
 * if ("lines" in found) console.log(found.lines.get(0x1a3f)); // "minwavertstream.cpp:96"
 * ```
 */
export async function sourceLines(
  library: string,
  sites: readonly number[],
): Promise<{ lines: Map<number, string> } | { skipped: string }> {
  if (sites.length === 0) return { lines: new Map() };
  // A site is a return address: the call is the instruction before it.
  const addresses = sites.map((site) => hex(site - 1));
  let output;
  try {
    output = await new Deno.Command("addr2line", {
      args: ["-e", library, ...addresses],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { skipped: "no addr2line on PATH (binutils)" };
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return { skipped: "addr2line may not be run (--allow-run)" };
    }
    throw e;
  }
  if (!output.success) {
    return { skipped: `addr2line failed: ${new TextDecoder().decode(output.stderr).trim()}` };
  }
  const lines = new Map<number, string>();
  new TextDecoder().decode(output.stdout).split("\n").slice(0, sites.length).forEach((line, i) => {
    const where = /([^/\s]+:\d+)(?: \(discriminator \d+\))?$/.exec(line.trim());
    if (where !== null && !where[1].startsWith("??")) lines.set(sites[i], where[1]);
  });
  return { lines };
}
