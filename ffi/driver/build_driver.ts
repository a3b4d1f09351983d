/**
 * Builds a driver library: the driver's C/C++ sources plus the harness shim, compiled with the
 * system compilers against `ffi/driver/include/` into the gitignored `ffi/native/build/driver/`.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run --allow-env ffi/driver/build_driver.ts
 *   [--sanitize]   # instead: build the native harness tests with ASan+UBSan and run them
 * ```
 *
 * `CC=clang CXX=clang++` builds with clang instead of the default `cc`/`c++`.
 *
 * @module
 */

import { modifiedTime } from "../build.ts";

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

/**
 * Where driver libraries are written (gitignored).
 *
 * @example
 * ```ts
 * console.log(driverBuildDir); // .../ffi/native/build/driver/
 * ```
 */
export const driverBuildDir: string = here("../native/build/driver/");

/**
 * The headers a driver compiles against (`-I`).
 *
 * @example
 * ```ts
 * console.log(`${driverIncludeDir}wrt_wdm.h`);
 * ```
 */
export const driverIncludeDir: string = here("./include/");

const NATIVE = here("./native/");
const SHIM_SOURCES = [`${NATIVE}shim_port.cpp`, `${NATIVE}shim_runtime.cpp`];
const SHIM_HEADERS = [`${NATIVE}shim_internal.h`, `${NATIVE}wrt_harness.h`];
// wrt_portcls.h includes the one list of IPortWaveRTStream's methods in ffi/native/.
const HEADERS = ["wrt_wdm.h", "wrt_portcls.h", "wrt_driver_abi.h", "wdm.h", "ntddk.h", "portcls.h"]
  .map((h) => `${driverIncludeDir}${h}`).concat(here("../native/wrt_port_wavert_stream.h"));
const EXAMPLE = here("../../examples/miniport/");

/**
 * Warning flags every driver source is compiled with: warnings are errors.
 *
 * @example
 * ```ts
 * DRIVER_WARNINGS.includes("-Werror"); // true
 * ```
 */
export const DRIVER_WARNINGS: readonly string[] = ["-Wall", "-Wextra", "-Werror", "-Wno-multichar"];

/**
 * What to build: a named library from driver sources (`.c` compiled as C11, anything else as
 * C++17), with optional defines.
 *
 * @example
 * ```ts
 * const spec: DriverLibrarySpec = { name: "my_driver", sources: ["stream.cpp", "entry.cpp"] };
 * ```
 */
export interface DriverLibrarySpec {
  /** The library's name: `lib<name>.so` in `driverBuildDir`. */
  readonly name: string;
  /** The driver's sources: `.c` as C11, anything else as C++17. */
  readonly sources: readonly string[];
  /** `-D` defines, e.g. `WAVERT_EXAMPLE_CLASSIC_BUGS`. */
  readonly defines?: readonly string[];
  /** Extra `-I` directories, searched after `ffi/driver/include/`. */
  readonly includeDirs?: readonly string[];
}

/**
 * The bundled example stream (`examples/miniport/`), correct and with the two classic bugs.
 *
 * @example
 * ```ts
 * exampleDrivers.buggy.defines; // ["WAVERT_EXAMPLE_CLASSIC_BUGS"]
 * ```
 */
export const exampleDrivers = {
  correct: {
    name: "miniport_example",
    sources: [`${EXAMPLE}minwavertstream.cpp`, `${EXAMPLE}entry.cpp`],
  },
  buggy: {
    name: "miniport_example_buggy",
    sources: [`${EXAMPLE}minwavertstream.cpp`, `${EXAMPLE}entry.cpp`],
    defines: ["WAVERT_EXAMPLE_CLASSIC_BUGS"],
  },
  /** The C test driver that breaks one rule per mode (ffi/driver/testdata/contract_driver.c). */
  contract: { name: "contract_driver", sources: [here("./testdata/contract_driver.c")] },
} as const satisfies Record<string, DriverLibrarySpec>;

/**
 * The C and C++ compilers: `$CC`/`$CXX`, else `cc`/`c++`.
 *
 * @example
 * ```ts
 * const { cc, cxx } = driverCompilers();
 * ```
 */
export function driverCompilers(): { cc: string; cxx: string } {
  return { cc: Deno.env.get("CC") || "cc", cxx: Deno.env.get("CXX") || "c++" };
}

/**
 * Whether both compilers run; otherwise the reason, for skipping tests with it.
 *
 * @example
 * ```ts
 * const missing = await driverCompilerMissing();
 * if (missing) console.log(`driver cases skipped: ${missing}`);
 * ```
 */
export async function driverCompilerMissing(): Promise<string | null> {
  for (const compiler of Object.values(driverCompilers())) {
    try {
      const { success } = await new Deno.Command(compiler, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (!success) return `${compiler} --version failed`;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return `no compiler ${compiler} (set $CC/$CXX)`;
      throw e;
    }
  }
  return null;
}

async function run(program: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(program, { args, stderr: "piped" }).output();
  if (!success) {
    throw new Error(`${program} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

/**
 * Options of {@linkcode buildDriverLibrary}.
 *
 * @example
 * ```ts
 * const options: DriverBuildOptions = { sanitize: true };
 * ```
 */
export interface DriverBuildOptions {
  /** AddressSanitizer + UndefinedBehaviorSanitizer (for native programs, not for Deno). */
  readonly sanitize?: boolean;
  /** Build even when the library is newer than every input. */
  readonly force?: boolean;
  /** Link an executable from these extra sources instead of a shared library. */
  readonly program?: readonly string[];
  /** Extra `-D` defines for this build only. */
  readonly defines?: readonly string[];
}

/**
 * Compiles `spec` with the shim into `driverBuildDir` and returns the library's path. Skips the
 * work when the output is newer than every source and header. Writes to a temporary name and
 * renames, so parallel test files can build the same library safely.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it runs the compilers.
 * const library = await buildDriverLibrary(exampleDrivers.correct);
 * ```
 */
export async function buildDriverLibrary(
  spec: DriverLibrarySpec,
  options: DriverBuildOptions = {},
): Promise<string> {
  const { cc, cxx } = driverCompilers();
  const suffix = options.sanitize ? "_sanitized" : "";
  const output = options.program
    ? `${driverBuildDir}${spec.name}_test${suffix}`
    : `${driverBuildDir}lib${spec.name}${suffix}.so`;
  const inputs = [...spec.sources, ...SHIM_SOURCES, ...SHIM_HEADERS, ...HEADERS];
  inputs.push(...(options.program ?? []));
  const built = await modifiedTime(output);
  if (!options.force && built > 0) {
    const times = await Promise.all(inputs.map(modifiedTime));
    if (times.every((t) => t < built)) return output;
  }
  await Deno.mkdir(driverBuildDir, { recursive: true });
  const common = [
    "-O2",
    "-g",
    "-fPIC",
    "-fno-omit-frame-pointer",
    ...DRIVER_WARNINGS,
    `-I${driverIncludeDir}`,
    ...(spec.includeDirs ?? []).map((d) => `-I${d}`),
    ...[...(spec.defines ?? []), ...(options.defines ?? [])].map((d) => `-D${d}`),
    ...(options.sanitize
      ? ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-O1"]
      : []),
  ];
  const tag = `${Deno.pid}_${crypto.randomUUID().slice(0, 8)}`;
  const objects: string[] = [];
  try {
    const sources = [...spec.sources, ...SHIM_SOURCES, ...(options.program ?? [])];
    await Promise.all(sources.map(async (source, i) => {
      const object = `${driverBuildDir}${spec.name}${suffix}_${i}_${tag}.o`;
      objects.push(object);
      const c = source.endsWith(".c");
      await run(c ? cc : cxx, [
        ...common,
        c ? "-std=c11" : "-std=c++17",
        "-c",
        source,
        "-o",
        object,
      ]);
    }));
    const temporary = `${output}.${tag}`;
    const link = options.program ? [] : ["-shared"];
    await run(cxx, [...common, ...link, "-o", temporary, ...objects, "-ldl"]);
    await Deno.rename(temporary, output);
  } finally {
    await Promise.all(objects.map((o) => Deno.remove(o).catch(() => {})));
  }
  return output;
}

/**
 * The native harness test program (`native/harness_test.cpp`), once per driver: the shim and the
 * driver against a fake port, without Deno, so sanitizers see all of the native code.
 *
 * @example
 * ```ts
 * nativeHarnessTests.map((t) => t.spec.name); // ["miniport_example", "miniport_example_buggy", ...]
 * ```
 */
export const nativeHarnessTests: readonly {
  readonly spec: DriverLibrarySpec;
  readonly define: string;
}[] = [
  { spec: exampleDrivers.correct, define: "WRT_TEST_DRIVER_EXAMPLE" },
  { spec: exampleDrivers.buggy, define: "WRT_TEST_DRIVER_EXAMPLE" },
  { spec: exampleDrivers.contract, define: "WRT_TEST_DRIVER_CONTRACT" },
];

/**
 * Builds and runs every native harness test; with `sanitize`, under AddressSanitizer (leak
 * detection on) and UndefinedBehaviorSanitizer, halting on the first error.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it runs the compilers and the programs.
 * for (const r of await runNativeHarnessTests({ sanitize: true })) console.log(r.name, r.output);
 * ```
 */
export async function runNativeHarnessTests(
  options: { readonly sanitize?: boolean; readonly force?: boolean } = {},
): Promise<{ name: string; success: boolean; output: string }[]> {
  return await Promise.all(nativeHarnessTests.map(async (test) => {
    const program = await buildDriverLibrary(test.spec, {
      program: [`${NATIVE}harness_test.cpp`],
      defines: [test.define],
      sanitize: options.sanitize,
      force: options.force,
    });
    const { success, stdout, stderr } = await new Deno.Command(program, {
      env: {
        ASAN_OPTIONS: "detect_leaks=1:abort_on_error=1",
        UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    return { name: test.spec.name, success, output: output.trim() };
  }));
}

if (import.meta.main) {
  const missing = await driverCompilerMissing();
  if (missing) {
    console.error(`driver libraries not built: ${missing}`);
    Deno.exit(1);
  }
  if (Deno.args.includes("--sanitize")) {
    let failed = false;
    for (const result of await runNativeHarnessTests({ sanitize: true, force: true })) {
      console.log(`${result.name} (ASan+UBSan): ${result.output}`);
      failed ||= !result.success || !/^\d+ passed, 0 failed$/m.test(result.output);
    }
    Deno.exit(failed ? 1 : 0);
  }
  for (const spec of Object.values(exampleDrivers)) {
    console.error(`built ${await buildDriverLibrary(spec, { force: true })}`);
  }
}
