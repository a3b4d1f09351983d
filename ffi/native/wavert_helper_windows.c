/*
 * Windows implementation of wavert_helper.h: every allocation call is forwarded with
 * DeviceIoControl to the WaveRT test driver (windows_driver/), which makes the IPortWaveRTStream
 * call itself, in kernel mode, and answers with wavert_protocol.h messages.
 *
 * How it differs from the Linux helper, by design:
 *  - each context is its own handle to the driver's device, so the driver scopes allocations to
 *    it and frees whatever is left when the handle closes (context close, or process exit);
 *  - TotalBytes 0 is passed on to AllocatePagesForMdl as asked (it is one of the behaviours the
 *    hardware run must observe), not refused with WRT_E_ZERO_SIZE;
 *  - frame numbers come from GetPhysicalPageAddress; addresses are the driver's system mapping
 *    (a number, never dereferenced here); durations are the driver's KeQueryPerformanceCounter
 *    ticks around the PortCls call alone, converted to nanoseconds;
 *  - without the driver, every call that returns a status returns WRT_E_DRIVER_NOT_FOUND, whose
 *    message says how to install it: never a crash;
 *  - the helper opens the test filter's render pin itself (wavert_stream_windows.c) when the
 *    first context opens and closes it when the last one closes, so the driver has an
 *    IPortWaveRTStream for the whole session; outcomes the shared codes have no name for
 *    (the driver's caps and table, the pin) have their own (wavert_helper_windows.h).
 */
#include "wavert_contexts_windows.h"
#include "wavert_helper.h"
#include "wavert_helper_windows.h"
#include "wavert_protocol.h"
#include "wavert_status_windows.h"

#include <windows.h>

/* The protocol spells its IOCTL codes out so the Linux test can check them; here the SDK's own
 * CTL_CODE must agree. */
_Static_assert(WRTP_IOCTL(WRTP_OP_PAGE_ADDRESSES) ==
                   CTL_CODE(WRTP_DEVICE_TYPE, WRTP_FUNCTION_BASE + WRTP_OP_PAGE_ADDRESSES,
                            METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA),
               "WRTP_CTL_CODE matches CTL_CODE");

/* Exported with the same names as the Linux shared library. */
#define WRT_EXPORT __declspec(dllexport)

/* MmAllocatePagesForMdlEx allocates at most 4 GB minus one page per call (ByteCount is a ULONG). */
#define MAX_BYTES_BASE UINT64_C(0x100000000)

/* Sends a request and maps the driver's answer to a WRT status in one step. */
static int32_t call(HANDLE device, const wrtp_request *request, wrtp_response *response,
                    wrt_result *out) {
  int32_t status = wrtw_exchange(device, request, response, &out->sys_errno);
  if (status != WRT_OK) return status;
  if (response->tick_frequency != 0) {
    out->duration_ns = (uint64_t)((double)response->duration_ticks * 1e9 /
                                  (double)response->tick_frequency);
  }
  return wrtw_status_of(response->status, &out->sys_errno);
}

/* Reads `pages` frame numbers of a driver allocation in batches of WRTP_BATCH_PAGES. */
static int32_t read_frames(HANDLE device, uint64_t handle, uint64_t pages, uint64_t *frames,
                           uint64_t *error) {
  uint64_t shift = 0;
  for (uint64_t size = wrtw_page_size(); size > 1; size >>= 1) shift++;
  for (uint64_t first = 0; first < pages; first += WRTP_BATCH_PAGES) {
    wrtp_request request;
    wrtp_response response;
    wrtp_request_init(&request, WRTP_OP_PAGE_ADDRESSES);
    request.handle = handle;
    request.first_page = (uint32_t)first;
    request.page_count =
        (uint32_t)(pages - first < WRTP_BATCH_PAGES ? pages - first : WRTP_BATCH_PAGES);
    int32_t status = wrtw_exchange(device, &request, &response, error);
    if (status != WRT_OK) return status;
    status = wrtw_status_of(response.status, error);
    if (status != WRT_OK) return status;
    if (response.addresses_returned != request.page_count) {
      *error = WRTP_E_BAD_COUNT;
      return WRT_E_PROTOCOL;
    }
    for (uint32_t i = 0; i < response.addresses_returned; i++) {
      frames[first + i] = response.page_addresses[i] >> shift;
    }
  }
  return WRT_OK;
}

/* Frees a driver allocation this helper could not hand out (the frames could not be read). */
static void discard(HANDLE device, uint64_t handle) {
  wrtp_request request;
  wrtp_response response;
  uint64_t ignored = 0;
  wrtp_request_init(&request, WRTP_OP_FREE);
  request.handle = handle;
  wrtw_exchange(device, &request, &response, &ignored);
}

/* Records an allocation in the context's table; the caller frees it in the driver on failure. */
static int32_t remember(context *c, uint64_t handle, uint64_t byte_count) {
  if (c->allocation_count == c->allocation_capacity) {
    size_t capacity = c->allocation_capacity == 0 ? 16 : c->allocation_capacity * 2;
    allocation *grown =
        c->allocations == NULL
            ? HeapAlloc(GetProcessHeap(), 0, capacity * sizeof *grown)
            : HeapReAlloc(GetProcessHeap(), 0, c->allocations, capacity * sizeof *grown);
    if (grown == NULL) return WRT_E_NO_MEMORY;
    c->allocations = grown;
    c->allocation_capacity = capacity;
  }
  c->allocations[c->allocation_count++] = (allocation){.handle = handle, .byte_count = byte_count};
  return WRT_OK;
}

/* The whole pages the context holds: what its budget is charged with. */
static uint64_t held_bytes(const context *c) {
  uint64_t page = wrtw_page_size(), held = 0;
  for (size_t i = 0; i < c->allocation_count; i++) {
    held += (c->allocations[i].byte_count + page - 1) / page * page;
  }
  return held;
}

static void forget(context *c, allocation *a) {
  *a = c->allocations[--c->allocation_count];
}

/* Both allocators: argument checks as on Linux (except TotalBytes 0), the call, the frames. */
static int32_t allocate(uint64_t context_id, wrtp_request *request, uint64_t *frames,
                        uint64_t frames_capacity, wrt_result *out) {
  if (out == NULL || frames == NULL) return WRT_E_INVALID_ARGUMENT;
  uint64_t page = wrtw_page_size();
  if (request->total_bytes > MAX_BYTES_BASE - page) return WRT_E_TOO_LARGE;
  if (frames_capacity < (request->total_bytes + page - 1) / page) return WRT_E_BUFFER_TOO_SMALL;
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  /* The same budget as on Linux, on this side: refused before any request reaches the driver. */
  uint64_t held = held_bytes(c), asked = (request->total_bytes + page - 1) / page * page;
  if (c->budget != 0 && (held > c->budget || asked > c->budget - held)) {
    return leave(WRT_E_OVER_BUDGET);
  }
  wrtp_response response;
  status = call(c->device, request, &response, out);
  if (status != WRT_OK) return leave(status);
  uint64_t pages = (response.byte_count + page - 1) / page;
  /* A driver that reports more than was asked would overrun the caller's array. */
  if (response.byte_count > (request->total_bytes + page - 1) / page * page) {
    discard(c->device, response.handle);
    out->sys_errno = WRTP_E_BAD_COUNT;
    return leave(WRT_E_PROTOCOL);
  }
  status = read_frames(c->device, response.handle, pages, frames, &out->sys_errno);
  if (status == WRT_OK) status = remember(c, response.handle, response.byte_count);
  if (status != WRT_OK) {
    discard(c->device, response.handle);
    return leave(status);
  }
  out->handle = response.handle;
  out->byte_count = response.byte_count;
  out->flags = WRT_RESULT_FRAMES_VALID;
  return leave(WRT_OK);
}

WRT_EXPORT int32_t wrt_allocate_pages(uint64_t context_id, uint64_t high_address,
                                      uint64_t total_bytes, uint64_t *frames,
                                      uint64_t frames_capacity, wrt_result *out) {
  wrtp_request request;
  wrtp_request_init(&request, WRTP_OP_ALLOCATE_PAGES);
  request.high_address = high_address;
  request.total_bytes = total_bytes;
  return allocate(context_id, &request, frames, frames_capacity, out);
}

WRT_EXPORT int32_t wrt_allocate_contiguous(uint64_t context_id, uint64_t low_address,
                                           uint64_t high_address, uint64_t total_bytes,
                                           uint64_t *frames, uint64_t frames_capacity,
                                           wrt_result *out) {
  if (low_address > high_address) return WRT_E_INVALID_ARGUMENT;
  wrtp_request request;
  wrtp_request_init(&request, WRTP_OP_ALLOCATE_CONTIGUOUS);
  request.low_address = low_address;
  request.high_address = high_address;
  request.total_bytes = total_bytes;
  return allocate(context_id, &request, frames, frames_capacity, out);
}

/* Map, unmap and free: one request about one live allocation. */
static int32_t on_allocation(uint64_t context_id, wrtp_request *request, wrt_result *out,
                             wrtp_response *response) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  allocation *a = find_allocation(c, request->handle);
  if (a == NULL) return leave(WRT_E_UNKNOWN_HANDLE);
  status = call(c->device, request, response, out);
  if (status == WRT_OK && request->operation == WRTP_OP_FREE) forget(c, a);
  return leave(status);
}

WRT_EXPORT int32_t wrt_map(uint64_t context_id, uint64_t handle, uint32_t cache_type,
                           wrt_result *out) {
  if (cache_type > WRT_CACHE_WRITE_COMBINED) return WRT_E_INVALID_ARGUMENT;
  wrtp_request request;
  wrtp_response response;
  wrtp_request_init(&request, WRTP_OP_MAP);
  request.handle = handle;
  request.cache_type = cache_type;
  int32_t status = on_allocation(context_id, &request, out, &response);
  if (status == WRT_OK) {
    out->address = response.address;
    out->byte_count = response.byte_count;
  }
  return status;
}

WRT_EXPORT int32_t wrt_unmap(uint64_t context_id, uint64_t handle, uint64_t base,
                             wrt_result *out) {
  wrtp_request request;
  wrtp_response response;
  wrtp_request_init(&request, WRTP_OP_UNMAP);
  request.handle = handle;
  request.base_address = base;
  return on_allocation(context_id, &request, out, &response);
}

WRT_EXPORT int32_t wrt_free(uint64_t context_id, uint64_t handle, wrt_result *out) {
  wrtp_request request;
  wrtp_response response;
  wrtp_request_init(&request, WRTP_OP_FREE);
  request.handle = handle;
  int32_t status = on_allocation(context_id, &request, out, &response);
  if (status == WRT_OK) out->byte_count = response.byte_count;
  return status;
}

WRT_EXPORT int32_t wrt_query_frames(uint64_t context_id, uint64_t handle, uint64_t *frames,
                                    uint64_t frames_capacity, wrt_result *out) {
  if (frames == NULL || out == NULL) return WRT_E_INVALID_ARGUMENT;
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  allocation *a = find_allocation(c, handle);
  if (a == NULL) return leave(WRT_E_UNKNOWN_HANDLE);
  uint64_t pages = (a->byte_count + wrtw_page_size() - 1) / wrtw_page_size();
  if (frames_capacity < pages) return leave(WRT_E_BUFFER_TOO_SMALL);
  status = read_frames(c->device, handle, pages, frames, &out->sys_errno);
  if (status == WRT_OK) {
    out->byte_count = a->byte_count;
    out->flags = WRT_RESULT_FRAMES_VALID;
  }
  return leave(status);
}
