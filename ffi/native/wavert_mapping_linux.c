/*
 * The Linux helper's calls on one allocation: map, unmap, free and the frame query. Mapping only
 * records the state: the pages are mapped from the start, as the MDL's buffer.
 */
#include <stdbool.h>
#include <stddef.h>

#include "wavert_linux.h"

/* Looks up a live allocation under the lock; on failure unlocks and returns the status. */
static int32_t lookup(uint64_t context_id, uint64_t handle, wrt_result *out, context **owner,
                      allocation **found) {
  int32_t status = enter(context_id, out, owner);
  if (status != WRT_OK) return status;
  *found = find_allocation(*owner, handle);
  if (*found == NULL) return leave(WRT_E_UNKNOWN_HANDLE);
  return WRT_OK;
}

int32_t wrt_map(uint64_t context_id, uint64_t handle, uint32_t cache_type, wrt_result *out) {
  if (cache_type > WRT_CACHE_WRITE_COMBINED) return WRT_E_INVALID_ARGUMENT;
  context *c;
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &c, &a);
  if (status != WRT_OK) return status;
  uint64_t start = now_ns();
  if (a->mapped) {
    status = WRT_E_ALREADY_MAPPED;
  } else {
    a->mapped = true;
    out->address = (uint64_t)(uintptr_t)a->base;
    out->byte_count = a->byte_count;
  }
  out->duration_ns = now_ns() - start;
  return leave(status);
}

int32_t wrt_unmap(uint64_t context_id, uint64_t handle, uint64_t base, wrt_result *out) {
  context *c;
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &c, &a);
  if (status != WRT_OK) return status;
  uint64_t start = now_ns();
  if (!a->mapped) {
    status = WRT_E_NOT_MAPPED;
  } else if (base != (uint64_t)(uintptr_t)a->base) {
    status = WRT_E_WRONG_ADDRESS;
  } else {
    a->mapped = false;
  }
  out->duration_ns = now_ns() - start;
  return leave(status);
}

int32_t wrt_free(uint64_t context_id, uint64_t handle, wrt_result *out) {
  context *c;
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &c, &a);
  if (status != WRT_OK) return status;
  if (a->mapped) return leave(WRT_E_STILL_MAPPED);
  uint64_t start = now_ns();
  out->byte_count = a->byte_count;
  release(c, a);
  out->duration_ns = now_ns() - start;
  return leave(WRT_OK);
}

int32_t wrt_query_frames(uint64_t context_id, uint64_t handle, uint64_t *frames,
                         uint64_t frames_capacity, wrt_result *out) {
  if (frames == NULL) return WRT_E_INVALID_ARGUMENT;
  context *c;
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &c, &a);
  if (status != WRT_OK) return status;
  size_t pages = a->byte_count / page_size();
  if (frames_capacity < pages) return leave(WRT_E_BUFFER_TOO_SMALL);
  bool valid = false;
  uint64_t start = now_ns();
  int error = read_frames(a->base, pages, frames, &valid);
  out->duration_ns = now_ns() - start;
  out->byte_count = a->byte_count;
  out->address = (uint64_t)(uintptr_t)a->base;
  out->flags = valid ? WRT_RESULT_FRAMES_VALID : 0;
  out->sys_errno = (uint64_t)error;
  return leave(error == 0 ? WRT_OK : WRT_E_SYSTEM);
}
