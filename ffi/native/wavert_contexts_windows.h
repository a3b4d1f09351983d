/*
 * Internal to the Windows helper: its contexts (wavert_contexts_windows.c), each a handle to the
 * driver's device with the table of the allocations made through it, and the lock over them,
 * shared with the allocation calls (wavert_helper_windows.c).
 */
#ifndef WAVERT_CONTEXTS_WINDOWS_H
#define WAVERT_CONTEXTS_WINDOWS_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "wavert_helper.h"

typedef struct allocation {
  uint64_t handle;     /* the driver's handle */
  uint64_t byte_count; /* the MDL's ByteCount */
} allocation;

typedef struct context {
  uint32_t generation;
  BOOL open;
  HANDLE device;
  BOOL holds_stream; /* counted in stream_holders */
  allocation *allocations;
  size_t allocation_count;
  size_t allocation_capacity;
  uint64_t budget; /* most bytes it may hold (wrt_context_set_budget); 0 = no budget */
} context;

/* Zeroes a result. */
void clear_result(wrt_result *out);

/* The context's allocation `handle` (a driver handle), or NULL. */
allocation *find_allocation(context *c, uint64_t handle);

/* Checks `out`, takes the lock and finds the context; on failure releases the lock and returns
 * why. */
int32_t enter(uint64_t context_id, wrt_result *out, context **found);

/* Releases the lock `enter` took and returns `status`. */
int32_t leave(int32_t status);

#endif /* WAVERT_CONTEXTS_WINDOWS_H */
