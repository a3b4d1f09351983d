/*
 * Drives the wavert_helper ABI directly, including the bad arguments the Deno side never sends:
 * zero and huge sizes, null buffers, a too-short frame array, stale and foreign handles, double
 * free. Built into one program with the helper source so AddressSanitizer, UBSan and valgrind see
 * both sides. Exits non-zero on the first failed check; prints "N passed, 0 failed" at the end.
 */
#include "wavert_helper.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_check.h"

#define PAGES 16

static long vm_locked_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    if (sscanf(line, "VmLck: %ld kB", &kib) == 1) break;
  }
  if (f != NULL) fclose(f);
  return kib;
}

static void test_messages(void) {
  char text[256];
  for (int32_t s = 0; s < WRT_STATUS_COUNT; s++) {
    uint64_t n = wrt_status_message(s, (uint8_t *)text, sizeof text);
    CHECK(n > 0 && n == strlen(text));
  }
  CHECK(wrt_status_message(-1, (uint8_t *)text, sizeof text) == strlen("unknown status code"));
  CHECK(wrt_status_message(WRT_STATUS_COUNT, NULL, 0) > 0);
  char small[4] = {'x', 'x', 'x', 'x'};
  uint64_t full = wrt_status_message(WRT_E_NO_MEMORY, (uint8_t *)small, sizeof small);
  CHECK(full > sizeof small && small[3] == '\0' && strlen(small) == 3);
}

static void test_host(wrt_host_info *info) {
  char reason[256];
  CHECK(wrt_abi_version() == WRT_ABI_VERSION);
  CHECK(wrt_host_query(NULL, (uint8_t *)reason, sizeof reason) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_host_query(info, NULL, 0) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_host_query(info, (uint8_t *)reason, sizeof reason) == WRT_OK);
  CHECK(info->abi_version == WRT_ABI_VERSION && info->page_size >= 4096);
  CHECK(info->clock_measured_ns > 0 && info->clock_measured_ns < 1000000);
  bool readable = (info->flags & WRT_HOST_FRAMES_READABLE) != 0;
  CHECK(readable == (reason[0] == '\0'));
  printf("frame numbers: %s\n", readable ? "readable" : reason);
}

static void test_bad_arguments(uint64_t ctx, const wrt_host_info *info) {
  uint64_t frames[PAGES];
  wrt_result out;
  uint64_t page = info->page_size;
  CHECK(wrt_allocate_pages(ctx, ~0ull, 0, frames, PAGES, &out) == WRT_E_ZERO_SIZE);
  CHECK(wrt_allocate_pages(ctx, ~0ull, UINT64_MAX, frames, PAGES, &out) == WRT_E_TOO_LARGE);
  CHECK(wrt_allocate_pages(ctx, ~0ull, 0x100000000ull, frames, PAGES, &out) == WRT_E_TOO_LARGE);
  CHECK(wrt_allocate_pages(ctx, ~0ull, page, NULL, PAGES, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_allocate_pages(ctx, ~0ull, page, frames, PAGES, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_allocate_pages(ctx, ~0ull, PAGES * page + 1, frames, PAGES, &out) ==
        WRT_E_BUFFER_TOO_SMALL);
  CHECK(wrt_allocate_pages(ctx, ~0ull, 2 * page, frames, 1, &out) == WRT_E_BUFFER_TOO_SMALL);
  CHECK(wrt_allocate_pages(0, ~0ull, page, frames, PAGES, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_allocate_pages(ctx + 100, ~0ull, page, frames, PAGES, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_allocate_contiguous(ctx, 1, 0, page, frames, PAGES, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_allocate_contiguous(ctx, 0, ~0ull, 0, frames, PAGES, &out) == WRT_E_ZERO_SIZE);
  CHECK(wrt_allocate_contiguous(ctx, 0, ~0ull, page, NULL, 1, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_map(ctx, 0, WRT_CACHE_CACHED, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_map(ctx, 12345, WRT_CACHE_CACHED, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_unmap(ctx, 12345, 0, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_free(ctx, 12345, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_free(ctx, 12345, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_query_frames(ctx, 12345, NULL, 0, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_context_stats(ctx, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_context_open(NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_context_close(ctx, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_context_stats(ctx, &out) == WRT_OK && out.handle == 0);
}

static void test_lifecycle(uint64_t ctx, const wrt_host_info *info) {
  uint64_t frames[PAGES];
  uint64_t again[PAGES];
  wrt_result out;
  uint64_t page = info->page_size;
  bool readable = (info->flags & WRT_HOST_FRAMES_READABLE) != 0;

  CHECK(wrt_allocate_pages(ctx, 0xffffffffull, 1920, frames, 1, &out) == WRT_OK);
  CHECK(out.byte_count == page && out.address != 0 && out.handle != 0);
  CHECK(wrt_free(ctx, out.handle, &out) == WRT_OK);

  CHECK(wrt_allocate_pages(ctx, 0xffffffffull, PAGES * page, frames, PAGES, &out) == WRT_OK);
  uint64_t handle = out.handle;
  uint64_t address = out.address;
  CHECK(out.byte_count == PAGES * page);
  CHECK(((out.flags & WRT_RESULT_FRAMES_VALID) != 0) == readable);
  memset((void *)(uintptr_t)address, 0xa5, PAGES * page); /* the pages are ours to write */
  for (int i = 0; readable && i < PAGES; i++) {
    CHECK(frames[i] != 0);
    for (int j = 0; j < i; j++) CHECK(frames[i] != frames[j]);
  }
  CHECK(wrt_query_frames(ctx, handle, again, PAGES - 1, &out) == WRT_E_BUFFER_TOO_SMALL);
  CHECK(wrt_query_frames(ctx, handle, again, PAGES, &out) == WRT_OK);
  CHECK(memcmp(frames, again, sizeof frames) == 0);
  CHECK(wrt_context_stats(ctx, &out) == WRT_OK && out.handle == 1 &&
        out.byte_count == PAGES * page);

  CHECK(wrt_unmap(ctx, handle, address, &out) == WRT_E_NOT_MAPPED);
  CHECK(wrt_map(ctx, handle, 3, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_map(ctx, handle, WRT_CACHE_WRITE_COMBINED, &out) == WRT_OK && out.address == address);
  CHECK(wrt_map(ctx, handle, WRT_CACHE_CACHED, &out) == WRT_E_ALREADY_MAPPED);
  CHECK(wrt_free(ctx, handle, &out) == WRT_E_STILL_MAPPED);
  CHECK(wrt_unmap(ctx, handle, address + page, &out) == WRT_E_WRONG_ADDRESS);
  CHECK(wrt_unmap(ctx, handle, address, &out) == WRT_OK);
  CHECK(wrt_free(ctx, handle, &out) == WRT_OK && out.byte_count == PAGES * page);
  CHECK(wrt_free(ctx, handle, &out) == WRT_E_UNKNOWN_HANDLE); /* double free */
  CHECK(wrt_map(ctx, handle, WRT_CACHE_CACHED, &out) == WRT_E_UNKNOWN_HANDLE);

  /* A reused slot gets a new generation: the stale handle stays invalid. */
  CHECK(wrt_allocate_pages(ctx, 0xffffffffull, page, frames, PAGES, &out) == WRT_OK);
  CHECK(out.handle != handle && (out.handle & 0xffffffffu) == (handle & 0xffffffffu));
  CHECK(wrt_free(ctx, handle, &out) == WRT_E_UNKNOWN_HANDLE);
}

static void test_contiguous(uint64_t ctx, const wrt_host_info *info) {
  uint64_t frames[PAGES];
  wrt_result out;
  uint64_t page = info->page_size;
  int32_t s = wrt_allocate_contiguous(ctx, 0, ~0ull, PAGES * page, frames, PAGES, &out);
  if ((info->flags & WRT_HOST_FRAMES_READABLE) == 0) {
    CHECK(s == WRT_E_FRAMES_UNAVAILABLE);
    return;
  }
  CHECK(s == WRT_OK || s == WRT_E_NOT_CONTIGUOUS);
  printf("contiguous %d pages: %s\n", PAGES, s == WRT_OK ? "contiguous" : "not contiguous");
  if (s != WRT_OK) return;
  CHECK(out.byte_count == PAGES * page);
  for (int i = 1; i < PAGES; i++) CHECK(frames[i] == frames[0] + (uint64_t)i);
  CHECK(wrt_free(ctx, out.handle, &out) == WRT_OK);
}

static void test_cycles_release_locks(uint64_t ctx, const wrt_host_info *info) {
  uint64_t frames[4];
  wrt_result out;
  long baseline = vm_locked_kib();
  for (int i = 0; i < 1000; i++) {
    CHECK(wrt_allocate_pages(ctx, ~0ull, 4 * info->page_size, frames, 4, &out) == WRT_OK);
    CHECK(wrt_free(ctx, out.handle, &out) == WRT_OK);
  }
  CHECK(vm_locked_kib() == baseline);
}

int main(void) {
  wrt_host_info info;
  wrt_result out;
  test_messages();
  test_host(&info);

  CHECK(wrt_context_open(&out) == WRT_OK && out.handle != 0);
  uint64_t ctx = out.handle;
  CHECK(wrt_context_open(&out) == WRT_OK && out.handle != ctx);
  uint64_t other = out.handle;

  test_bad_arguments(ctx, &info);
  test_lifecycle(ctx, &info);
  test_contiguous(ctx, &info);
  test_cycles_release_locks(ctx, &info);

  /* A handle of one context means nothing in another. */
  uint64_t frames[PAGES];
  CHECK(wrt_allocate_pages(other, ~0ull, 3 * info.page_size, frames, PAGES, &out) == WRT_OK);
  uint64_t foreign = out.handle;
  CHECK(wrt_free(ctx, foreign, &out) == WRT_E_UNKNOWN_HANDLE);

  /* Closing frees what is still allocated; a second close is refused, not a double free. */
  CHECK(wrt_context_close(other, &out) == WRT_OK && out.byte_count == 1);
  CHECK(wrt_context_close(other, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_context_close(ctx, &out) == WRT_OK);
  CHECK(wrt_context_stats(ctx, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(vm_locked_kib() == 0);
  CHECK(wrt_process_locked(NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_process_locked(&out) == WRT_OK && out.byte_count == 0);
  CHECK(wrt_context_open(&out) == WRT_OK);
  uint64_t last = out.handle;
  CHECK(wrt_allocate_pages(last, ~0ull, 2 * info.page_size, frames, PAGES, &out) == WRT_OK);
  CHECK(wrt_process_locked(&out) == WRT_OK && out.byte_count == 2 * info.page_size);
  CHECK(wrt_context_close(last, &out) == WRT_OK && out.byte_count == 1);
  CHECK(wrt_process_locked(&out) == WRT_OK && out.byte_count == 0);

  printf("%d passed, 0 failed\n", passed);
  return 0;
}
