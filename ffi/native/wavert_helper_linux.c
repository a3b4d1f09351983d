/*
 * Linux implementation of wavert_helper.h: anonymous memory locked with mlock (so it is resident
 * and cannot be paged out, the user-mode equivalent of nonpaged pages), frame numbers read from
 * /proc/self/pagemap, contiguous blocks from transparent huge pages, timed with
 * CLOCK_MONOTONIC_RAW around the allocation work only.
 */
#define _GNU_SOURCE
#include "wavert_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* pagemap entry layout (Documentation/admin-guide/mm/pagemap.rst). */
#define PAGEMAP_PFN_MASK ((UINT64_C(1) << 55) - 1)
#define PAGEMAP_PRESENT (UINT64_C(1) << 63)

/* MmAllocatePagesForMdlEx allocates at most 4 GB minus one page per call (ByteCount is a ULONG). */
#define MAX_BYTES_BASE UINT64_C(0x100000000)

#define DEFAULT_HUGE_PAGE_SIZE ((size_t)2 << 20)

typedef struct allocation {
  uint64_t handle; /* unique for the process's life (64-bit serial), never reused */
  bool live;
  bool mapped;
  uint8_t *base;        /* start of the pages the MDL describes */
  uint8_t *region;      /* start of the whole mmap region (aligned block for contiguous) */
  size_t region_bytes;  /* length to munmap */
  size_t byte_count;    /* bytes described, a page multiple */
} allocation;

/* Tables keep entries in ascending handle order (new handles are always the largest), so a
 * lookup is a binary search; freed entries stay until they outnumber the live ones. */
typedef struct context {
  uint64_t id; /* unique for the process's life, never reused */
  bool open;
  pthread_t owner;      /* the thread that opened it: its exit closes the context */
  uint64_t budget;      /* most region bytes it may hold locked; 0 = no budget */
  uint64_t locked;      /* region bytes it holds */
  allocation *allocations;
  size_t allocation_count;
  size_t allocation_capacity;
  size_t allocation_dead;
} context;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static context *contexts;
static size_t context_count;
static size_t context_capacity;
static size_t context_dead;
/* Contexts and allocations draw ids from one 64-bit counter: an id is never issued twice (2^64
 * calls is centuries), so a stale or foreign id can never name a live object. */
static uint64_t next_id = 1;
static pthread_key_t owner_key;
static pthread_once_t owner_key_once = PTHREAD_ONCE_INIT;
static int pagemap_fd = -1;

static const char *const messages[WRT_STATUS_COUNT] = {
    [WRT_OK] = "success",
    [WRT_E_INVALID_ARGUMENT] = "invalid argument: a required buffer is null, the cache type is "
                               "unknown or the address range is empty",
    [WRT_E_ZERO_SIZE] = "totalBytes is 0: there is nothing to allocate",
    [WRT_E_TOO_LARGE] = "totalBytes exceeds 4 GB minus one page, the most one call may allocate",
    [WRT_E_BUFFER_TOO_SMALL] = "the frame array is shorter than the number of pages requested",
    [WRT_E_NO_MEMORY] = "no page could be allocated and locked",
    [WRT_E_NOT_CONTIGUOUS] = "the pages obtained were not physically contiguous",
    [WRT_E_FRAMES_UNAVAILABLE] = "frame numbers are unavailable (reading them needs "
                                 "CAP_SYS_ADMIN), so contiguity cannot be verified",
    [WRT_E_UNKNOWN_HANDLE] = "the handle is not a live allocation or context: already freed, or "
                             "never allocated here",
    [WRT_E_ALREADY_MAPPED] = "the allocation is already mapped",
    [WRT_E_NOT_MAPPED] = "the allocation is not mapped",
    [WRT_E_WRONG_ADDRESS] = "the base address is not the one the map call returned",
    [WRT_E_STILL_MAPPED] = "the allocation is still mapped: unmap it before freeing",
    [WRT_E_SYSTEM] = "a system call failed unexpectedly",
    /* Codes of the Windows helper, never returned here; named so every code has a message. */
    [WRT_E_DRIVER_NOT_FOUND] = "WaveRT test driver not found (Windows helper only)",
    [WRT_E_NO_STREAM] = "no WaveRT stream is open on the test driver (Windows helper only)",
    [WRT_E_PROTOCOL] = "the WaveRT test driver refused a request (Windows helper only)",
    [WRT_E_ADDRESSES_HIDDEN] = "physical addresses are hidden: /proc/iomem shows zeros, reading "
                               "it needs CAP_SYS_ADMIN",
    [WRT_E_UNSUPPORTED] = "physical RAM ranges are unavailable here: /proc/iomem is missing or "
                          "lists no whole page of System RAM",
    [WRT_E_OVER_BUDGET] = "the request would hold more memory locked than the context's "
                          "locked-memory budget allows",
};

static size_t page_size(void) {
  static size_t cached;
  if (cached == 0) cached = (size_t)sysconf(_SC_PAGESIZE);
  return cached;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static size_t huge_page_size(void) {
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

static void clear_result(wrt_result *out) { memset(out, 0, sizeof *out); }

/* A fresh id, or 0 once the counter is exhausted. */
static uint64_t new_id(void) { return next_id == UINT64_MAX ? 0 : next_id++; }

/* Test hook (not exported from the library): skips `count` ids, as 2^32 cycles would. */
__attribute__((visibility("hidden"))) void wrt_test_skip_ids(uint64_t count) {
  pthread_mutex_lock(&lock);
  next_id = count > UINT64_MAX - next_id ? UINT64_MAX : next_id + count;
  pthread_mutex_unlock(&lock);
}

/* Binary search of a table sorted by id; the id's field is at `offset` of each `size`-byte
 * entry. Returns the index or SIZE_MAX. */
static size_t search(const void *table, size_t count, size_t size, size_t offset, uint64_t id) {
  size_t low = 0, high = count;
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    uint64_t value;
    memcpy(&value, (const uint8_t *)table + mid * size + offset, sizeof value);
    if (value == id) return mid;
    if (value < id) low = mid + 1; else high = mid;
  }
  return SIZE_MAX;
}

static context *find_context(uint64_t id) {
  if (id == 0) return NULL;
  size_t i = search(contexts, context_count, sizeof *contexts, offsetof(context, id), id);
  return i != SIZE_MAX && contexts[i].open ? &contexts[i] : NULL;
}

static allocation *find_allocation(context *c, uint64_t handle) {
  if (handle == 0) return NULL;
  size_t i = search(c->allocations, c->allocation_count, sizeof *c->allocations,
                    offsetof(allocation, handle), handle);
  return i != SIZE_MAX && c->allocations[i].live ? &c->allocations[i] : NULL;
}

/* Drops freed entries once they outnumber the live ones (amortised O(1) per free). */
static void compact_allocations(context *c) {
  if (c->allocation_dead < 16 || c->allocation_dead * 2 < c->allocation_count) return;
  size_t kept = 0;
  for (size_t i = 0; i < c->allocation_count; i++) {
    if (c->allocations[i].live) c->allocations[kept++] = c->allocations[i];
  }
  c->allocation_count = kept;
  c->allocation_dead = 0;
}

static void compact_contexts(void) {
  if (context_dead < 16 || context_dead * 2 < context_count) return;
  size_t kept = 0;
  for (size_t i = 0; i < context_count; i++) {
    if (contexts[i].open) contexts[kept++] = contexts[i];
  }
  context_count = kept;
  context_dead = 0;
}

/* A new entry at the end of the table (its handle the largest yet), or NULL without memory. */
static allocation *new_allocation(context *c, uint64_t *handle) {
  if (c->allocation_count == c->allocation_capacity) {
    size_t capacity = c->allocation_capacity == 0 ? 16 : c->allocation_capacity * 2;
    allocation *grown = realloc(c->allocations, capacity * sizeof *grown);
    if (grown == NULL) return NULL;
    c->allocations = grown;
    c->allocation_capacity = capacity;
  }
  *handle = new_id();
  if (*handle == 0) return NULL;
  allocation *a = &c->allocations[c->allocation_count++];
  *a = (allocation){.handle = *handle};
  return a;
}

/* Unmapping releases the lock and the pages; the entry's handle is never issued again. */
static void release_pages(context *c, allocation *a) {
  munmap(a->region, a->region_bytes);
  c->locked -= a->region_bytes;
  a->live = false;
  a->mapped = false;
  c->allocation_dead++;
}

static void release(context *c, allocation *a) {
  release_pages(c, a);
  compact_allocations(c);
}

/* Records a successful allocation, or unmaps it when the table cannot grow. */
static int32_t record(context *c, uint8_t *base, size_t region_bytes, size_t byte_count,
                      uint64_t *handle) {
  allocation *a = new_allocation(c, handle);
  if (a == NULL) {
    munmap(base, region_bytes);
    return WRT_E_NO_MEMORY;
  }
  *a = (allocation){.handle = *handle, .live = true, .base = base, .region = base,
                    .region_bytes = region_bytes, .byte_count = byte_count};
  c->locked += region_bytes;
  return WRT_OK;
}

/* Whether `bytes` more fit the context's budget. */
static bool within_budget(const context *c, uint64_t bytes) {
  return c->budget == 0 || (c->locked <= c->budget && bytes <= c->budget - c->locked);
}

static int open_pagemap(void) {
  if (pagemap_fd < 0) pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  return pagemap_fd;
}

/*
 * Reads the frame numbers of `pages` pages from `base`. Returns 0 and sets *valid (every frame
 * non-zero), or an errno when pagemap cannot be read or a page is not resident, which would mean
 * the lock did not hold.
 */
static int read_frames(const uint8_t *base, size_t pages, uint64_t *frames, bool *valid) {
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

/* Allocation starts here: checks the context under the lock, which the caller then holds. */
static int32_t enter(uint64_t context_id, wrt_result *out, context **found) {
  clear_result(out);
  pthread_mutex_lock(&lock);
  *found = find_context(context_id);
  if (*found == NULL) {
    pthread_mutex_unlock(&lock);
    return WRT_E_UNKNOWN_HANDLE;
  }
  return WRT_OK;
}

/* Ends an allocation call: records errno and unlocks. */
static int32_t leave(int32_t status, int error, wrt_result *out) {
  out->sys_errno = (uint64_t)error;
  pthread_mutex_unlock(&lock);
  return status;
}

/* Ends an allocation that failed after its timed work began: failed calls are timed too. */
static int32_t leave_timed(int32_t status, int error, uint64_t start, wrt_result *out) {
  out->duration_ns = now_ns() - start;
  return leave(status, error, out);
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
  if (!within_budget(c, bytes)) return leave(WRT_E_OVER_BUDGET, 0, out);
  uint64_t start = now_ns();
  uint8_t *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return leave_timed(WRT_E_NO_MEMORY, errno, start, out);
  /* A fork (e.g. spawning a process) must not make these pages copy-on-write: a later write
   * would move this process to new frames behind the MDL's back. */
  madvise(base, bytes, MADV_DONTFORK);
  int lock_error = 0;
  size_t locked = lock_prefix(base, bytes, &lock_error);
  if (locked < bytes) munmap(base + locked, bytes - locked);
  if (locked == 0) return leave_timed(WRT_E_NO_MEMORY, lock_error, start, out);
  bool valid = false;
  int read_error = read_frames(base, locked / page_size(), frames, &valid);
  uint64_t duration = now_ns() - start;
  if (read_error != 0) {
    munmap(base, locked);
    return leave_timed(WRT_E_SYSTEM, read_error, start, out);
  }

  status = record(c, base, locked, locked, &out->handle);
  if (status != WRT_OK) return leave(status, ENOMEM, out);
  out->byte_count = locked;
  out->duration_ns = duration;
  out->address = (uint64_t)(uintptr_t)base;
  out->flags = valid ? WRT_RESULT_FRAMES_VALID : 0;
  return leave(WRT_OK, lock_error, out);
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
  if (!within_budget(c, block)) return leave(WRT_E_OVER_BUDGET, 0, out);
  uint64_t start = now_ns();
  /* Over-reserve by one huge page so an aligned block fits, then trim both ends. */
  uint8_t *raw = mmap(NULL, block + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
  if (raw == MAP_FAILED) return leave_timed(WRT_E_NO_MEMORY, errno, start, out);
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
    return leave_timed(WRT_E_NO_MEMORY, error, start, out);
  }
  bool valid = false;
  int read_error = read_frames(region, pages, frames, &valid);
  bool contiguous = valid;
  for (size_t i = 1; contiguous && i < pages; i++) contiguous = frames[i] == frames[0] + i;
  out->duration_ns = now_ns() - start;
  if (read_error != 0 || !contiguous) {
    munmap(region, block);
    memset(frames, 0, pages * sizeof *frames);
    if (read_error != 0) return leave(WRT_E_SYSTEM, read_error, out);
    return leave(valid ? WRT_E_NOT_CONTIGUOUS : WRT_E_FRAMES_UNAVAILABLE, 0, out);
  }

  status = record(c, region, block, bytes, &out->handle);
  if (status != WRT_OK) return leave(status, ENOMEM, out);
  out->byte_count = bytes;
  out->address = (uint64_t)(uintptr_t)region;
  out->flags = WRT_RESULT_FRAMES_VALID;
  return leave(WRT_OK, 0, out);
}

/* Looks up a live allocation under the lock; on failure unlocks and returns the status. */
static int32_t lookup(uint64_t context_id, uint64_t handle, wrt_result *out, allocation **found) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&lock);
  context *c = find_context(context_id);
  *found = c == NULL ? NULL : find_allocation(c, handle);
  if (*found == NULL) {
    pthread_mutex_unlock(&lock);
    return WRT_E_UNKNOWN_HANDLE;
  }
  return WRT_OK;
}

int32_t wrt_map(uint64_t context_id, uint64_t handle, uint32_t cache_type, wrt_result *out) {
  if (cache_type > WRT_CACHE_WRITE_COMBINED) return WRT_E_INVALID_ARGUMENT;
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &a);
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
  pthread_mutex_unlock(&lock);
  return status;
}

int32_t wrt_unmap(uint64_t context_id, uint64_t handle, uint64_t base, wrt_result *out) {
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &a);
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
  pthread_mutex_unlock(&lock);
  return status;
}

int32_t wrt_free(uint64_t context_id, uint64_t handle, wrt_result *out) {
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &a);
  if (status != WRT_OK) return status;
  if (a->mapped) {
    pthread_mutex_unlock(&lock);
    return WRT_E_STILL_MAPPED;
  }
  uint64_t start = now_ns();
  out->byte_count = a->byte_count;
  release(find_context(context_id), a);
  out->duration_ns = now_ns() - start;
  pthread_mutex_unlock(&lock);
  return WRT_OK;
}

int32_t wrt_query_frames(uint64_t context_id, uint64_t handle, uint64_t *frames,
                         uint64_t frames_capacity, wrt_result *out) {
  if (frames == NULL) return WRT_E_INVALID_ARGUMENT;
  allocation *a;
  int32_t status = lookup(context_id, handle, out, &a);
  if (status != WRT_OK) return status;
  size_t pages = a->byte_count / page_size();
  if (frames_capacity < pages) {
    pthread_mutex_unlock(&lock);
    return WRT_E_BUFFER_TOO_SMALL;
  }
  bool valid = false;
  uint64_t start = now_ns();
  int error = read_frames(a->base, pages, frames, &valid);
  out->duration_ns = now_ns() - start;
  out->byte_count = a->byte_count;
  out->address = (uint64_t)(uintptr_t)a->base;
  out->flags = valid ? WRT_RESULT_FRAMES_VALID : 0;
  out->sys_errno = (uint64_t)error;
  pthread_mutex_unlock(&lock);
  return error == 0 ? WRT_OK : WRT_E_SYSTEM;
}

/* Frees every allocation of `c` and closes it; returns how many allocations it freed. */
static uint64_t close_context(context *c) {
  uint64_t freed = 0;
  for (size_t i = 0; i < c->allocation_count; i++) {
    if (c->allocations[i].live) {
      release_pages(c, &c->allocations[i]);
      freed++;
    }
  }
  free(c->allocations);
  *c = (context){.id = c->id};
  context_dead++;
  return freed;
}

/* Thread-exit destructor: a thread that ends (a Deno Worker terminated, closed or crashed)
 * takes its contexts with it, so nothing it allocated stays locked. */
static void close_thread_contexts(void *marker) {
  (void)marker;
  pthread_t self = pthread_self();
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < context_count; i++) {
    if (contexts[i].open && pthread_equal(contexts[i].owner, self)) close_context(&contexts[i]);
  }
  compact_contexts();
  pthread_mutex_unlock(&lock);
}

static void create_owner_key(void) {
  if (pthread_key_create(&owner_key, close_thread_contexts) != 0) owner_key = (pthread_key_t)-1;
}

int32_t wrt_context_open(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_once(&owner_key_once, create_owner_key);
  /* Any non-null value arms the destructor for this thread. */
  if (owner_key == (pthread_key_t)-1 || pthread_setspecific(owner_key, &owner_key) != 0) {
    return WRT_E_NO_MEMORY;
  }
  pthread_mutex_lock(&lock);
  if (context_count == context_capacity) {
    size_t capacity = context_capacity == 0 ? 4 : context_capacity * 2;
    context *grown = realloc(contexts, capacity * sizeof *grown);
    if (grown == NULL) {
      pthread_mutex_unlock(&lock);
      return WRT_E_NO_MEMORY;
    }
    contexts = grown;
    context_capacity = capacity;
  }
  uint64_t id = new_id();
  if (id == 0) {
    pthread_mutex_unlock(&lock);
    return WRT_E_NO_MEMORY;
  }
  contexts[context_count++] = (context){.id = id, .open = true, .owner = pthread_self()};
  out->handle = id;
  pthread_mutex_unlock(&lock);
  return WRT_OK;
}

int32_t wrt_context_close(uint64_t context_id, wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&lock);
  context *c = find_context(context_id);
  if (c == NULL) {
    pthread_mutex_unlock(&lock);
    return WRT_E_UNKNOWN_HANDLE;
  }
  uint64_t start = now_ns();
  out->byte_count = close_context(c);
  compact_contexts();
  out->duration_ns = now_ns() - start;
  pthread_mutex_unlock(&lock);
  return WRT_OK;
}

int32_t wrt_context_stats(uint64_t context_id, wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&lock);
  context *c = find_context(context_id);
  if (c == NULL) {
    pthread_mutex_unlock(&lock);
    return WRT_E_UNKNOWN_HANDLE;
  }
  for (size_t i = 0; i < c->allocation_count; i++) {
    if (c->allocations[i].live) out->handle++;
  }
  out->byte_count = c->locked;
  out->address = c->budget;
  pthread_mutex_unlock(&lock);
  return WRT_OK;
}

int32_t wrt_context_set_budget(uint64_t context_id, uint64_t max_locked_bytes, wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&lock);
  context *c = find_context(context_id);
  if (c == NULL) {
    pthread_mutex_unlock(&lock);
    return WRT_E_UNKNOWN_HANDLE;
  }
  c->budget = max_locked_bytes;
  out->byte_count = c->locked;
  pthread_mutex_unlock(&lock);
  return WRT_OK;
}

int32_t wrt_process_stats(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < context_count; i++) {
    if (!contexts[i].open) continue;
    out->handle++;
    out->byte_count += contexts[i].locked;
  }
  pthread_mutex_unlock(&lock);
  return WRT_OK;
}

uint32_t wrt_abi_version(void) { return WRT_ABI_VERSION; }

static uint64_t copy_text(const char *text, uint8_t *buffer, uint64_t capacity) {
  size_t length = strlen(text);
  if (buffer != NULL && capacity > 0) {
    size_t n = length < capacity - 1 ? length : (size_t)capacity - 1;
    memcpy(buffer, text, n);
    buffer[n] = '\0';
  }
  return length;
}

uint64_t wrt_status_message(int32_t status, uint8_t *buffer, uint64_t capacity) {
  const char *text = status >= 0 && status < WRT_STATUS_COUNT ? messages[status] : NULL;
  return copy_text(text != NULL ? text : "unknown status code", buffer, capacity);
}

/* Smallest non-zero step between consecutive clock reads: the resolution callers really get. */
static uint64_t measured_clock_step(void) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 10000; i++) {
    uint64_t a = now_ns();
    uint64_t b = now_ns();
    while (b == a) b = now_ns();
    if (b - a < best) best = b - a;
  }
  return best;
}

/* Allocates, locks and reads one page to learn whether frame numbers are real here. */
static void probe_frames(wrt_host_info *info, char *reason, size_t capacity) {
  reason[0] = '\0';
  if (open_pagemap() < 0) {
    snprintf(reason, capacity, "cannot open /proc/self/pagemap: %s", strerror(errno));
    return;
  }
  uint8_t *page = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
  if (page == MAP_FAILED) {
    snprintf(reason, capacity, "cannot map a probe page: %s", strerror(errno));
    return;
  }
  page[0] = 1; /* make it resident even when mlock is not allowed */
  uint64_t frame = 0;
  bool valid = false;
  int error = read_frames(page, 1, &frame, &valid);
  munmap(page, page_size());
  if (error != 0) {
    snprintf(reason, capacity, "cannot read /proc/self/pagemap: %s", strerror(error));
  } else if (!valid) {
    snprintf(reason, capacity,
             "/proc/self/pagemap reports frame number 0 for resident pages: the process lacks "
             "CAP_SYS_ADMIN, which reading physical frame numbers needs");
  } else {
    info->flags |= WRT_HOST_FRAMES_READABLE;
  }
}

/* CAP_IPC_LOCK in the effective set lifts RLIMIT_MEMLOCK for mlock. */
static bool has_ipc_lock(void) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32))) != 0;
}

static uint64_t thp_mode_flags(void) {
  char text[128] = {0};
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL) return 0;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  if (strstr(text, "[always]") != NULL) return WRT_HOST_THP_ALWAYS;
  if (strstr(text, "[madvise]") != NULL) return WRT_HOST_THP_MADVISE;
  return 0;
}

int32_t wrt_host_query(wrt_host_info *info, uint8_t *reason, uint64_t reason_capacity) {
  if (info == NULL || reason == NULL || reason_capacity == 0) return WRT_E_INVALID_ARGUMENT;
  memset(info, 0, sizeof *info);
  info->abi_version = WRT_ABI_VERSION;
  info->page_size = page_size();
  struct rlimit limit;
  if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
    info->memlock_limit = limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)limit.rlim_cur;
  }
  struct timespec resolution;
  clock_getres(CLOCK_MONOTONIC_RAW, &resolution);
  info->clock_resolution_ns =
      (uint64_t)resolution.tv_sec * UINT64_C(1000000000) + (uint64_t)resolution.tv_nsec;
  info->clock_measured_ns = measured_clock_step();
  info->huge_page_size = huge_page_size();
  info->flags |= thp_mode_flags();

  pthread_mutex_lock(&lock);
  char text[256];
  probe_frames(info, text, sizeof text);
  if (info->memlock_limit == UINT64_MAX || has_ipc_lock()) {
    info->flags |= WRT_HOST_CAN_LOCK_UNLIMITED;
  }
  pthread_mutex_unlock(&lock);
  copy_text(text, reason, reason_capacity);
  return WRT_OK;
}

int32_t wrt_process_locked(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) {
    out->sys_errno = (uint64_t)errno;
    return WRT_E_SYSTEM;
  }
  char line[256];
  unsigned long long kib = 0;
  bool found = false;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    found = sscanf(line, "VmLck: %llu kB", &kib) == 1;
  }
  fclose(f);
  if (!found) {
    out->sys_errno = ENOENT;
    return WRT_E_SYSTEM;
  }
  out->byte_count = (uint64_t)kib * 1024;
  return WRT_OK;
}

int32_t wrt_memory_available(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  FILE *f = fopen("/proc/meminfo", "re");
  if (f == NULL) {
    out->sys_errno = (uint64_t)errno;
    return WRT_E_SYSTEM;
  }
  char line[256];
  unsigned long long available = 0, total = 0;
  bool found_available = false, found_total = false;
  while (fgets(line, sizeof line, f) != NULL) {
    if (sscanf(line, "MemAvailable: %llu kB", &available) == 1) found_available = true;
    if (sscanf(line, "MemTotal: %llu kB", &total) == 1) found_total = true;
  }
  fclose(f);
  if (!found_available || !found_total) {
    out->sys_errno = ENOENT;
    return WRT_E_SYSTEM;
  }
  out->byte_count = (uint64_t)available * 1024;
  out->address = (uint64_t)total * 1024;
  return WRT_OK;
}

/* What one line of /proc/iomem says about RAM. */
typedef enum iomem_line { IOMEM_OTHER, IOMEM_RAM, IOMEM_HIDDEN } iomem_line;

/* Parses a hexadecimal number; *end is where it stopped. False when no digit is there or it
 * does not fit in 64 bits. */
static bool parse_hex(const char *text, const char **end, uint64_t *value) {
  uint64_t v = 0;
  const char *p = text;
  for (;; p++) {
    unsigned digit;
    if (*p >= '0' && *p <= '9') {
      digit = (unsigned)(*p - '0');
    } else if (*p >= 'a' && *p <= 'f') {
      digit = (unsigned)(*p - 'a' + 10);
    } else if (*p >= 'A' && *p <= 'F') {
      digit = (unsigned)(*p - 'A' + 10);
    } else {
      break;
    }
    if (v > UINT64_MAX >> 4) return false;
    v = v << 4 | digit;
  }
  *end = p;
  *value = v;
  return p > text;
}

/*
 * A top-level "start-end : System RAM" line (end inclusive), trimmed inward to whole pages: the
 * same rule as core/machine.ts parseProcIomem. Nested lines (kernel code, data) start with spaces
 * and lie inside their RAM range. A range with no whole page in it yields *length 0.
 */
static iomem_line parse_iomem_line(const char *line, uint64_t page, uint64_t *base,
                                   uint64_t *length) {
  uint64_t start, end;
  const char *p;
  if (!parse_hex(line, &p, &start) || *p != '-') return IOMEM_OTHER;
  if (!parse_hex(p + 1, &p, &end) || strncmp(p, " : System RAM", 13) != 0) return IOMEM_OTHER;
  for (p += 13; *p != '\0'; p++) {
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return IOMEM_OTHER;
  }
  if (end == 0) return IOMEM_HIDDEN; /* a real range never ends at byte 0 */
  /* In page numbers, so nothing overflows: the first whole page, and one past the last. */
  uint64_t first = start / page + (start % page != 0);
  uint64_t past = end / page + (end % page == page - 1);
  *length = 0;
  if (past > first && past <= UINT64_MAX / page) {
    *base = first * page;
    *length = (past - first) * page;
  }
  return IOMEM_RAM;
}

/*
 * wrt_host_ram on any file in /proc/iomem's format. Not exported from the shared library (every
 * helper exports the same symbols); abi_test.c, built from this source, feeds it crafted files.
 */
__attribute__((visibility("hidden"))) int32_t wrt_host_ram_from(const char *path,
                                                                 uint64_t *ranges,
                                                                 uint64_t capacity,
                                                                 wrt_result *out) {
  if (path == NULL || out == NULL || (ranges == NULL && capacity != 0)) {
    return WRT_E_INVALID_ARGUMENT;
  }
  clear_result(out);
  FILE *f = fopen(path, "re");
  if (f == NULL) {
    int error = errno;
    out->sys_errno = (uint64_t)error;
    return error == ENOENT ? WRT_E_UNSUPPORTED : WRT_E_SYSTEM;
  }
  uint64_t page = page_size();
  uint64_t found = 0;
  bool hidden = false;
  bool line_start = true; /* a line longer than the buffer arrives in pieces: skip the rest */
  char line[256];
  while (!hidden && fgets(line, sizeof line, f) != NULL) {
    bool top_level = line_start && line[0] != ' ';
    line_start = strchr(line, '\n') != NULL;
    if (!top_level) continue;
    uint64_t base = 0, length = 0;
    iomem_line kind = parse_iomem_line(line, page, &base, &length);
    hidden = kind == IOMEM_HIDDEN;
    if (kind != IOMEM_RAM || length == 0) continue;
    if (2 * found + 1 < capacity) {
      ranges[2 * found] = base;
      ranges[2 * found + 1] = length;
    }
    found++;
  }
  bool read_failed = ferror(f) != 0;
  fclose(f);
  if (read_failed) {
    out->sys_errno = EIO;
    return WRT_E_SYSTEM;
  }
  if (hidden) return WRT_E_ADDRESSES_HIDDEN;
  if (found == 0) return WRT_E_UNSUPPORTED;
  out->byte_count = found;
  return capacity / 2 < found ? WRT_E_BUFFER_TOO_SMALL : WRT_OK;
}

int32_t wrt_host_ram(uint64_t *ranges, uint64_t capacity, wrt_result *out) {
  return wrt_host_ram_from("/proc/iomem", ranges, capacity, out);
}
