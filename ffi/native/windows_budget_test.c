/*
 * The Windows helper's locked-memory budget against a fake driver (this file stands in for
 * wavert_device_windows.c and the stream opener): a request past the context's budget is refused
 * with WRT_E_OVER_BUDGET before any request reaches DeviceIoControl, and freeing makes room again.
 * Built by ffi/build_windows.ts, run under Wine by ffi/windows_bridge_test.ts.
 */
#include <stdio.h>
#include <string.h>

#include "wavert_helper.h"
#include "wavert_helper_windows.h"
#include "wavert_protocol.h"
#include "wavert_status_windows.h"

#define PAGE UINT64_C(4096)

static int allocations_sent; /* ALLOCATE_* requests that reached the fake driver */
static uint64_t next_handle = 100;

uint64_t wrtw_page_size(void) { return PAGE; }

int32_t wrtw_open_device(HANDLE *device, uint64_t *error) {
  *device = CreateEventA(NULL, FALSE, FALSE, NULL); /* any handle CloseHandle accepts */
  *error = 0;
  return WRT_OK;
}

int32_t wrtw_open_stream(HANDLE *pin, uint64_t *error) {
  *pin = CreateEventA(NULL, FALSE, FALSE, NULL);
  *error = 0;
  return WRT_OK;
}

int32_t wrtw_exchange(HANDLE device, const wrtp_request *request, wrtp_response *response,
                      uint64_t *error) {
  (void)device;
  *error = 0;
  memset(response, 0, sizeof *response);
  response->status = WRTP_OK;
  response->handle = request->handle;
  switch (request->operation) {
  case WRTP_OP_ALLOCATE_PAGES:
  case WRTP_OP_ALLOCATE_CONTIGUOUS:
    allocations_sent++;
    response->handle = next_handle++;
    response->byte_count = request->total_bytes;
    break;
  case WRTP_OP_PAGE_ADDRESSES:
    response->addresses_returned = request->page_count;
    for (uint32_t i = 0; i < request->page_count; i++) {
      response->page_addresses[i] = (UINT64_C(0x1000) + request->first_page + i) * PAGE;
    }
    break;
  default:
    break;
  }
  return WRT_OK;
}

static int passed, failed;

static void check(int ok, const char *what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAILED: %s\n", what);
  }
}

int main(void) {
  wrt_result out;
  uint64_t frames[4];
  check(wrt_context_open(&out) == WRT_OK, "a context opens on the fake driver");
  uint64_t context = out.handle;
  check(wrt_context_set_budget(context, 2 * PAGE, &out) == WRT_OK, "the budget is set");
  check(wrt_allocate_pages(context, ~UINT64_C(0), 100, frames, 4, &out) == WRT_OK,
        "100 bytes (one whole page) fit a two-page budget");
  uint64_t first = out.handle;
  int sent = allocations_sent;
  check(wrt_allocate_pages(context, ~UINT64_C(0), PAGE + 1, frames, 4, &out) == WRT_E_OVER_BUDGET,
        "two more pages over the budget: WRT_E_OVER_BUDGET");
  check(wrt_allocate_contiguous(context, 0, ~UINT64_C(0), 2 * PAGE, frames, 4, &out) ==
            WRT_E_OVER_BUDGET,
        "a contiguous request over the budget: WRT_E_OVER_BUDGET");
  check(allocations_sent == sent, "nothing over the budget reached the driver");
  check(wrt_context_stats(context, &out) == WRT_OK && out.address == 2 * PAGE && out.handle == 1,
        "stats report the budget and the one allocation");
  check(wrt_allocate_pages(context, ~UINT64_C(0), PAGE, frames, 4, &out) == WRT_OK,
        "one more page fits exactly");
  check(wrt_free(context, first, &out) == WRT_OK, "freeing the first allocation");
  check(wrt_allocate_pages(context, ~UINT64_C(0), PAGE, frames, 4, &out) == WRT_OK,
        "freeing makes room again");
  check(wrt_context_set_budget(context, 0, &out) == WRT_OK && out.byte_count == 2 * PAGE,
        "budget 0 (none) reports the bytes held");
  check(wrt_allocate_pages(context, ~UINT64_C(0), 3 * PAGE, frames, 4, &out) == WRT_OK,
        "without a budget, nothing is refused");
  check(wrt_context_close(context, &out) == WRT_OK, "the context closes");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
