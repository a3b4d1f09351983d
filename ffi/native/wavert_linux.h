/*
 * Internal to the Linux helper (wavert_helper.h): the state and routines its files share.
 * wavert_contexts_linux.c (contexts, ids, thread ownership, the allocation table),
 * wavert_alloc_linux.c (allocation, locking, pagemap), wavert_mapping_linux.c (map, unmap, free,
 * frame queries) and wavert_host_linux.c (host facts, RAM ranges, status messages).
 */
#ifndef WAVERT_LINUX_H
#define WAVERT_LINUX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wavert_helper.h"

/* Shared between the helper's files, never exported from the shared library. */
#define WRTL_INTERNAL __attribute__((visibility("hidden")))

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

/* Guards every context and allocation table. */
extern WRTL_INTERNAL pthread_mutex_t wrtl_lock;

/* The system page size. */
WRTL_INTERNAL size_t page_size(void);

/* CLOCK_MONOTONIC_RAW in nanoseconds. */
WRTL_INTERNAL uint64_t now_ns(void);

/* The transparent huge page size, or 2 MiB when the kernel does not say. */
WRTL_INTERNAL size_t huge_page_size(void);

/* Zeroes a result. */
WRTL_INTERNAL void clear_result(wrt_result *out);

/* Checks `out` and the context under the lock, which the caller then holds; on failure unlocks. */
WRTL_INTERNAL int32_t enter(uint64_t context_id, wrt_result *out, context **found);

/* Releases the lock `enter` took and returns `status`. */
WRTL_INTERNAL int32_t leave(int32_t status);

/* The context's live allocation `handle`, or NULL. */
WRTL_INTERNAL allocation *find_allocation(context *c, uint64_t handle);

/* Releases a live allocation and compacts the table. */
WRTL_INTERNAL void release(context *c, allocation *a);

/* Records a successful allocation, or unmaps it when the table cannot grow. */
WRTL_INTERNAL int32_t record(context *c, uint8_t *base, size_t region_bytes, size_t byte_count,
                             uint64_t *handle);

/* Whether `bytes` more fit the context's budget. */
WRTL_INTERNAL bool within_budget(const context *c, uint64_t bytes);

/* /proc/self/pagemap, opened once; -1 when it cannot be. */
WRTL_INTERNAL int open_pagemap(void);

/* Reads the frame numbers of `pages` pages from `base` (see wavert_alloc_linux.c). */
WRTL_INTERNAL int read_frames(const uint8_t *base, size_t pages, uint64_t *frames, bool *valid);

#endif /* WAVERT_LINUX_H */
