/*
 * The Linux helper's allocations: anonymous memory locked with mlock (so it is resident and
 * cannot be paged out, the user-mode equivalent of nonpaged pages), frame numbers read from
 * /proc/self/pagemap, contiguous blocks from transparent huge pages, timed with
 * CLOCK_MONOTONIC_RAW around the allocation work only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wavert_linux.h"

/* pagemap entry layout (Documentation/admin-guide/mm/pagemap.rst). */
#define PAGEMAP_PFN_MASK ((UINT64_C(1) << 55) - 1)
#define PAGEMAP_PRESENT (UINT64_C(1) << 63)

/* MmAllocatePagesForMdlEx allocates at most 4 GB minus one page per call (ByteCount is a ULONG). */
#define MAX_BYTES_BASE UINT64_C(0x100000000)

#define DEFAULT_HUGE_PAGE_SIZE ((size_t)2 << 20)

static int pagemap_fd = -1;

size_t page_size(void) {
  static size_t cached;
  if (cached == 0) cached = (size_t)sysconf(_SC_PAGESIZE);
  return cached;
}

size_t huge_page_size(void) {
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
  unsigned long long size = 0;
  if (f != NULL) {
    if (fscanf(f, "%llu", &size) != 1) size = 0;
    fclose(f);
  }
  return size == 0 ? DEFAULT_HUGE_PAGE_SIZE : (size_t)size;
}

/* mlock through the raw system call: AddressSanitizer replaces mlock() with a no-op, which
 * would leave the pages unpopulated in the sanitizer build the safety checks run. */
static int lock_pages(void *base, size_t bytes) { return (int)syscall(SYS_mlock, base, bytes); }

int open_pagemap(void) {
  if (pagemap_fd < 0) pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  return pagemap_fd;
}

/*
 * Reads the frame numbers of `pages` pages from `base`. Returns 0 and sets *valid (every frame
 * non-zero), or an errno when pagemap cannot be read or a page is not resident, which would mean
 * the lock did not hold.
 */
int read_frames(const uint8_t *base, size_t pages, uint64_t *frames, bool *valid) {
  int fd = open_pagemap();
  if (fd < 0) {
    memset(frames, 0, pages * sizeof *frames);
    *valid = false;
    return 0;
  }
  off_t offset = (off_t)((uintptr_t)base / page_size() * sizeof(uint64_t));
  size_t want = pages * sizeof(uint64_t);
  size_t done = 0;
  while (done < want) {
    ssize_t n = pread(fd, (uint8_t *)frames + done, want - done, offset + (off_t)done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += (size_t)n;
  }
  bool all_nonzero = true;
  for (size_t i = 0; i < pages; i++) {
    if ((frames[i] & PAGEMAP_PRESENT) == 0) return EFAULT;
    frames[i] &= PAGEMAP_PFN_MASK;
    if (frames[i] == 0) all_nonzero = false;
  }
  *valid = all_nonzero;
  return 0;
}

/* Common argument checks of both allocators; returns the page count through *pages. */
static int32_t check_allocation_args(uint64_t total_bytes, const uint64_t *frames,
                                     uint64_t frames_capacity, const wrt_result *out,
                                     size_t *pages) {
  if (out == NULL || frames == NULL) return WRT_E_INVALID_ARGUMENT;
  if (total_bytes == 0) return WRT_E_ZERO_SIZE;
  if (total_bytes > MAX_BYTES_BASE - page_size()) return WRT_E_TOO_LARGE;
  *pages = (size_t)((total_bytes + page_size() - 1) / page_size());
  if (frames_capacity < *pages) return WRT_E_BUFFER_TOO_SMALL;
  return WRT_OK;
}

/*
 * Locks as much of [base, base + bytes) from the start as the limits allow: the whole range in
 * one call when possible, otherwise halving chunks, so a partial result costs O(log n) calls.
 */
static size_t lock_prefix(uint8_t *base, size_t bytes, int *error) {
  if (lock_pages(base, bytes) == 0) return bytes;
  *error = errno;
  size_t locked = 0;
  size_t chunk = bytes / 2 / page_size() * page_size();
  while (locked < bytes && chunk >= page_size()) {
    size_t len = chunk < bytes - locked ? chunk : bytes - locked;
    if (lock_pages(base + locked, len) == 0) {
      locked += len;
    } else {
      chunk = chunk / 2 / page_size() * page_size();
    }
  }
  return locked;
}

/* Ends an allocation call: records errno and unlocks. */
static int32_t finish(int32_t status, int error, wrt_result *out) {
  out->sys_errno = (uint64_t)error;
  return leave(status);
}

/* Ends an allocation that failed after its timed work began: failed calls are timed too. */
static int32_t finish_timed(int32_t status, int error, uint64_t start, wrt_result *out) {
  out->duration_ns = now_ns() - start;
  return finish(status, error, out);
}

int32_t wrt_allocate_pages(uint64_t context_id, uint64_t high_address, uint64_t total_bytes,
                           uint64_t *frames, uint64_t frames_capacity, wrt_result *out) {
  (void)high_address; /* observed by the caller against the frames, never enforced here */
  size_t pages = 0;
  int32_t status = check_allocation_args(total_bytes, frames, frames_capacity, out, &pages);
  context *c;
  if (status == WRT_OK) status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;

  size_t bytes = pages * page_size();
  if (!within_budget(c, bytes)) return finish(WRT_E_OVER_BUDGET, 0, out);
  uint64_t start = now_ns();
  uint8_t *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return finish_timed(WRT_E_NO_MEMORY, errno, start, out);
  /* A fork (e.g. spawning a process) must not make these pages copy-on-write: a later write
   * would move this process to new frames behind the MDL's back. */
  madvise(base, bytes, MADV_DONTFORK);
  int lock_error = 0;
  size_t locked = lock_prefix(base, bytes, &lock_error);
  if (locked < bytes) munmap(base + locked, bytes - locked);
  if (locked == 0) return finish_timed(WRT_E_NO_MEMORY, lock_error, start, out);
  bool valid = false;
  int read_error = read_frames(base, locked / page_size(), frames, &valid);
  uint64_t duration = now_ns() - start;
  if (read_error != 0) {
    munmap(base, locked);
    return finish_timed(WRT_E_SYSTEM, read_error, start, out);
  }

  status = record(c, base, locked, locked, &out->handle);
  if (status != WRT_OK) return finish(status, ENOMEM, out);
  out->byte_count = locked;
  out->duration_ns = duration;
  out->address = (uint64_t)(uintptr_t)base;
  out->flags = valid ? WRT_RESULT_FRAMES_VALID : 0;
  return finish(WRT_OK, lock_error, out);
}

int32_t wrt_allocate_contiguous(uint64_t context_id, uint64_t low_address, uint64_t high_address,
                                uint64_t total_bytes, uint64_t *frames, uint64_t frames_capacity,
                                wrt_result *out) {
  size_t pages = 0;
  int32_t status = check_allocation_args(total_bytes, frames, frames_capacity, out, &pages);
  if (status == WRT_OK && low_address > high_address) status = WRT_E_INVALID_ARGUMENT;
  context *c;
  if (status == WRT_OK) status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;

  size_t huge = huge_page_size();
  size_t bytes = pages * page_size();
  size_t block = (bytes + huge - 1) / huge * huge;
  if (!within_budget(c, block)) return finish(WRT_E_OVER_BUDGET, 0, out);
  uint64_t start = now_ns();
  /* Over-reserve by one huge page so an aligned block fits, then trim both ends. */
  uint8_t *raw = mmap(NULL, block + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
  if (raw == MAP_FAILED) return finish_timed(WRT_E_NO_MEMORY, errno, start, out);
  uint8_t *region = (uint8_t *)(((uintptr_t)raw + huge - 1) / huge * huge);
  if (region > raw) munmap(raw, (size_t)(region - raw));
  size_t tail = (size_t)(raw + block + huge - (region + block));
  if (tail > 0) munmap(region + block, tail);
  /* Without THP support madvise fails; the contiguity check below then decides. */
  madvise(region, block, MADV_HUGEPAGE);
  madvise(region, block, MADV_DONTFORK);
  if (lock_pages(region, block) != 0) {
    int error = errno;
    munmap(region, block);
    return finish_timed(WRT_E_NO_MEMORY, error, start, out);
  }
  bool valid = false;
  int read_error = read_frames(region, pages, frames, &valid);
  bool contiguous = valid;
  for (size_t i = 1; contiguous && i < pages; i++) contiguous = frames[i] == frames[0] + i;
  out->duration_ns = now_ns() - start;
  if (read_error != 0 || !contiguous) {
    munmap(region, block);
    memset(frames, 0, pages * sizeof *frames);
    if (read_error != 0) return finish(WRT_E_SYSTEM, read_error, out);
    return finish(valid ? WRT_E_NOT_CONTIGUOUS : WRT_E_FRAMES_UNAVAILABLE, 0, out);
  }

  status = record(c, region, block, bytes, &out->handle);
  if (status != WRT_OK) return finish(status, ENOMEM, out);
  out->byte_count = bytes;
  out->address = (uint64_t)(uintptr_t)region;
  out->flags = WRT_RESULT_FRAMES_VALID;
  return finish(WRT_OK, 0, out);
}
