/*
 * The Windows helper's contexts: each its own handle to the driver's device (the driver frees
 * whatever is left when it closes), the render pin they share while any is open, and the
 * process-wide figures.
 */
#include "wavert_contexts_windows.h"

#include "wavert_helper_windows.h"
#include "wavert_protocol.h"
#include "wavert_status_windows.h"

#define WRT_EXPORT __declspec(dllexport)

static SRWLOCK lock = SRWLOCK_INIT;
static context *contexts;
static size_t context_count;
static size_t context_capacity;
/* The render pin this process opened (wavert_stream_windows.c), shared by its contexts. */
static HANDLE stream_pin;
static size_t stream_holders;

void clear_result(wrt_result *out) { ZeroMemory(out, sizeof *out); }

static uint64_t make_handle(uint32_t generation, size_t index) {
  return ((uint64_t)generation << 32) | (uint64_t)(index + 1);
}

static context *find_context(uint64_t id) {
  uint64_t index = id & 0xffffffffu;
  if (index == 0 || index > context_count) return NULL;
  context *c = &contexts[index - 1];
  return c->open && c->generation == (uint32_t)(id >> 32) ? c : NULL;
}

/* The bytes the context's allocations hold (their MDLs' ByteCount). */
static uint64_t held_bytes(const context *c) {
  uint64_t bytes = 0;
  for (size_t i = 0; i < c->allocation_count; i++) bytes += c->allocations[i].byte_count;
  return bytes;
}

allocation *find_allocation(context *c, uint64_t handle) {
  for (size_t i = 0; i < c->allocation_count; i++) {
    if (c->allocations[i].handle == handle) return &c->allocations[i];
  }
  return NULL;
}

/* Without a context: unknown when the driver is there, otherwise the reason nothing can be. */
static int32_t no_context(wrt_result *out) {
  HANDLE device;
  int32_t status = wrtw_open_device(&device, &out->sys_errno);
  if (status != WRT_OK) return status;
  CloseHandle(device);
  return WRT_E_UNKNOWN_HANDLE;
}

/* Checks `out`, takes the lock and finds the context; on failure releases the lock and returns
 * why. */
int32_t enter(uint64_t context_id, wrt_result *out, context **found) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  AcquireSRWLockExclusive(&lock);
  *found = find_context(context_id);
  if (*found != NULL) return WRT_OK;
  int32_t status = no_context(out);
  ReleaseSRWLockExclusive(&lock);
  return status;
}

int32_t leave(int32_t status) {
  ReleaseSRWLockExclusive(&lock);
  return status;
}

/* Under the lock: the process's render pin for one more context. When the pin cannot be opened
 * but the driver already has a stream (someone else's pin), the context goes on without one. */
static int32_t hold_stream(HANDLE device, BOOL *holds, uint64_t *error) {
  if (stream_holders > 0) {
    stream_holders++;
    *holds = TRUE;
    return WRT_OK;
  }
  int32_t status = wrtw_open_stream(&stream_pin, error);
  if (status == WRT_OK) {
    stream_holders = 1;
    *holds = TRUE;
    return WRT_OK;
  }
  wrtp_request request;
  wrtp_response response;
  uint64_t ignored = 0;
  wrtp_request_init(&request, WRTP_OP_CAPABILITIES);
  if (wrtw_exchange(device, &request, &response, &ignored) == WRT_OK && response.status == WRTP_OK &&
      (response.capability_flags & WRTP_CAP_STREAM_OPEN) != 0) {
    *error = 0;
    return WRT_OK;
  }
  return status;
}

/* Under the lock: one context less on the render pin; the last one closes it. */
static void drop_stream(void) {
  if (--stream_holders == 0) {
    CloseHandle(stream_pin);
    stream_pin = NULL;
  }
}

WRT_EXPORT int32_t wrt_context_open(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  HANDLE device;
  int32_t status = wrtw_open_device(&device, &out->sys_errno);
  if (status != WRT_OK) return status;
  wrtp_request request;
  wrtp_response response;
  wrtp_request_init(&request, WRTP_OP_VERSION);
  status = wrtw_exchange(device, &request, &response, &out->sys_errno);
  if (status == WRT_OK) status = wrtw_status_of(response.status, &out->sys_errno);
  if (status != WRT_OK) {
    CloseHandle(device);
    return status;
  }
  AcquireSRWLockExclusive(&lock);
  BOOL holds_stream = FALSE;
  status = hold_stream(device, &holds_stream, &out->sys_errno);
  if (status != WRT_OK) {
    CloseHandle(device);
    return leave(status);
  }
  size_t index = context_count;
  for (size_t i = 0; i < context_count; i++) {
    if (!contexts[i].open) {
      index = i;
      break;
    }
  }
  if (index == context_count) {
    if (context_count == context_capacity) {
      size_t capacity = context_capacity == 0 ? 4 : context_capacity * 2;
      context *grown = contexts == NULL
                           ? HeapAlloc(GetProcessHeap(), 0, capacity * sizeof *grown)
                           : HeapReAlloc(GetProcessHeap(), 0, contexts, capacity * sizeof *grown);
      if (grown == NULL) {
        CloseHandle(device);
        if (holds_stream) drop_stream();
        return leave(WRT_E_NO_MEMORY);
      }
      contexts = grown;
      context_capacity = capacity;
    }
    contexts[context_count++] = (context){.generation = 1};
  }
  contexts[index].open = TRUE;
  contexts[index].device = device;
  contexts[index].holds_stream = holds_stream;
  out->handle = make_handle(contexts[index].generation, index);
  return leave(WRT_OK);
}

WRT_EXPORT int32_t wrt_context_close(uint64_t context_id, wrt_result *out) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  /* Closing the handle makes the driver unmap and free everything the context still holds. */
  out->byte_count = c->allocation_count;
  CloseHandle(c->device);
  if (c->holds_stream) drop_stream();
  if (c->allocations != NULL) HeapFree(GetProcessHeap(), 0, c->allocations);
  *c = (context){.generation = c->generation + 1};
  return leave(WRT_OK);
}

WRT_EXPORT int32_t wrt_context_stats(uint64_t context_id, wrt_result *out) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  out->handle = c->allocation_count;
  out->byte_count = held_bytes(c);
  out->address = c->budget;
  return leave(WRT_OK);
}

/* The driver's pages are kernel memory, but the budget is the same as on Linux: allocate()
 * refuses a request that would take the context's whole pages past it, before DeviceIoControl. */
WRT_EXPORT int32_t wrt_context_set_budget(uint64_t context_id, uint64_t max_locked_bytes,
                                          wrt_result *out) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  c->budget = max_locked_bytes;
  out->byte_count = held_bytes(c);
  return leave(WRT_OK);
}

WRT_EXPORT int32_t wrt_memory_available(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  MEMORYSTATUSEX status = {.dwLength = sizeof status};
  if (!GlobalMemoryStatusEx(&status)) {
    out->sys_errno = GetLastError();
    return WRT_E_SYSTEM;
  }
  out->byte_count = status.ullAvailPhys;
  out->address = status.ullTotalPhys;
  return WRT_OK;
}

WRT_EXPORT int32_t wrt_process_stats(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  AcquireSRWLockExclusive(&lock);
  for (size_t i = 0; i < context_count; i++) {
    if (!contexts[i].open) continue;
    out->handle++;
    out->byte_count += held_bytes(&contexts[i]);
  }
  ReleaseSRWLockExclusive(&lock);
  return WRT_OK;
}

/* The driver's pages are locked in the kernel, not charged to this process: what this process
 * holds is the sum over its contexts. */
WRT_EXPORT int32_t wrt_process_locked(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  AcquireSRWLockExclusive(&lock);
  BOOL any = FALSE;
  for (size_t i = 0; i < context_count; i++) {
    if (!contexts[i].open) continue;
    any = TRUE;
    out->byte_count += held_bytes(&contexts[i]);
  }
  int32_t status = any ? WRT_OK : no_context(out);
  return leave(status == WRT_E_UNKNOWN_HANDLE ? WRT_OK : status);
}
