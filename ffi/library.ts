/**
 * Finding and loading the native helper: the path chain (environment override, then the locally
 * built file), load failures rethrown with their cause, the ABI version check, and status codes
 * turned into {@linkcode HelperError}s carrying the native message.
 *
 * @module
 */

import { HelperError } from "./helper_error.ts";
import { builtHelperPath, builtHelperPathFor } from "./paths.ts";
import { HELPER_ABI_VERSION, type HelperSymbols, helperSymbols } from "./symbols.ts";

/**
 * Environment variable that overrides the helper library's path.
 *
 * @example
 * ```sh
 * WAVERT_HELPER_PATH=/opt/wavert/libwavert_helper.so npx --yes deno@2 task test
 * ```
 */
export const HELPER_PATH_ENV = "WAVERT_HELPER_PATH";

/**
 * The helper's path: `WAVERT_HELPER_PATH` when set and non-empty, otherwise the library built
 * locally for `os` (default `Deno.build.os`; see {@linkcode builtHelperPathFor}). A missing
 * `--allow-env` permission passes through as Deno's own error.
 *
 * @throws {RangeError} when nothing overrides the path and `os` has no helper.
 * @example
 * ```ts
 * const path = resolveHelperPath(); // .../ffi/native/build/libwavert_helper.so on Linux
 * ```
 */
export function resolveHelperPath(os: typeof Deno.build.os = Deno.build.os): string {
  const override = Deno.env.get(HELPER_PATH_ENV);
  return override !== undefined && override !== "" ? override : builtHelperPathFor(os);
}

/**
 * The helper could not be loaded (missing file, not a shared library, wrong ABI version).
 *
 * @example
 * ```ts
 * try {
 *   HelperLibrary.open("/nonexistent.so");
 * } catch (e) {
 *   if (e instanceof HelperLoadError) console.log(e.path, e.cause);
 * }
 * ```
 */
export class HelperLoadError extends Error {
  /** The path that was tried. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HelperLoadError";
    this.path = path;
  }
}

const MESSAGE_CAPACITY = 512;

/**
 * The loaded helper. Wraps `Deno.DynamicLibrary` (which has no `Symbol.dispose`) so `using`
 * works and `close()` is safe twice; owns the buffer status messages are copied into.
 *
 * @example
 * ```ts
 * using lib = HelperLibrary.open();
 * lib.symbols.wrt_abi_version(); // 1
 * ```
 */
export class HelperLibrary implements Disposable {
  /** Where the library was loaded from. */
  readonly path: string;
  /** The native functions, destructured once by callers. */
  readonly symbols: HelperSymbols;
  readonly #library: Deno.DynamicLibrary<typeof helperSymbols>;
  readonly #message = new Uint8Array(MESSAGE_CAPACITY);
  #closed = false;

  private constructor(path: string, library: Deno.DynamicLibrary<typeof helperSymbols>) {
    this.path = path;
    this.#library = library;
    this.symbols = library.symbols;
  }

  /**
   * Loads the helper from `path` (default {@linkcode resolveHelperPath}). Permission errors pass
   * through untouched; anything else becomes a {@linkcode HelperLoadError} with the cause.
   */
  static open(path: string = resolveHelperPath()): HelperLibrary {
    let library: Deno.DynamicLibrary<typeof helperSymbols>;
    try {
      library = Deno.dlopen(path, helperSymbols);
    } catch (cause) {
      if (
        cause instanceof Deno.errors.NotCapable || cause instanceof Deno.errors.PermissionDenied
      ) {
        throw cause;
      }
      throw new HelperLoadError(
        path,
        `cannot load the WaveRT helper from ${path}: build it with "deno task ${
          Deno.build.os === "windows" ? "build:windows" : "build:ffi"
        }" or set ` +
          `${HELPER_PATH_ENV}`,
        { cause },
      );
    }
    const version = library.symbols.wrt_abi_version();
    if (version !== HELPER_ABI_VERSION) {
      library.close();
      throw new HelperLoadError(
        path,
        `the WaveRT helper at ${path} implements ABI version ${version}, this code needs ` +
          `${HELPER_ABI_VERSION}: rebuild it with "deno task build:ffi"`,
      );
    }
    return new HelperLibrary(path, library);
  }

  /** The helper's message for a status code. */
  statusMessage(status: number): string {
    const length = Number(
      this.symbols.wrt_status_message(status, this.#message, BigInt(MESSAGE_CAPACITY)),
    );
    return new TextDecoder().decode(
      this.#message.subarray(0, Math.min(length, MESSAGE_CAPACITY - 1)),
    );
  }

  /** A {@linkcode HelperError} for a failed call, with the native message. */
  error(call: string, status: number, errno = 0): HelperError {
    return new HelperError(call, status, this.statusMessage(status), errno);
  }

  /** Unloads the library (the OS keeps it while other handles are open); safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#library.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Whether the helper can be loaded here, and if not, why: used to skip hardware cases with a
 * reason instead of failing them.
 *
 * @example
 * ```ts
 * const helper = helperAvailability();
 * Deno.test({ name: "real pages", ignore: !helper.available, fn() {} });
 * ```
 */
export function helperAvailability():
  | { readonly available: true; readonly path: string }
  | { readonly available: false; readonly reason: string } {
  let path = builtHelperPath;
  try {
    path = resolveHelperPath();
    HelperLibrary.open(path).close();
    return { available: true, path };
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return { available: false, reason: `no permission to load ${path}: ${e.message}` };
    }
    if (e instanceof HelperLoadError) {
      const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
      return { available: false, reason: `${e.message}${cause}` };
    }
    if (e instanceof RangeError) return { available: false, reason: e.message };
    throw e;
  }
}
