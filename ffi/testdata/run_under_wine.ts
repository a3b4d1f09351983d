/**
 * Test tooling: runs a Windows program under Wine in a prefix of the build directory's own
 * (created on first use, about 6 s; never the user's ~/.wine), with Wine's diagnostics off, and
 * stops that prefix's wineserver afterwards, which would otherwise linger for a few seconds.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Where and how to run the program. */
export interface WineRun {
  /** The Wine prefix directory. */
  readonly prefix: string;
  /** The program, then its arguments. */
  readonly args: readonly string[];
  /** Working directory. */
  readonly cwd?: string;
}

/**
 * Runs `args` under Wine, asserts it exited 0 (with its output in the message) and returns its
 * standard output.
 *
 * @example
 * ```ts ignore
 * const text = await runUnderWine({ prefix: "ffi/native/build/windows/wineprefix", args: ["t.exe"] });
 * ```
 */
export async function runUnderWine(run: WineRun): Promise<string> {
  const env = { WINEPREFIX: run.prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" };
  try {
    const { success, stdout, stderr } = await new Deno.Command("wine", {
      args: [...run.args],
      cwd: run.cwd,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.ok(success, `${text}\n${new TextDecoder().decode(stderr)}`);
    return text;
  } finally {
    await new Deno.Command("wineserver", { args: ["-k"], env, stderr: "null" }).output();
  }
}
