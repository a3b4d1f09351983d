/*
 * Drives the wavert_helper ABI directly, including the bad arguments the Deno side never sends:
 * zero and huge sizes, null buffers, a too-short frame array, stale and foreign handles, double
 * free. Built into one program with the helper source so AddressSanitizer, UBSan and valgrind see
 * both sides. Exits non-zero on the first failed check; prints "N passed, 0 failed" at the end.
 */
#include "wavert_helper.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_check.h"

/* wrt_host_ram on another file: hidden in the shared library, linked here from the same source. */
int32_t wrt_host_ram_from(const char *path, uint64_t *ranges, uint64_t capacity,
                          wrt_result *out);

/* Hidden test hook of the helper: skips ids, as 2^32 open/close cycles would. */
void wrt_test_skip_ids(uint64_t count);

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

  /* A new allocation never gets an old handle: the stale one stays invalid. */
  CHECK(wrt_allocate_pages(ctx, 0xffffffffull, page, frames, PAGES, &out) == WRT_OK);
  CHECK(out.handle > handle);
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

/* Writes `text` to a fresh temporary file and reads it as /proc/iomem; the file is removed. */
static int32_t host_ram_of(const char *text, uint64_t *ranges, uint64_t capacity,
                           wrt_result *out) {
  char path[] = "/tmp/wavert_iomem_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  size_t length = strlen(text);
  CHECK(write(fd, text, length) == (ssize_t)length);
  close(fd);
  int32_t status = wrt_host_ram_from(path, ranges, capacity, out);
  unlink(path);
  return status;
}

/* The parser on crafted files: what root and an unprivileged process see, and odd lines. Ranges
 * are trimmed to the host's page size, so the expected values are too. */
static void test_iomem_parsing(uint64_t page) {
#define UP(x) (((uint64_t)(x) + page - 1) / page * page)
#define DOWN(x) ((uint64_t)(x) / page * page)
  uint64_t r[8];
  wrt_result out;
  const char *kvm =
      "00000000-00000fff : Reserved\n"
      "00001000-0009fbff : System RAM\n"
      "0009fc00-000fffff : Reserved\n"
      "  000f0000-000fffff : System ROM\n"
      "00100000-bfffffff : System RAM\n"
      "  01000000-0220bb07 : Kernel code\n"
      "  03b34000-03c57fff : System RAM\n" /* nested: part of the range above */
      "c0001000-eebfffff : PCI Bus 0000:00\n"
      "100000000-63fffffff : System RAM\n";
  CHECK(host_ram_of(kvm, r, 8, &out) == WRT_OK && out.byte_count == 3);
  CHECK(r[0] == UP(0x1000) && r[1] == DOWN(0x9fc00) - UP(0x1000)); /* trimmed inward */
  CHECK(r[2] == 0x100000 && r[3] == 0xbff00000);
  CHECK(r[4] == 0x100000000ull && r[5] == 0x540000000ull);
  CHECK(host_ram_of(kvm, NULL, 0, &out) == WRT_E_BUFFER_TOO_SMALL && out.byte_count == 3);
  r[2] = 0;
  CHECK(host_ram_of(kvm, r, 3, &out) == WRT_E_BUFFER_TOO_SMALL && out.byte_count == 3);
  CHECK(r[0] == UP(0x1000) && r[2] == 0); /* the pair that fits, nothing beyond it */

  /* Without CAP_SYS_ADMIN the kernel prints every address as zeros. */
  const char *hidden = "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n";
  CHECK(host_ram_of(hidden, r, 8, &out) == WRT_E_ADDRESSES_HIDDEN && out.byte_count == 0);

  /* RAM below one whole page, names that only start like it, and a line longer than the reading
   * buffer whose continuation looks like a RAM line: none is a range. */
  char odd[1024];
  int n = snprintf(odd, sizeof odd,
                   "00000800-00000fff : System RAM\n"
                   "00020000-0002ffff : System RAMdisk\n"
                   "00030000-0003ffff : System RAM extra\n"
                   "00004000-00004fff : Reserved ");
  /* 255 characters fill the 256-byte buffer, so the next read starts mid-line. */
  int long_line = n - (int)strlen("00004000-00004fff : Reserved ");
  while (n - long_line < 255) odd[n++] = 'x';
  snprintf(odd + n, sizeof odd - (size_t)n,
           "00060000-0006ffff : System RAM\n00050000-0005ffff : System RAM\n");
  CHECK(host_ram_of(odd, r, 8, &out) == WRT_OK && out.byte_count == 1);
  CHECK(r[0] == 0x50000 && r[1] == 0x10000); /* 64 KiB-aligned: whole pages of any size */
  CHECK(host_ram_of("00001000-00001fff : Reserved\n", r, 8, &out) == WRT_E_UNSUPPORTED);
  CHECK(wrt_host_ram_from("/nonexistent/iomem", r, 8, &out) == WRT_E_UNSUPPORTED &&
        out.sys_errno == ENOENT);
#undef UP
#undef DOWN
}

/* The machine's own RAM: page-aligned, sorted, and holding the frames of a real allocation. */
static void test_host_ram(uint64_t ctx, const wrt_host_info *info) {
  uint64_t ranges[256];
  wrt_result out;
  uint64_t page = info->page_size;
  CHECK(wrt_host_ram(ranges, 256, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_host_ram(NULL, 2, &out) == WRT_E_INVALID_ARGUMENT);
  int32_t s = wrt_host_ram(NULL, 0, &out);
  /* Physical addresses and frame numbers both need CAP_SYS_ADMIN. */
  if ((info->flags & WRT_HOST_FRAMES_READABLE) == 0) {
    CHECK(s == WRT_E_ADDRESSES_HIDDEN && out.byte_count == 0);
    CHECK(wrt_host_ram(ranges, 256, &out) == WRT_E_ADDRESSES_HIDDEN);
    printf("host RAM ranges: hidden\n");
    return;
  }
  CHECK(s == WRT_E_BUFFER_TOO_SMALL && out.byte_count >= 1 && out.byte_count <= 128);
  uint64_t count = out.byte_count;
  CHECK(wrt_host_ram(ranges, 1, &out) == WRT_E_BUFFER_TOO_SMALL && out.byte_count == count);
  CHECK(wrt_host_ram(ranges, 256, &out) == WRT_OK && out.byte_count == count);
  for (uint64_t i = 0; i < count; i++) {
    uint64_t base = ranges[2 * i], length = ranges[2 * i + 1];
    CHECK(length > 0 && base % page == 0 && length % page == 0);
    if (i > 0) CHECK(base >= ranges[2 * i - 2] + ranges[2 * i - 1]);
  }
  printf("host RAM ranges: %llu\n", (unsigned long long)count);

  uint64_t frames[PAGES];
  CHECK(wrt_allocate_pages(ctx, ~0ull, PAGES * page, frames, PAGES, &out) == WRT_OK);
  uint64_t handle = out.handle;
  for (int p = 0; p < PAGES; p++) {
    uint64_t address = frames[p] * page;
    bool inside = false;
    for (uint64_t i = 0; i < count && !inside; i++) {
      inside = address >= ranges[2 * i] && address - ranges[2 * i] < ranges[2 * i + 1];
    }
    CHECK(inside);
  }
  CHECK(wrt_free(ctx, handle, &out) == WRT_OK);
}

/* Ids are 64-bit and never reissued: after 2^32 cycles (the old 32-bit generations wrapped
 * there) a stale context or allocation id is still refused. */
static void test_ids_never_reused(const wrt_host_info *info) {
  wrt_result out;
  uint64_t frames[PAGES];
  CHECK(wrt_context_open(&out) == WRT_OK);
  uint64_t stale = out.handle;
  CHECK(wrt_allocate_pages(stale, ~0ull, info->page_size, frames, PAGES, &out) == WRT_OK);
  uint64_t stale_mdl = out.handle;
  CHECK(wrt_context_close(stale, &out) == WRT_OK && out.byte_count == 1);
  wrt_test_skip_ids((UINT64_C(1) << 32) - 1);
  CHECK(wrt_context_open(&out) == WRT_OK && out.handle != stale);
  uint64_t fresh = out.handle;
  CHECK(fresh - stale > (UINT64_C(1) << 32) - 1);
  CHECK(wrt_context_stats(stale, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_context_close(stale, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_allocate_pages(fresh, ~0ull, info->page_size, frames, PAGES, &out) == WRT_OK);
  uint64_t mdl = out.handle;
  CHECK(mdl != stale_mdl && wrt_free(fresh, stale_mdl, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_free(fresh, mdl, &out) == WRT_OK);
  wrt_test_skip_ids(UINT64_C(1) << 32);
  CHECK(wrt_free(fresh, mdl, &out) == WRT_E_UNKNOWN_HANDLE);
  /* A context id is never an allocation id and the reverse. */
  CHECK(wrt_context_stats(mdl, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_context_close(fresh, &out) == WRT_OK);
}

/* Many live allocations freed out of order: the table compacts and every lookup still works. */
static void test_table_compaction(uint64_t ctx, const wrt_host_info *info) {
  enum { COUNT = 200 };
  static uint64_t handles[COUNT];
  uint64_t frames[PAGES];
  wrt_result out;
  CHECK(wrt_context_stats(ctx, &out) == WRT_OK);
  uint64_t live = out.handle, held = out.byte_count;
  for (int i = 0; i < COUNT; i++) {
    CHECK(wrt_allocate_pages(ctx, ~0ull, info->page_size, frames, PAGES, &out) == WRT_OK);
    handles[i] = out.handle;
  }
  for (int i = 0; i < COUNT; i += 2) CHECK(wrt_free(ctx, handles[i], &out) == WRT_OK);
  for (int i = 0; i < COUNT; i += 2) CHECK(wrt_free(ctx, handles[i], &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_context_stats(ctx, &out) == WRT_OK && out.handle == live + COUNT / 2);
  for (int i = COUNT - 1; i > 0; i -= 2) CHECK(wrt_free(ctx, handles[i], &out) == WRT_OK);
  CHECK(wrt_context_stats(ctx, &out) == WRT_OK && out.handle == live && out.byte_count == held);
}

/* A budget refuses what would exceed it before anything is mapped. */
static void test_budget(const wrt_host_info *info) {
  wrt_result out;
  uint64_t frames[PAGES];
  CHECK(wrt_context_set_budget(0, 1, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_context_open(&out) == WRT_OK);
  uint64_t ctx = out.handle;
  CHECK(wrt_context_set_budget(ctx, 2 * info->page_size, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_context_set_budget(ctx, 2 * info->page_size, &out) == WRT_OK && out.byte_count == 0);
  CHECK(wrt_allocate_pages(ctx, ~0ull, 3 * info->page_size, frames, PAGES, &out) ==
        WRT_E_OVER_BUDGET);
  CHECK(wrt_allocate_pages(ctx, ~0ull, 2 * info->page_size, frames, PAGES, &out) == WRT_OK);
  uint64_t mdl = out.handle;
  CHECK(wrt_allocate_pages(ctx, ~0ull, 1, frames, PAGES, &out) == WRT_E_OVER_BUDGET);
  CHECK(wrt_allocate_contiguous(ctx, 0, ~0ull, 1, frames, PAGES, &out) == WRT_E_OVER_BUDGET);
  CHECK(wrt_context_stats(ctx, &out) == WRT_OK && out.handle == 1 &&
        out.byte_count == 2 * info->page_size && out.address == 2 * info->page_size);
  CHECK(wrt_free(ctx, mdl, &out) == WRT_OK);
  CHECK(wrt_allocate_pages(ctx, ~0ull, 1, frames, PAGES, &out) == WRT_OK);
  CHECK(wrt_context_set_budget(ctx, 0, &out) == WRT_OK && out.byte_count == info->page_size);
  CHECK(wrt_allocate_pages(ctx, ~0ull, 3 * info->page_size, frames, PAGES, &out) == WRT_OK);
  CHECK(wrt_context_close(ctx, &out) == WRT_OK && out.byte_count == 2);
}

static void *thread_that_leaks(void *page_size) {
  wrt_result out;
  uint64_t frames[PAGES];
  if (wrt_context_open(&out) != WRT_OK) return NULL;
  uint64_t ctx = out.handle;
  wrt_allocate_pages(ctx, ~0ull, 4 * *(uint64_t *)page_size, frames, PAGES, &out);
  return (void *)(uintptr_t)ctx; /* exits without closing: the destructor must */
}

/* A thread that ends with a context open (a terminated Worker) frees its pages. */
static void test_thread_exit(const wrt_host_info *info) {
  wrt_result out;
  CHECK(wrt_process_stats(NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_process_stats(&out) == WRT_OK);
  uint64_t contexts_before = out.handle, locked_before = out.byte_count;
  pthread_t thread;
  uint64_t page = info->page_size;
  void *ctx = NULL;
  CHECK(pthread_create(&thread, NULL, thread_that_leaks, &page) == 0);
  CHECK(pthread_join(thread, &ctx) == 0 && ctx != NULL);
  CHECK(wrt_context_stats((uint64_t)(uintptr_t)ctx, &out) == WRT_E_UNKNOWN_HANDLE);
  CHECK(wrt_process_stats(&out) == WRT_OK && out.handle == contexts_before &&
        out.byte_count == locked_before);
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
  test_iomem_parsing(info.page_size);
  test_host_ram(ctx, &info);
  test_table_compaction(ctx, &info);
  test_budget(&info);
  test_thread_exit(&info);
  CHECK(wrt_memory_available(NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(wrt_memory_available(&out) == WRT_OK && out.byte_count > 0 && out.address >= out.byte_count);

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
  test_ids_never_reused(&info);
  /* The counter's end is refused, never wrapped to ids already issued. */
  wrt_test_skip_ids(UINT64_MAX);
  CHECK(wrt_context_open(&out) == WRT_E_NO_MEMORY);

  printf("%d passed, 0 failed\n", passed);
  return 0;
}
