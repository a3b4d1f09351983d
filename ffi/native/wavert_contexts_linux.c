/*
 * The Linux helper's contexts: ids from one never-reused counter, the tables of contexts and of
 * each context's allocations, the locked-memory budget, and thread ownership (a thread's exit
 * closes its contexts).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "wavert_linux.h"

/* The helper's clock and result reset, used by every call (contexts, allocation, mapping). */
uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

void clear_result(wrt_result *out) { memset(out, 0, sizeof *out); }

pthread_mutex_t wrtl_lock = PTHREAD_MUTEX_INITIALIZER;
static context *contexts;
static size_t context_count;
static size_t context_capacity;
static size_t context_dead;
/* Contexts and allocations draw ids from one 64-bit counter: an id is never issued twice (2^64
 * calls is centuries), so a stale or foreign id can never name a live object. */
static uint64_t next_id = 1;
static pthread_key_t owner_key;
static pthread_once_t owner_key_once = PTHREAD_ONCE_INIT;

/* A fresh id, or 0 once the counter is exhausted. */
static uint64_t new_id(void) { return next_id == UINT64_MAX ? 0 : next_id++; }

/* Test hook (not exported from the library): skips `count` ids, as 2^32 cycles would. */
__attribute__((visibility("hidden"))) void wrt_test_skip_ids(uint64_t count) {
  pthread_mutex_lock(&wrtl_lock);
  next_id = count > UINT64_MAX - next_id ? UINT64_MAX : next_id + count;
  pthread_mutex_unlock(&wrtl_lock);
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

int32_t enter(uint64_t context_id, wrt_result *out, context **found) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&wrtl_lock);
  *found = find_context(context_id);
  return *found == NULL ? leave(WRT_E_UNKNOWN_HANDLE) : WRT_OK;
}

int32_t leave(int32_t status) {
  pthread_mutex_unlock(&wrtl_lock);
  return status;
}

allocation *find_allocation(context *c, uint64_t handle) {
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

void release(context *c, allocation *a) {
  release_pages(c, a);
  compact_allocations(c);
}

/* Records a successful allocation, or unmaps it when the table cannot grow. */
int32_t record(context *c, uint8_t *base, size_t region_bytes, size_t byte_count,
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
bool within_budget(const context *c, uint64_t bytes) {
  return c->budget == 0 || (c->locked <= c->budget && bytes <= c->budget - c->locked);
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
  pthread_mutex_lock(&wrtl_lock);
  for (size_t i = 0; i < context_count; i++) {
    if (contexts[i].open && pthread_equal(contexts[i].owner, self)) close_context(&contexts[i]);
  }
  compact_contexts();
  pthread_mutex_unlock(&wrtl_lock);
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
  pthread_mutex_lock(&wrtl_lock);
  if (context_count == context_capacity) {
    size_t capacity = context_capacity == 0 ? 4 : context_capacity * 2;
    context *grown = realloc(contexts, capacity * sizeof *grown);
    if (grown == NULL) return leave(WRT_E_NO_MEMORY);
    contexts = grown;
    context_capacity = capacity;
  }
  uint64_t id = new_id();
  if (id == 0) return leave(WRT_E_NO_MEMORY);
  contexts[context_count++] = (context){.id = id, .open = true, .owner = pthread_self()};
  out->handle = id;
  return leave(WRT_OK);
}

int32_t wrt_context_close(uint64_t context_id, wrt_result *out) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  uint64_t start = now_ns();
  out->byte_count = close_context(c);
  compact_contexts();
  out->duration_ns = now_ns() - start;
  return leave(WRT_OK);
}

int32_t wrt_context_stats(uint64_t context_id, wrt_result *out) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  for (size_t i = 0; i < c->allocation_count; i++) {
    if (c->allocations[i].live) out->handle++;
  }
  out->byte_count = c->locked;
  out->address = c->budget;
  return leave(WRT_OK);
}

int32_t wrt_context_set_budget(uint64_t context_id, uint64_t max_locked_bytes, wrt_result *out) {
  context *c;
  int32_t status = enter(context_id, out, &c);
  if (status != WRT_OK) return status;
  c->budget = max_locked_bytes;
  out->byte_count = c->locked;
  return leave(WRT_OK);
}

int32_t wrt_process_stats(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  pthread_mutex_lock(&wrtl_lock);
  for (size_t i = 0; i < context_count; i++) {
    if (!contexts[i].open) continue;
    out->handle++;
    out->byte_count += contexts[i].locked;
  }
  return leave(WRT_OK);
}
