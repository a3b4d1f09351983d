/**
 * Where the native helper's sources and build outputs live, shared by the build script and the
 * loader so the two can never disagree.
 *
 * @module
 */

/**
 * Directory of the C sources (`wavert_helper.h`, the Linux implementation, the ABI test).
 *
 * @example
 * ```ts
 * const header = `${nativeSourceDir}wavert_helper.h`;
 * ```
 */
export const nativeSourceDir: string = filePath(new URL("./native/", import.meta.url));

/**
 * Gitignored directory the build script writes into.
 *
 * @example
 * ```ts
 * const abiTest = `${nativeBuildDir}abi_test`;
 * ```
 */
export const nativeBuildDir: string = filePath(new URL("./native/build/", import.meta.url));

/**
 * The locally built helper library, used when `WAVERT_HELPER_PATH` is not set.
 *
 * @example
 * ```ts
 * import { builtHelperPath } from "./paths.ts";
 * console.log(builtHelperPath); // .../ffi/native/build/libwavert_helper.so
 * ```
 */
export const builtHelperPath: string = `${nativeBuildDir}libwavert_helper.so`;

/**
 * Gitignored directory `deno task build:windows` writes the Windows helper DLL, its Wine test
 * program and the test driver into.
 *
 * @example
 * ```ts
 * import { windowsBuildDir } from "./paths.ts";
 * console.log(`${windowsBuildDir}wavert_helper.dll`);
 * ```
 */
export const windowsBuildDir: string = `${nativeBuildDir}windows/`;

/**
 * The locally built helper for an operating system (default: this one): the shared library on
 * Linux, the DLL that talks to the WaveRT test driver on Windows.
 *
 * @throws {RangeError} for any other OS, naming it and the supported ones.
 * @example
 * ```ts
 * import { builtHelperPathFor } from "./paths.ts";
 * builtHelperPathFor("windows"); // .../ffi/native/build/windows/wavert_helper.dll
 * ```
 */
export function builtHelperPathFor(os: typeof Deno.build.os = Deno.build.os): string {
  if (os === "linux") return builtHelperPath;
  if (os === "windows") return `${windowsBuildDir}wavert_helper.dll`;
  throw new RangeError(
    `os must be linux or windows to have a WaveRT helper, got ${os}: set WAVERT_HELPER_PATH to ` +
      "load a helper built some other way",
  );
}

function filePath(url: URL): string {
  return decodeURIComponent(url.pathname);
}
