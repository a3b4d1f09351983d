/*
 * wavert_helper: the hardware side of wavert-bench, a stable C ABI that mirrors the page
 * allocation methods of IPortWaveRTStream.
 *
 * ABI rules, so that Deno can call it with nothing more than --allow-ffi=<library path>:
 *  - every buffer is owned by the caller: frame numbers go into a uint64_t array the caller
 *    passes with its length, results and timings into a caller-owned struct;
 *  - every call returns an int32_t status (WRT_OK or a WRT_E_* code) and wrt_status_message()
 *    copies the message for a code into a caller buffer;
 *  - no returned pointer is ever dereferenced by the caller: addresses are plain numbers.
 *
 * Allocations belong to a context (one per backend), so several backends in one process (test
 * workers share the loaded library) never free each other's pages. All calls are thread-safe.
 */
#ifndef WAVERT_HELPER_H
#define WAVERT_HELPER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any change to a signature, a struct layout or the meaning of a code. Adding a
 * function or appending a status code changes none of these, so it does not bump the version:
 * a caller that needs a newer function finds out when loading the symbol fails. */
#define WRT_ABI_VERSION 1

/* Status codes. Codes are stable: new ones are only ever appended. */
#define WRT_OK 0
#define WRT_E_INVALID_ARGUMENT 1  /* a null buffer, a bad cache type, low > high */
#define WRT_E_ZERO_SIZE 2         /* totalBytes is 0: nothing to allocate */
#define WRT_E_TOO_LARGE 3         /* totalBytes above 4 GiB minus one page */
#define WRT_E_BUFFER_TOO_SMALL 4  /* the frame array is shorter than the pages asked for */
#define WRT_E_NO_MEMORY 5         /* not a single page could be allocated and locked */
#define WRT_E_NOT_CONTIGUOUS 6    /* the pages obtained were not physically contiguous */
#define WRT_E_FRAMES_UNAVAILABLE 7 /* frame numbers cannot be read, so contiguity is unknown */
#define WRT_E_UNKNOWN_HANDLE 8    /* not a live allocation or context: freed twice, or foreign */
#define WRT_E_ALREADY_MAPPED 9    /* map called twice without unmap */
#define WRT_E_NOT_MAPPED 10       /* unmap of an allocation that is not mapped */
#define WRT_E_WRONG_ADDRESS 11    /* unmap with a base address map did not return */
#define WRT_E_STILL_MAPPED 12     /* free of an allocation that is still mapped */
#define WRT_E_SYSTEM 13           /* a system call failed unexpectedly; see sys_errno */
/* Windows helper only (see wavert_helper_windows.c): */
#define WRT_E_DRIVER_NOT_FOUND 14 /* the WaveRT test driver's device cannot be opened */
#define WRT_E_NO_STREAM 15        /* the driver holds no IPortWaveRTStream: no stream is open */
#define WRT_E_PROTOCOL 16         /* the driver refused a request or answered a malformed message;
                                     sys_errno carries the WRTP_E_* status of wavert_protocol.h */
/* wrt_host_ram: */
#define WRT_E_ADDRESSES_HIDDEN 17 /* the kernel shows zeros for physical addresses: reading
                                     /proc/iomem needs CAP_SYS_ADMIN */
#define WRT_E_UNSUPPORTED 18      /* this helper or system offers no physical RAM ranges (the
                                     Windows helper; Linux without /proc/iomem or RAM lines) */
#define WRT_E_OVER_BUDGET 19      /* the request would exceed the context's locked-memory budget
                                     (wrt_context_set_budget); nothing was allocated */
#define WRT_STATUS_COUNT 20

/* Cache types, with MEMORY_CACHING_TYPE's values. */
#define WRT_CACHE_NON_CACHED 0
#define WRT_CACHE_CACHED 1
#define WRT_CACHE_WRITE_COMBINED 2

/* wrt_result.flags */
#define WRT_RESULT_FRAMES_VALID 0x1u /* frame numbers are real (not zeros from an unprivileged read) */

/* wrt_host_info.flags */
#define WRT_HOST_FRAMES_READABLE 0x1u /* /proc/self/pagemap yields real frame numbers */
#define WRT_HOST_THP_ALWAYS 0x2u      /* transparent huge pages: "always" */
#define WRT_HOST_THP_MADVISE 0x4u     /* transparent huge pages: "madvise" */
#define WRT_HOST_CAN_LOCK_UNLIMITED 0x8u /* CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK */

/* Result of every allocation, map, unmap, free and query call. Unused fields are zero. */
typedef struct wrt_result {
  uint64_t handle;      /* the allocation (allocate) or context (wrt_context_open) */
  uint64_t byte_count;  /* bytes described: a page multiple, possibly less than asked */
  uint64_t duration_ns; /* CLOCK_MONOTONIC_RAW time of the call's work, measured here */
  uint64_t address;     /* user-space base of the pages (allocate, map) */
  uint64_t flags;       /* WRT_RESULT_* */
  uint64_t sys_errno;   /* errno of the failing system call, for WRT_E_SYSTEM and partial results */
} wrt_result;

/* What this machine offers, for the backend's capabilities. */
typedef struct wrt_host_info {
  uint64_t abi_version;
  uint64_t page_size;
  uint64_t flags;                 /* WRT_HOST_* */
  uint64_t memlock_limit;         /* RLIMIT_MEMLOCK soft limit in bytes; UINT64_MAX if unlimited */
  uint64_t clock_resolution_ns;   /* clock_getres(CLOCK_MONOTONIC_RAW) */
  uint64_t clock_measured_ns;     /* smallest non-zero step seen between two clock reads */
  uint64_t huge_page_size;        /* PMD huge page size in bytes, 0 if unknown */
} wrt_host_info;

/* The ABI version this library implements (WRT_ABI_VERSION). */
uint32_t wrt_abi_version(void);

/* Copies the message for `status` (NUL-terminated, truncated to fit) into `buffer`; returns the
 * message's full length without the NUL. `buffer` may be null when `capacity` is 0. */
uint64_t wrt_status_message(int32_t status, uint8_t *buffer, uint64_t capacity);

/* Fills `info`; `reason` receives why frame numbers are unavailable (empty when they are). */
int32_t wrt_host_query(wrt_host_info *info, uint8_t *reason, uint64_t reason_capacity);

/* Opens a context; its id is returned in out->handle. Ids of contexts and allocations come from
 * one 64-bit counter and are never issued twice in a process, so a stale id is always refused.
 * The context belongs to the calling thread: when that thread exits (a Deno Worker terminated,
 * closed or crashed) every context it still holds is closed and its pages freed. */
int32_t wrt_context_open(wrt_result *out);

/* Frees every allocation of the context and closes it; out->byte_count = allocations freed. */
int32_t wrt_context_close(uint64_t context, wrt_result *out);

/* AllocatePagesForMdl: whole pages, locked and resident. `frames` must hold at least
 * ceil(total_bytes / page size) entries. When locking fails partway the pages obtained are kept
 * and out->byte_count says how many bytes that is (out->sys_errno says why it stopped);
 * WRT_E_NO_MEMORY when none could be. high_address is recorded by the caller, not enforced:
 * Linux offers no physical address limit for user memory. */
int32_t wrt_allocate_pages(uint64_t context, uint64_t high_address, uint64_t total_bytes,
                           uint64_t *frames, uint64_t frames_capacity, wrt_result *out);

/* AllocateContiguousPagesForMdl: transparent huge pages on 2 MiB-aligned memory, contiguity
 * verified from the frame numbers; all or nothing (WRT_E_NOT_CONTIGUOUS, WRT_E_NO_MEMORY). */
int32_t wrt_allocate_contiguous(uint64_t context, uint64_t low_address, uint64_t high_address,
                                uint64_t total_bytes, uint64_t *frames, uint64_t frames_capacity,
                                wrt_result *out);

/* MapAllocatedPages: the pages are already mapped in user space; returns that mapping in
 * out->address. The cache type is validated but cannot be applied from user mode. */
int32_t wrt_map(uint64_t context, uint64_t handle, uint32_t cache_type, wrt_result *out);

/* UnmapAllocatedPages: `base` must be the address wrt_map returned. */
int32_t wrt_unmap(uint64_t context, uint64_t handle, uint64_t base, wrt_result *out);

/* FreePagesFromMdl: unlocks and releases the pages; the handle is invalid afterwards. */
int32_t wrt_free(uint64_t context, uint64_t handle, wrt_result *out);

/* Reads the allocation's frame numbers again from the page tables (to check they are stable). */
int32_t wrt_query_frames(uint64_t context, uint64_t handle, uint64_t *frames,
                         uint64_t frames_capacity, wrt_result *out);

/* Live allocations of a context (out->handle), the bytes they hold locked (out->byte_count,
 * whole huge pages for contiguous ones) and its budget (out->address, 0 = none). */
int32_t wrt_context_stats(uint64_t context, wrt_result *out);

/* Caps the bytes the context may hold locked (0 = no cap): an allocation that would exceed it
 * fails with WRT_E_OVER_BUDGET before anything is mapped. out->byte_count = bytes held now. */
int32_t wrt_context_set_budget(uint64_t context, uint64_t max_locked_bytes, wrt_result *out);

/* Open contexts of the whole process (out->handle) and the bytes they hold (out->byte_count). */
int32_t wrt_process_stats(wrt_result *out);

/* The whole process's locked memory (VmLck of /proc/self/status) in out->byte_count: lets
 * callers whose runtime may not read /proc/self check that nothing stays locked. */
int32_t wrt_process_locked(wrt_result *out);

/* Memory the system could give without swapping (MemAvailable of /proc/meminfo, on Windows the
 * available physical memory) in out->byte_count, and all RAM (MemTotal) in out->address: what the
 * default locked-memory budget is derived from. */
int32_t wrt_memory_available(wrt_result *out);

/* The machine's RAM: the top-level "System RAM" ranges of /proc/iomem, each trimmed inward to
 * whole pages, in the kernel's (ascending) order. Writes (base, length) pairs in bytes into
 * `ranges`, whose `capacity` counts uint64_t slots (two per range); out->byte_count = the number
 * of ranges. When they do not all fit: WRT_E_BUFFER_TOO_SMALL with out->byte_count = the number
 * of ranges needed and the first capacity / 2 written; `ranges` may be null when `capacity` is 0,
 * to ask for that number. WRT_E_ADDRESSES_HIDDEN when the kernel shows zeros (no CAP_SYS_ADMIN);
 * WRT_E_UNSUPPORTED where there is no such list (sys_errno says why when a call failed);
 * WRT_E_SYSTEM when reading it fails otherwise. Lets callers whose runtime may not read
 * /proc/iomem (Deno needs --allow-all) draw the machine's real memory map. */
int32_t wrt_host_ram(uint64_t *ranges, uint64_t capacity, wrt_result *out);

#ifdef __cplusplus
}
#endif

#endif /* WAVERT_HELPER_H */
