/**
 * Builds the native helper (and, on request, the ABI test program and the plain-C benchmark loop)
 * with the system C compiler into the gitignored `ffi/native/build/`.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run --allow-env ffi/build.ts [--if-outdated]
 *   [--abi-test] [--bench-loop]
 * ```
 *
 * `--if-outdated` builds only when the library is missing or older than its sources, and skips
 * with a message (exit 0) when no compiler exists, so hardware cases are then skipped with a
 * reason instead of failing the run.
 *
 * @module
 */

import { builtHelperPath, nativeBuildDir, nativeSourceDir } from "./paths.ts";

const WARNINGS = ["-O2", "-Wall", "-Wextra", "-Werror"];
/** The Linux helper's sources, one concept a file. */
const HELPER_SOURCES = [
  "wavert_contexts_linux.c",
  "wavert_alloc_linux.c",
  "wavert_mapping_linux.c",
  "wavert_host_linux.c",
  "wavert_status.c",
].map((name) => `${nativeSourceDir}${name}`);
const HEADERS = ["wavert_helper.h", "wavert_linux.h", "wavert_status.h"].map((name) =>
  `${nativeSourceDir}${name}`
);
const BENCH_SOURCE = decodeURIComponent(
  new URL("../bench/native/alloc_loop.c", import.meta.url).pathname,
);

/**
 * One compiler invocation: what it builds, from what, with which extra flags.
 *
 * @example
 * ```ts
 * const target: BuildTarget = { output: "/tmp/x.so", sources: ["x.c"], flags: ["-shared"] };
 * ```
 */
export interface BuildTarget {
  readonly output: string;
  readonly sources: readonly string[];
  readonly flags: readonly string[];
}

/**
 * The targets the build script knows.
 *
 * @example
 * ```ts
 * buildTargets.helper.output; // .../ffi/native/build/libwavert_helper.so
 * ```
 */
export const buildTargets = {
  helper: {
    output: builtHelperPath,
    sources: HELPER_SOURCES,
    flags: ["-shared", "-fPIC", "-Wl,-z,nodelete"],
  },
  abiTest: {
    output: `${nativeBuildDir}abi_test`,
    sources: [`${nativeSourceDir}abi_test.c`, ...HELPER_SOURCES],
    flags: [],
  },
  // The Windows bridge's message encoding, tested with the host compiler (ffi/native/*protocol*).
  protocolTest: {
    output: `${nativeBuildDir}protocol_test`,
    sources: [`${nativeSourceDir}protocol_test.c`, `${nativeSourceDir}wavert_protocol.c`],
    flags: [],
  },
  // The test driver's request handling, through a fake IPortWaveRTStream.
  sessionTest: {
    output: `${nativeBuildDir}session_test`,
    sources: [
      `${nativeSourceDir}windows_driver/session_test.c`,
      `${nativeSourceDir}windows_driver/session.c`,
      `${nativeSourceDir}wavert_protocol.c`,
    ],
    flags: [],
  },
  // Linked against the built library, so the C loop runs the very machine code Deno calls.
  benchLoop: {
    output: `${nativeBuildDir}alloc_loop`,
    sources: [BENCH_SOURCE],
    flags: [
      `-I${nativeSourceDir}`,
      `-L${nativeBuildDir}`,
      "-lwavert_helper",
      `-Wl,-rpath,${nativeBuildDir}`,
    ],
  },
} as const satisfies Record<string, BuildTarget>;

/** The C compiler: `$CC`, else `cc`. */
function compiler(): string {
  return Deno.env.get("CC") || "cc";
}

/**
 * Whether `compiler()` can be run at all.
 *
 * @example
 * ```ts
 * if (!await compilerAvailable()) console.log("no C compiler: hardware cases are skipped");
 * ```
 */
export async function compilerAvailable(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(compiler(), {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * A file's modification time in milliseconds, 0 when it does not exist (so it is older than
 * anything built from it).
 *
 * @example
 * ```ts
 * const stale = await modifiedTime("ffi/build.ts") > await modifiedTime("ffi/native/build/libwavert_helper.so");
 * ```
 */
export async function modifiedTime(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
}

/**
 * True when `target`'s output is missing or older than a source or the header.
 *
 * @example
 * ```ts
 * if (await isOutdated(buildTargets.helper)) await build(buildTargets.helper);
 * ```
 */
export async function isOutdated(target: BuildTarget): Promise<boolean> {
  const built = await modifiedTime(target.output);
  if (built === 0) return true;
  for (const source of [...target.sources, ...HEADERS]) {
    if (await modifiedTime(source) > built) return true;
  }
  return false;
}

/**
 * Compiles one target with `-O2 -Wall -Wextra -Werror`; throws with the compiler's output on
 * failure.
 *
 * @example
 * ```ts
 * await build(buildTargets.helper);
 * ```
 */
export async function build(target: BuildTarget): Promise<void> {
  await Deno.mkdir(nativeBuildDir, { recursive: true });
  const args = [...WARNINGS, "-o", target.output, ...target.sources, ...target.flags, "-pthread"];
  const { success, stderr } = await new Deno.Command(compiler(), { args, stderr: "piped" })
    .output();
  if (!success) {
    throw new Error(
      `${compiler()} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
}

if (import.meta.main) {
  const flags = new Set(Deno.args);
  const known = ["--if-outdated", "--abi-test", "--bench-loop"];
  const unknown = [...flags].filter((f) => !known.includes(f));
  if (unknown.length > 0) {
    console.error(`unknown option(s) ${unknown.join(" ")}; known: ${known.join(" ")}`);
    Deno.exit(2);
  }
  const wanted: BuildTarget[] = [buildTargets.helper];
  if (flags.has("--abi-test")) wanted.push(buildTargets.abiTest);
  if (flags.has("--bench-loop")) wanted.push(buildTargets.benchLoop);
  const ifOutdated = flags.has("--if-outdated");
  if (!await compilerAvailable()) {
    const message = `no C compiler (${compiler()}) found: the WaveRT helper is not built`;
    if (ifOutdated) {
      console.error(`${message}; hardware cases will be skipped`);
      Deno.exit(0);
    }
    console.error(message);
    Deno.exit(1);
  }
  for (const target of wanted) {
    if (ifOutdated && !await isOutdated(target)) continue;
    await build(target);
    console.error(`built ${target.output}`);
  }
}
