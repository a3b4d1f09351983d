/*
 * The test driver's protocol logic for one open handle, in portable C: decoding a request,
 * checking the allocation handle it names, making exactly the IPortWaveRTStream call it asks for,
 * and encoding the answer; plus freeing everything when the handle closes.
 *
 * It reaches PortCls only through wrts_ops, so the same code is compiled into wavert_test.sys
 * (where the ops are thin adapters over IPortWaveRTStream) and into session_test.c on Linux
 * (where they are a fake stream that records every call), which is how it is tested here.
 *
 * Not thread-safe: the driver serialises calls on one session with a mutex.
 */
#ifndef WAVERT_SESSION_H
#define WAVERT_SESSION_H

#include "../wavert_protocol.h"

/* The driver build's own version, reported by WRTP_OP_VERSION. */
#define WRTS_DRIVER_VERSION 2u

/* IPortWaveRTStream and what the driver knows around it. Streams and MDLs are opaque. */
typedef struct wrts_ops {
  /* The IPortWaveRTStream of the open stream with a reference for the caller, or NULL; the
   * context is the session's (in the driver: its adapter). */
  void *(*current_stream)(void *context);
  void (*release_stream)(void *stream);
  void *(*allocate_pages)(void *stream, uint64_t high_address, uint64_t total_bytes);
  void *(*allocate_contiguous)(void *stream, uint64_t low_address, uint64_t high_address,
                               uint64_t total_bytes);
  void *(*map)(void *stream, void *mdl, uint32_t cache_type);
  void (*unmap)(void *stream, void *base, void *mdl);
  void (*free_pages)(void *stream, void *mdl);
  uint32_t (*page_count)(void *stream, void *mdl);
  uint64_t (*page_address)(void *stream, void *mdl, uint32_t index);
  /* The MDL's ByteCount and MdlFlags, read from the MDL itself. */
  uint64_t (*byte_count)(void *mdl);
  uint32_t (*mdl_flags)(void *mdl);
  /* KeQueryPerformanceCounter: the counter, and its frequency through `frequency`. */
  uint64_t (*ticks)(uint64_t *frequency);
  uint64_t page_size;
} wrts_ops;

/*
 * Caps on what callers may hold, so that a test (or a buggy caller) cannot lock the machine's
 * memory away: per handle and over every handle of an adapter (global). Bytes are pages locked
 * (the MDL's ByteCount rounded up to whole pages). A request that would pass a cap is refused
 * before any PortCls call, with WRTP_E_HANDLE_BYTES, WRTP_E_HANDLE_ALLOCATIONS,
 * WRTP_E_GLOBAL_BYTES or WRTP_E_GLOBAL_ALLOCATIONS. A cap of 0 means the default.
 */
typedef struct wrts_limits {
  uint64_t handle_bytes;
  uint32_t handle_allocations; /* at most WRTP_MAX_ALLOCATIONS (the handle's table) */
  uint64_t global_bytes;
  uint32_t global_allocations;
} wrts_limits;

/* Defaults for a test machine: 1 GiB and 1024 allocations per handle, 2 GiB and 4096 in all.
 * The driver reads overrides from its service key (see wavert_test.inf). */
#define WRTS_DEFAULT_HANDLE_BYTES (UINT64_C(1) << 30)
#define WRTS_DEFAULT_HANDLE_ALLOCATIONS WRTP_MAX_ALLOCATIONS
#define WRTS_DEFAULT_GLOBAL_BYTES (UINT64_C(2) << 30)
#define WRTS_DEFAULT_GLOBAL_ALLOCATIONS 4096u

/* What every handle of one adapter holds together. Updated atomically: sessions run
 * concurrently (each under its own lock). */
typedef struct wrts_budget {
  wrts_limits limits;
  uint64_t bytes;
  uint32_t allocations;
} wrts_budget;

/* Limits in `limits` (NULL, or a zero field: the default), nothing held. */
void wrts_budget_init(wrts_budget *budget, const wrts_limits *limits);

typedef struct wrts_allocation {
  void *mdl;           /* NULL when the slot is free */
  uint64_t locked;     /* bytes charged to the handle's and the global budget */
  void *stream;        /* referenced: the stream that allocated the MDL also frees it */
  void *mapping;       /* what MapAllocatedPages returned, or NULL */
  uint32_t generation; /* bumped on free, so handles of freed allocations stop matching */
} wrts_allocation;

typedef struct wrts_session {
  const wrts_ops *ops;
  void *context;        /* passed to ops->current_stream */
  wrts_budget *budget;  /* shared with the adapter's other sessions */
  uint64_t bytes;       /* locked bytes this handle holds */
  uint32_t allocations; /* live allocations this handle holds */
  wrts_allocation slots[WRTP_MAX_ALLOCATIONS];
} wrts_session;

void wrts_session_init(wrts_session *session, const wrts_ops *ops, void *context,
                       wrts_budget *budget);

/*
 * Serves one IOCTL whose input is `in_length` bytes at `buffer` and writes the wrtp_response
 * into `buffer` (METHOD_BUFFERED: input and output share it; it must hold a wrtp_response).
 * A request that fails to decode is answered with the decode status.
 */
void wrts_handle_ioctl(wrts_session *session, uint32_t ioctl_code, void *buffer,
                       size_t in_length);

/* Unmaps and frees every allocation still held; returns how many there were. */
uint32_t wrts_session_cleanup(wrts_session *session);

#endif /* WAVERT_SESSION_H */
