/**
 * Cross-builds the Windows bridge with mingw-w64 into the gitignored `ffi/native/build/windows/`:
 * the helper DLL (`wavert_helper.dll`, the same C ABI as the Linux helper, over the test
 * driver), the console program that tests its driver-missing path under Wine, and the WaveRT test
 * driver (`wavert_test.sys`, with its INF and the portcls import library it links against).
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run --allow-env ffi/build_windows.ts [--if-available]
 * ```
 *
 * `--if-available` exits 0 with a message when mingw-w64 is not installed (the Windows bridge
 * tests are then skipped with that reason).
 *
 * @module
 */

import { nativeSourceDir, windowsBuildDir } from "./paths.ts";

const MINGW = "x86_64-w64-mingw32-";
/**
 * Warning and optimisation flags of every Windows build.
 *
 * @example
 * ```ts
 * import { WARNINGS } from "./build_windows.ts";
 * console.log(WARNINGS.includes("-Werror")); // true
 * ```
 */
export const WARNINGS: readonly string[] = ["-O2", "-Wall", "-Wextra", "-Werror"];
const DRIVER_SOURCE_DIR = `${nativeSourceDir}windows_driver/`;
const PROTOCOL_SOURCE = `${nativeSourceDir}wavert_protocol.c`;
/** The helper's own render pin (SetupAPI, ksuser.dll); also linked into the Wine test. */
const STREAM_SOURCE = `${nativeSourceDir}wavert_stream_windows.c`;
const HELPER_LIBRARIES = ["-lsetupapi", "-lksuser"];
/** What every user-mode Windows program links: status codes and messages, the bridge protocol. */
const USER_MODE_SOURCES = [
  `${nativeSourceDir}wavert_status_windows.c`,
  `${nativeSourceDir}wavert_status.c`,
  PROTOCOL_SOURCE,
];
/** The helper's C ABI over its contexts; the budget test replaces only the device and the pin. */
const HELPER_SOURCES = [
  `${nativeSourceDir}wavert_helper_windows.c`,
  `${nativeSourceDir}wavert_contexts_windows.c`,
];

/**
 * Kernel-mode compile flags: no C library, no stack protector (its runtime does not exist in the
 * kernel), no red zone (interrupts use the kernel stack below the stack pointer). The MSVC ABI
 * test (`msvc_abi_test.ts`) compiles the driver's PortCls code with exactly these.
 *
 * @example
 * ```ts
 * import { KERNEL_FLAGS } from "./build_windows.ts";
 * console.log(KERNEL_FLAGS.includes("-mno-red-zone")); // true
 * ```
 */
export const KERNEL_FLAGS: readonly string[] = [
  "-std=gnu11",
  "-ffreestanding",
  "-fno-builtin",
  "-fno-stack-protector",
  "-mno-red-zone",
  "-D_AMD64_",
  "-D_WIN64",
  "-DNTDDI_VERSION=0x0A000000",
  "-D_WIN32_WINNT=0x0A00",
];

/**
 * Link flags of a kernel driver image: native subsystem, DriverEntry, relocatable, NX. Not
 * `-shared`: a driver is an executable image, and `--dynamicbase` keeps its relocations.
 */
const DRIVER_LINK_FLAGS = [
  "-nostdlib",
  "-nostartfiles",
  "-Wl,--subsystem,native",
  "-Wl,--entry,DriverEntry",
  "-Wl,--image-base,0x140000000",
  "-Wl,--file-alignment,0x200",
  "-Wl,--section-alignment,0x1000",
  "-Wl,--dynamicbase",
  "-Wl,--nxcompat",
  // Windows 10 in the optional header, as Microsoft's linker writes for a Windows 10 driver
  // (mingw's default is 4.0 / 5.2).
  "-Wl,--major-os-version,10",
  "-Wl,--minor-os-version,0",
  "-Wl,--major-subsystem-version,10",
  "-Wl,--minor-subsystem-version,0",
];

/**
 * Where each Windows build output goes.
 *
 * @example
 * ```ts
 * import { windowsOutputs } from "./build_windows.ts";
 * console.log(windowsOutputs.driver); // .../ffi/native/build/windows/wavert_test.sys
 * ```
 */
export const windowsOutputs = {
  helperDll: `${windowsBuildDir}wavert_helper.dll`,
  helperTest: `${windowsBuildDir}windows_helper_test.exe`,
  budgetTest: `${windowsBuildDir}windows_budget_test.exe`,
  portclsImportLibrary: `${windowsBuildDir}libportcls.a`,
  driver: `${windowsBuildDir}wavert_test.sys`,
  inf: `${windowsBuildDir}wavert_test.inf`,
} as const;

/**
 * The mingw-w64 tool of that name (`gcc`, `dlltool`, `objdump`), e.g. `x86_64-w64-mingw32-gcc`.
 *
 * @example
 * ```ts
 * import { mingwTool } from "./build_windows.ts";
 * mingwTool("dlltool"); // "x86_64-w64-mingw32-dlltool"
 * ```
 */
export function mingwTool(name: "gcc" | "dlltool" | "objdump"): string {
  return `${MINGW}${name}`;
}

/**
 * Whether the mingw-w64 cross compiler can run here, and if not, why.
 *
 * @example
 * ```ts
 * import { mingwAvailability } from "./build_windows.ts";
 * const mingw = await mingwAvailability();
 * if (!mingw.available) console.log(mingw.reason);
 * ```
 */
export async function mingwAvailability(): Promise<
  { readonly available: true } | { readonly available: false; readonly reason: string }
> {
  try {
    const { success } = await new Deno.Command(mingwTool("gcc"), {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (success) return { available: true };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return {
    available: false,
    reason: `${mingwTool("gcc")} not found: install mingw-w64 (apt-get install mingw-w64)`,
  };
}

/**
 * Runs a build tool; throws with its command line and output when it fails.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs mingw-w64.
 * await runTool(mingwTool("objdump"), ["-p", windowsOutputs.driver]);
 * ```
 */
export async function runTool(command: string, args: readonly string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(command, {
    args: [...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${decoder.decode(stderr)}`);
  }
  return decoder.decode(stdout);
}

/**
 * The directory holding mingw-w64's kernel headers (`ntddk.h`, `ks.h`), found among the cross
 * compiler's own include directories rather than assumed, so any distribution's layout works.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs mingw-w64.
 * const ddk = await ddkIncludeDir(); // e.g. /usr/share/mingw-w64/include/ddk
 * ```
 */
export async function ddkIncludeDir(): Promise<string> {
  const { stderr } = await new Deno.Command(mingwTool("gcc"), {
    args: ["-xc", "-E", "-v", "-"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(stderr).split("\n");
  const start = lines.findIndex((l) => l.startsWith("#include <...> search starts here"));
  const end = lines.findIndex((l) => l.startsWith("End of search list"));
  for (const line of lines.slice(start + 1, end)) {
    const candidate = `${line.trim()}/ddk`;
    try {
      await Deno.stat(`${candidate}/ntddk.h`);
      return candidate;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  throw new Error(`no ddk/ntddk.h in ${mingwTool("gcc")}'s include path: mingw-w64 is incomplete`);
}

/**
 * Builds every Windows output (see {@linkcode windowsOutputs}); throws with the tool's output on
 * the first failure.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs mingw-w64.
 * await buildWindows();
 * ```
 */
export async function buildWindows(): Promise<void> {
  await Deno.mkdir(windowsBuildDir, { recursive: true });
  const gcc = mingwTool("gcc");
  const program = (flags: readonly string[], output: string, sources: readonly string[]) =>
    runTool(gcc, [...WARNINGS, ...flags, "-o", output, ...sources]);
  await program(["-shared", "-static-libgcc"], windowsOutputs.helperDll, [
    ...HELPER_SOURCES,
    `${nativeSourceDir}wavert_device_windows.c`,
    STREAM_SOURCE,
    ...USER_MODE_SOURCES,
    ...HELPER_LIBRARIES,
  ]);
  await program([], windowsOutputs.helperTest, [
    `${nativeSourceDir}windows_helper_test.c`,
    STREAM_SOURCE,
    ...USER_MODE_SOURCES,
    ...HELPER_LIBRARIES,
  ]);
  // The helper's budget against a fake driver (the test file replaces the device and the pin).
  await program([], windowsOutputs.budgetTest, [
    `${nativeSourceDir}windows_budget_test.c`,
    ...HELPER_SOURCES,
    ...USER_MODE_SOURCES,
  ]);

  await runTool(mingwTool("dlltool"), [
    "-d",
    `${DRIVER_SOURCE_DIR}portcls.def`,
    "-l",
    windowsOutputs.portclsImportLibrary,
  ]);
  const ddk = await ddkIncludeDir();
  await runTool(gcc, [
    ...WARNINGS,
    ...KERNEL_FLAGS,
    `-I${ddk}`,
    ...DRIVER_LINK_FLAGS,
    "-o",
    windowsOutputs.driver,
    `${DRIVER_SOURCE_DIR}wavert_test.c`,
    `${DRIVER_SOURCE_DIR}miniport.c`,
    `${DRIVER_SOURCE_DIR}session.c`,
    PROTOCOL_SOURCE,
    `-L${windowsBuildDir}`,
    "-lportcls",
    "-lntoskrnl",
    "-lhal",
  ]);
  await Deno.copyFile(`${DRIVER_SOURCE_DIR}wavert_test.inf`, windowsOutputs.inf);
}

if (import.meta.main) {
  const flags = new Set(Deno.args);
  const unknown = [...flags].filter((f) => f !== "--if-available");
  if (unknown.length > 0) {
    console.error(`unknown option(s) ${unknown.join(" ")}; known: --if-available`);
    Deno.exit(2);
  }
  const mingw = await mingwAvailability();
  if (!mingw.available) {
    console.error(`the Windows bridge is not built: ${mingw.reason}`);
    Deno.exit(flags.has("--if-available") ? 0 : 1);
  }
  await buildWindows();
  for (const output of Object.values(windowsOutputs)) console.error(`built ${output}`);
}
