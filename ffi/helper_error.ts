/**
 * Native status codes (`WRT_E_*` in `native/wavert_helper.h`) and the typed error they become.
 *
 * @module
 */

/**
 * `WRT_*` status codes by name. Codes are stable: the helper only ever appends new ones.
 *
 * @example
 * ```ts
 * const status: number = HelperStatus.NOT_CONTIGUOUS; // as wrt_allocate_contiguous returned it
 * if (status === HelperStatus.NOT_CONTIGUOUS) console.log("no contiguous range: return NULL");
 * ```
 */
export const HelperStatus = {
  OK: 0,
  INVALID_ARGUMENT: 1,
  ZERO_SIZE: 2,
  TOO_LARGE: 3,
  BUFFER_TOO_SMALL: 4,
  NO_MEMORY: 5,
  NOT_CONTIGUOUS: 6,
  FRAMES_UNAVAILABLE: 7,
  UNKNOWN_HANDLE: 8,
  ALREADY_MAPPED: 9,
  NOT_MAPPED: 10,
  WRONG_ADDRESS: 11,
  STILL_MAPPED: 12,
  SYSTEM: 13,
  DRIVER_NOT_FOUND: 14,
  NO_STREAM: 15,
  PROTOCOL: 16,
  ADDRESSES_HIDDEN: 17,
  UNSUPPORTED: 18,
  OVER_BUDGET: 19,
} as const;

/**
 * The Windows helper's own `WRTW_E_*` codes (`native/wavert_helper_windows.h`), from 64 up: the
 * test driver's refusals that the shared codes have no name for, and opening the test pin.
 *
 * @example
 * ```ts
 * const status: number = WindowsHelperStatus.HANDLE_BYTES; // the per-handle cap on locked bytes
 * new HelperError("wrt_allocate", status, "over the cap").message; // "… (WRTW_E_HANDLE_BYTES, status 66)"
 * ```
 */
export const WindowsHelperStatus = {
  TABLE_FULL: 64,
  PAGE_INDEX: 65,
  HANDLE_BYTES: 66,
  HANDLE_ALLOCATIONS: 67,
  GLOBAL_BYTES: 68,
  GLOBAL_ALLOCATIONS: 69,
  NO_FILTER: 70,
  PIN: 71,
} as const;

/**
 * One of the {@linkcode HelperStatus} values.
 *
 * @example
 * ```ts
 * const status: HelperStatusCode = HelperStatus.NO_MEMORY;
 * ```
 */
export type HelperStatusCode = typeof HelperStatus[keyof typeof HelperStatus];

/**
 * A native call that returned a status other than `WRT_OK` where the backend has no Windows
 * meaning for it. Carries the code, its `WRT_E_*` name, the helper's own message and, for system
 * call failures, the errno.
 *
 * @example
 * ```ts
 * const error = new HelperError("wrt_map", HelperStatus.SYSTEM, "mmap failed", 12);
 * error.statusName; // "SYSTEM"
 * error.message; // "wrt_map failed: mmap failed (WRT_E_SYSTEM, status 13, errno 12)"
 * ```
 */
export class HelperError extends Error {
  /** The native status code. */
  readonly status: number;
  /** Name of the code without its prefix (`WRT_E_*` or, from 64 up, `WRTW_E_*`), or `"UNKNOWN"`. */
  readonly statusName: string;
  /** errno of the failing system call, 0 when none. */
  readonly errno: number;

  /** The failure of helper function `call` with `status`, its message and errno (0: none). */
  constructor(call: string, status: number, nativeMessage: string, errno = 0) {
    const name = statusName(status);
    const prefix = name in WindowsHelperStatus ? "WRTW_E_" : "WRT_E_";
    super(
      `${call} failed: ${nativeMessage} (${prefix}${name}, status ${status}` +
        (errno === 0 ? ")" : `, errno ${errno})`),
    );
    this.name = "HelperError";
    this.status = status;
    this.statusName = name;
    this.errno = errno;
  }
}

function statusName(status: number): string {
  const entry = [...Object.entries(HelperStatus), ...Object.entries(WindowsHelperStatus)]
    .find(([, code]) => code === status);
  return entry === undefined ? "UNKNOWN" : entry[0];
}
