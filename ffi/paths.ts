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

function filePath(url: URL): string {
  return decodeURIComponent(url.pathname);
}
