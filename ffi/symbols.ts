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
 * ```ts
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
  /** int32_t wrt_process_locked(wrt_result *out) */
  wrt_process_locked: { parameters: ["buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The loaded symbols, typed from {@linkcode helperSymbols}.
 *
 * @example
 * ```ts
 * const { wrt_free }: HelperSymbols = lib.symbols;
 * ```
 */
export type HelperSymbols = Deno.DynamicLibrary<typeof helperSymbols>["symbols"];

/**
 * The `WRT_ABI_VERSION` this table matches; a library reporting another version is refused.
 *
 * @example
 * ```ts
 * if (symbols.wrt_abi_version() !== HELPER_ABI_VERSION) throw new Error("stale helper");
 * ```
 */
export const HELPER_ABI_VERSION = 1;

/**
 * Word offsets of `wrt_result` in a `BigUint64Array(ResultWord.length)`.
 *
 * @example
 * ```ts
 * const out = new BigUint64Array(ResultWord.length);
 * symbols.wrt_context_open(out);
 * const context = out[ResultWord.handle];
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
 * const real = (out[ResultWord.flags] & RESULT_FRAMES_VALID) !== 0n;
 * ```
 */
export const RESULT_FRAMES_VALID = 0x1n;

/**
 * Word offsets of `wrt_host_info` in a `BigUint64Array(HostInfoWord.length)`, and its flag bits.
 *
 * @example
 * ```ts
 * const info = new BigUint64Array(HostInfoWord.length);
 * symbols.wrt_host_query(info, reason, BigInt(reason.length));
 * const pageSize = Number(info[HostInfoWord.pageSize]);
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
 * const readable = (info[HostInfoWord.flags] & HostFlag.framesReadable) !== 0n;
 * ```
 */
export const HostFlag = {
  framesReadable: 0x1n,
  thpAlways: 0x2n,
  thpMadvise: 0x4n,
  canLockUnlimited: 0x8n,
} as const;
