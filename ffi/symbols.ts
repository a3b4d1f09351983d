/**
 * The helper's whole native surface: one symbol table, mirroring `native/wavert_helper.h`.
 * Every buffer is caller-owned and every 64-bit value is a `bigint`, so calls need nothing beyond
 * `--allow-ffi=<helper path>` and stay on Deno's fast call path.
 *
 * @module
 */

/**
 * Symbols of `wavert_helper.h` (ABI version {@linkcode HELPER_ABI_VERSION}), each with its C
 * signature. `wrt_result` and `wrt_host_info` are passed as `BigUint64Array`s laid out like the
 * structs (see {@linkcode ResultWord} and {@linkcode HostInfoWord}).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { builtHelperPath } from "./paths.ts";
 * const lib = Deno.dlopen(builtHelperPath, helperSymbols);
 * lib.symbols.wrt_abi_version(); // 1
 * lib.close();
 * ```
 */
export const helperSymbols = {
  /** uint32_t wrt_abi_version(void) */
  wrt_abi_version: { parameters: [], result: "u32" },
  /** uint64_t wrt_status_message(int32_t status, uint8_t *buffer, uint64_t capacity) */
  wrt_status_message: { parameters: ["i32", "buffer", "u64"], result: "u64" },
  /** int32_t wrt_host_query(wrt_host_info *info, uint8_t *reason, uint64_t reason_capacity) */
  wrt_host_query: { parameters: ["buffer", "buffer", "u64"], result: "i32" },
  /** int32_t wrt_context_open(wrt_result *out) */
  wrt_context_open: { parameters: ["buffer"], result: "i32" },
  /** int32_t wrt_context_close(uint64_t context, wrt_result *out) */
  wrt_context_close: { parameters: ["u64", "buffer"], result: "i32" },
  /**
   * int32_t wrt_allocate_pages(uint64_t context, uint64_t high_address, uint64_t total_bytes,
   *                            uint64_t *frames, uint64_t frames_capacity, wrt_result *out)
   */
  wrt_allocate_pages: {
    parameters: ["u64", "u64", "u64", "buffer", "u64", "buffer"],
    result: "i32",
  },
  /**
   * int32_t wrt_allocate_contiguous(uint64_t context, uint64_t low_address,
   *                                 uint64_t high_address, uint64_t total_bytes,
   *                                 uint64_t *frames, uint64_t frames_capacity, wrt_result *out)
   */
  wrt_allocate_contiguous: {
    parameters: ["u64", "u64", "u64", "u64", "buffer", "u64", "buffer"],
    result: "i32",
  },
  /** int32_t wrt_map(uint64_t context, uint64_t handle, uint32_t cache_type, wrt_result *out) */
  wrt_map: { parameters: ["u64", "u64", "u32", "buffer"], result: "i32" },
  /** int32_t wrt_unmap(uint64_t context, uint64_t handle, uint64_t base, wrt_result *out) */
  wrt_unmap: { parameters: ["u64", "u64", "u64", "buffer"], result: "i32" },
  /** int32_t wrt_free(uint64_t context, uint64_t handle, wrt_result *out) */
  wrt_free: { parameters: ["u64", "u64", "buffer"], result: "i32" },
  /**
   * int32_t wrt_query_frames(uint64_t context, uint64_t handle, uint64_t *frames,
   *                          uint64_t frames_capacity, wrt_result *out)
   */
  wrt_query_frames: { parameters: ["u64", "u64", "buffer", "u64", "buffer"], result: "i32" },
  /** int32_t wrt_context_stats(uint64_t context, wrt_result *out) */
  wrt_context_stats: { parameters: ["u64", "buffer"], result: "i32" },
  /** int32_t wrt_context_set_budget(uint64_t context, uint64_t max_locked_bytes, wrt_result *out) */
  wrt_context_set_budget: { parameters: ["u64", "u64", "buffer"], result: "i32" },
  /** int32_t wrt_process_stats(wrt_result *out) */
  wrt_process_stats: { parameters: ["buffer"], result: "i32" },
  /** int32_t wrt_memory_available(wrt_result *out) */
  wrt_memory_available: { parameters: ["buffer"], result: "i32" },
  /** int32_t wrt_process_locked(wrt_result *out) */
  wrt_process_locked: { parameters: ["buffer"], result: "i32" },
  /** int32_t wrt_host_ram(uint64_t *ranges, uint64_t capacity, wrt_result *out) */
  wrt_host_ram: { parameters: ["buffer", "u64", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The loaded symbols, typed from {@linkcode helperSymbols}.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * using lib = HelperLibrary.open();
 * const { wrt_free }: HelperSymbols = lib.symbols;
 * ```
 */
export type HelperSymbols = Deno.DynamicLibrary<typeof helperSymbols>["symbols"];

/**
 * The `WRT_ABI_VERSION` this table matches; a library reporting another version is refused.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { builtHelperPath } from "./paths.ts";
 * const lib = Deno.dlopen(builtHelperPath, helperSymbols);
 * const version = lib.symbols.wrt_abi_version();
 * lib.close();
 * if (version !== HELPER_ABI_VERSION) throw new Error(`stale helper: ABI ${version}`);
 * ```
 */
export const HELPER_ABI_VERSION = 1;

/**
 * Word offsets of `wrt_result` in a `BigUint64Array(ResultWord.length)`.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * using lib = HelperLibrary.open();
 * const out = new BigUint64Array(ResultWord.length);
 * lib.symbols.wrt_context_open(out);
 * const context = out[ResultWord.handle];
 * lib.symbols.wrt_context_close(context, out);
 * ```
 */
export const ResultWord = {
  handle: 0,
  byteCount: 1,
  durationNs: 2,
  address: 3,
  flags: 4,
  sysErrno: 5,
  length: 6,
} as const;

/**
 * `wrt_result.flags`: the frame numbers are real, not the zeros an unprivileged read gets.
 *
 * @example
 * ```ts
 * const out = new BigUint64Array(ResultWord.length); // what an allocation call filled in
 * out[ResultWord.flags] = RESULT_FRAMES_VALID; // set by the helper when the frames are real
 * const real = (out[ResultWord.flags] & RESULT_FRAMES_VALID) !== 0n; // true
 * ```
 */
export const RESULT_FRAMES_VALID = 0x1n;

/**
 * Word offsets of `wrt_host_info` in a `BigUint64Array(HostInfoWord.length)`, and its flag bits.
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper (deno task build:ffi).
 * import { HelperLibrary } from "./library.ts";
 * using lib = HelperLibrary.open();
 * const info = new BigUint64Array(HostInfoWord.length);
 * const reason = new Uint8Array(256);
 * lib.symbols.wrt_host_query(info, reason, BigInt(reason.length));
 * const pageSize = Number(info[HostInfoWord.pageSize]); // 4096
 * ```
 */
export const HostInfoWord = {
  abiVersion: 0,
  pageSize: 1,
  flags: 2,
  memlockLimit: 3,
  clockResolutionNs: 4,
  clockMeasuredNs: 5,
  hugePageSize: 6,
  length: 7,
} as const;

/**
 * `wrt_host_info.flags` bits (`WRT_HOST_*`).
 *
 * @example
 * ```ts
 * const info = new BigUint64Array(HostInfoWord.length); // what wrt_host_query filled in
 * info[HostInfoWord.flags] = HostFlag.framesReadable | HostFlag.thpMadvise; // as the helper sets it
 * const readable = (info[HostInfoWord.flags] & HostFlag.framesReadable) !== 0n; // true
 * ```
 */
export const HostFlag = {
  framesReadable: 0x1n,
  thpAlways: 0x2n,
  thpMadvise: 0x4n,
  canLockUnlimited: 0x8n,
} as const;
