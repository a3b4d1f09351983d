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
#define WRTS_DRIVER_VERSION 1u

/* IPortWaveRTStream and what the driver knows around it. Streams and MDLs are opaque. */
typedef struct wrts_ops {
  /* The IPortWaveRTStream of the open stream with a reference for the caller, or NULL. */
  void *(*current_stream)(void);
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

typedef struct wrts_allocation {
  void *mdl;           /* NULL when the slot is free */
  void *stream;        /* referenced: the stream that allocated the MDL also frees it */
  void *mapping;       /* what MapAllocatedPages returned, or NULL */
  uint32_t generation; /* bumped on free, so handles of freed allocations stop matching */
} wrts_allocation;

typedef struct wrts_session {
  const wrts_ops *ops;
  wrts_allocation slots[WRTP_MAX_ALLOCATIONS];
} wrts_session;

void wrts_session_init(wrts_session *session, const wrts_ops *ops);

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
