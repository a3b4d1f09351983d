/*
 * Native test of the test driver's request handling (session.c), the code that runs in the
 * kernel on every IOCTL, through a fake IPortWaveRTStream that records each call: the arguments
 * reach PortCls exactly as sent (TotalBytes 0 included), handles are checked (stale, forged,
 * reused), one mapping per MDL, unmap before free, page addresses in clamped batches, stream
 * references balanced, and cleanup unmaps and frees everything. Prints "N passed, 0 failed".
 */
#include "session.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test_check.h"

#define PAGE 4096u
#define MAX_MDLS (WRTP_MAX_ALLOCATIONS + 8)
#define MDL_PAGES_LOCKED 0x2u
#define MDL_MAPPED_TO_SYSTEM_VA 0x1u

/* ---- the fake stream ---- */

typedef struct fake_mdl {
  bool live;
  bool mapped;
  uint64_t byte_count;
  uint32_t flags;
  uint32_t pages;
  uint64_t first_frame;
} fake_mdl;

static fake_mdl mdls[MAX_MDLS];
static int stream_object; /* its address is the stream pointer */
static bool stream_open;
static int stream_references;
static uint64_t next_frame = 0x1000;
static uint64_t clock_now;
static bool fail_map;
static struct {
  uint64_t low, high, total;
  uint32_t cache_type;
  int allocations, maps, unmaps, frees;
} seen;

static fake_mdl *as_mdl(void *mdl) {
  fake_mdl *m = mdl;
  CHECK(m >= mdls && m < mdls + MAX_MDLS && m->live); /* never a freed or foreign MDL */
  return m;
}

static void check_stream(void *stream) { CHECK(stream == &stream_object); }

static int context_object;

static void *fake_current_stream(void *context) {
  CHECK(context == &context_object);
  if (!stream_open) return NULL;
  stream_references++;
  return &stream_object;
}

static void fake_release_stream(void *stream) {
  check_stream(stream);
  CHECK(stream_references > 0);
  stream_references--;
}

/* Rounded-up ByteCount, as the DDI documents; NULL for TotalBytes 0, as ReactOS does. */
static void *fake_allocate(void *stream, uint64_t low, uint64_t high, uint64_t total) {
  check_stream(stream);
  seen.low = low;
  seen.high = high;
  seen.total = total;
  seen.allocations++;
  if (total == 0) return NULL;
  for (size_t i = 0; i < MAX_MDLS; i++) {
    if (mdls[i].live) continue;
    uint32_t pages = (uint32_t)((total + PAGE - 1) / PAGE);
    mdls[i] = (fake_mdl){.live = true, .byte_count = (uint64_t)pages * PAGE,
                         .flags = MDL_PAGES_LOCKED, .pages = pages, .first_frame = next_frame};
    next_frame += pages;
    return &mdls[i];
  }
  return NULL;
}

static void *fake_allocate_pages(void *stream, uint64_t high, uint64_t total) {
  return fake_allocate(stream, 0, high, total);
}

static void *fake_map(void *stream, void *mdl, uint32_t cache_type) {
  check_stream(stream);
  fake_mdl *m = as_mdl(mdl);
  CHECK(!m->mapped); /* the session must never map twice */
  seen.cache_type = cache_type;
  seen.maps++;
  if (fail_map) return NULL;
  m->mapped = true;
  m->flags |= MDL_MAPPED_TO_SYSTEM_VA;
  return (void *)(uintptr_t)(0xFFFF800000000000ull + (uint64_t)(m - mdls) * 0x100000u);
}

static void fake_unmap(void *stream, void *base, void *mdl) {
  check_stream(stream);
  fake_mdl *m = as_mdl(mdl);
  CHECK(m->mapped);
  CHECK((uintptr_t)base == 0xFFFF800000000000ull + (uint64_t)(m - mdls) * 0x100000u);
  m->mapped = false;
  m->flags &= ~MDL_MAPPED_TO_SYSTEM_VA;
  seen.unmaps++;
}

static void fake_free_pages(void *stream, void *mdl) {
  check_stream(stream);
  fake_mdl *m = as_mdl(mdl);
  CHECK(!m->mapped); /* UnmapAllocatedPages must come first */
  m->live = false;
  seen.frees++;
}

static uint32_t fake_page_count(void *stream, void *mdl) {
  check_stream(stream);
  return as_mdl(mdl)->pages;
}

static uint64_t fake_page_address(void *stream, void *mdl, uint32_t index) {
  check_stream(stream);
  fake_mdl *m = as_mdl(mdl);
  CHECK(index < m->pages);
  return (m->first_frame + index) * PAGE;
}

static uint64_t fake_byte_count(void *mdl) { return as_mdl(mdl)->byte_count; }
static uint32_t fake_mdl_flags(void *mdl) { return as_mdl(mdl)->flags; }

static uint64_t fake_ticks(uint64_t *frequency) {
  if (frequency != NULL) *frequency = 10000000;
  return clock_now += 5;
}

static const wrts_ops fake_ops = {
    .current_stream = fake_current_stream,
    .release_stream = fake_release_stream,
    .allocate_pages = fake_allocate_pages,
    .allocate_contiguous = fake_allocate,
    .map = fake_map,
    .unmap = fake_unmap,
    .free_pages = fake_free_pages,
    .page_count = fake_page_count,
    .page_address = fake_page_address,
    .byte_count = fake_byte_count,
    .mdl_flags = fake_mdl_flags,
    .ticks = fake_ticks,
    .page_size = PAGE,
};

/* ---- sending requests as the helper does ---- */

static wrts_session session;
static wrts_budget budget;
/* The session requests go to: `session`, except in the limits test. */
static wrts_session *target = &session;

/* Sends `request` through the IOCTL path and returns the validated answer. */
static wrtp_response send(const wrtp_request *request) {
  union {
    wrtp_request request;
    wrtp_response response;
  } buffer;
  memset(&buffer, 0xCC, sizeof buffer);
  buffer.request = *request;
  wrts_handle_ioctl(target, WRTP_IOCTL(request->operation), &buffer, sizeof *request);
  wrtp_response response;
  CHECK(wrtp_decode_response(&buffer, sizeof buffer.response, request->operation, &response) ==
        WRTP_OK);
  return response;
}

static wrtp_response allocate_pages(uint64_t high, uint64_t total) {
  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_ALLOCATE_PAGES);
  r.high_address = high;
  r.total_bytes = total;
  return send(&r);
}

static wrtp_response on_handle(uint32_t operation, uint64_t handle) {
  wrtp_request r;
  wrtp_request_init(&r, operation);
  r.handle = handle;
  return send(&r);
}

static wrtp_response map(uint64_t handle, uint32_t cache_type) {
  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_MAP);
  r.handle = handle;
  r.cache_type = cache_type;
  return send(&r);
}

static wrtp_response unmap(uint64_t handle, uint64_t base) {
  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_UNMAP);
  r.handle = handle;
  r.base_address = base;
  return send(&r);
}

static wrtp_response addresses(uint64_t handle, uint32_t first, uint32_t count) {
  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_PAGE_ADDRESSES);
  r.handle = handle;
  r.first_page = first;
  r.page_count = count;
  return send(&r);
}

/* ---- tests ---- */

static void test_version_and_capabilities(void) {
  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_VERSION);
  wrtp_response v = send(&r);
  CHECK(v.status == WRTP_OK && v.protocol_version == WRTP_VERSION);
  CHECK(v.driver_version == WRTS_DRIVER_VERSION);
  wrtp_request_init(&r, WRTP_OP_CAPABILITIES);
  stream_open = false;
  CHECK(send(&r).capability_flags == 0);
  stream_open = true;
  wrtp_response c = send(&r);
  CHECK(c.capability_flags == WRTP_CAP_STREAM_OPEN && c.page_size == PAGE);
  CHECK(c.tick_frequency == 10000000 && stream_references == 0);
}

static void test_allocation_reaches_portcls_as_asked(void) {
  stream_open = false;
  CHECK(allocate_pages(0xFFFFFFFFu, 1920).status == WRTP_E_NO_STREAM);
  stream_open = true;

  wrtp_response a = allocate_pages(0xFFFFFFFFu, 1920);
  CHECK(a.status == WRTP_OK && a.handle != 0);
  CHECK(seen.high == 0xFFFFFFFFu && seen.total == 1920);
  CHECK(a.byte_count == PAGE && a.page_count == 1 && a.mdl_flags == MDL_PAGES_LOCKED);
  CHECK(a.duration_ticks == 5 && a.tick_frequency == 10000000);
  CHECK(stream_references == 1); /* the allocation keeps its stream */

  int before = seen.allocations;
  wrtp_response zero = allocate_pages(0xFFFFFFFFu, 0);
  CHECK(seen.allocations == before + 1 && seen.total == 0); /* passed on, not refused */
  CHECK(zero.status == WRTP_E_NULL_MDL && zero.handle == 0 && stream_references == 1);

  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_ALLOCATE_CONTIGUOUS);
  r.low_address = 0x100000;
  r.high_address = 0x7FFFFFFF;
  r.total_bytes = 3 * PAGE;
  wrtp_response c = send(&r);
  CHECK(c.status == WRTP_OK && seen.low == 0x100000 && seen.high == 0x7FFFFFFF);
  CHECK(c.page_count == 3 && stream_references == 2);

  CHECK(on_handle(WRTP_OP_FREE, a.handle).status == WRTP_OK);
  CHECK(on_handle(WRTP_OP_FREE, c.handle).status == WRTP_OK);
  CHECK(stream_references == 0);
}

static void test_map_unmap_free_rules(void) {
  wrtp_response a = allocate_pages(0xFFFFFFFFu, 2 * PAGE);
  wrtp_response m = map(a.handle, WRTP_CACHE_WRITE_COMBINED);
  CHECK(m.status == WRTP_OK && m.address != 0 && seen.cache_type == WRTP_CACHE_WRITE_COMBINED);
  CHECK(m.mdl_flags == (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA));
  int maps = seen.maps;
  CHECK(map(a.handle, WRTP_CACHE_CACHED).status == WRTP_E_ALREADY_MAPPED && seen.maps == maps);
  CHECK(unmap(a.handle, m.address + PAGE).status == WRTP_E_WRONG_ADDRESS);
  int frees = seen.frees;
  CHECK(on_handle(WRTP_OP_FREE, a.handle).status == WRTP_E_STILL_MAPPED && seen.frees == frees);
  wrtp_response u = unmap(a.handle, m.address);
  CHECK(u.status == WRTP_OK && u.mdl_flags == MDL_PAGES_LOCKED);
  CHECK(unmap(a.handle, m.address).status == WRTP_E_NOT_MAPPED);
  wrtp_response f = on_handle(WRTP_OP_FREE, a.handle);
  CHECK(f.status == WRTP_OK && f.byte_count == 2 * PAGE && seen.frees == frees + 1);
  CHECK(on_handle(WRTP_OP_FREE, a.handle).status == WRTP_E_UNKNOWN_HANDLE); /* double free */
  CHECK(map(a.handle, WRTP_CACHE_CACHED).status == WRTP_E_UNKNOWN_HANDLE);  /* use after free */

  /* A NULL mapping is reported and leaves the MDL unmapped, so it can still be freed. */
  wrtp_response b = allocate_pages(0xFFFFFFFFu, PAGE);
  fail_map = true;
  CHECK(map(b.handle, WRTP_CACHE_NON_CACHED).status == WRTP_E_NULL_MAPPING);
  fail_map = false;
  CHECK(on_handle(WRTP_OP_FREE, b.handle).status == WRTP_OK && stream_references == 0);
}

static void test_forged_and_stale_handles(void) {
  wrtp_response a = allocate_pages(0xFFFFFFFFu, PAGE);
  uint64_t index = a.handle & 0xFFFFFFFFu;
  CHECK(on_handle(WRTP_OP_FREE, 0).status == WRTP_E_UNKNOWN_HANDLE);
  CHECK(on_handle(WRTP_OP_FREE, WRTP_MAX_ALLOCATIONS + 1).status == WRTP_E_UNKNOWN_HANDLE);
  CHECK(on_handle(WRTP_OP_FREE, a.handle + (1ull << 32)).status == WRTP_E_UNKNOWN_HANDLE);
  CHECK(on_handle(WRTP_OP_FREE, index + 1).status == WRTP_E_UNKNOWN_HANDLE); /* a free slot */
  CHECK(on_handle(WRTP_OP_FREE, a.handle).status == WRTP_OK);
  /* The slot is reused with a new generation: the old handle must not reach the new MDL. */
  wrtp_response b = allocate_pages(0xFFFFFFFFu, PAGE);
  CHECK((b.handle & 0xFFFFFFFFu) == index && b.handle != a.handle);
  CHECK(on_handle(WRTP_OP_FREE, a.handle).status == WRTP_E_UNKNOWN_HANDLE);
  CHECK(on_handle(WRTP_OP_FREE, b.handle).status == WRTP_OK);
}

static void test_page_address_batches(void) {
  wrtp_response a = allocate_pages(0xFFFFFFFFu, 100 * PAGE);
  uint64_t first = mdls[(a.handle & 0xFFFFFFFFu) - 1].first_frame;
  wrtp_response b = addresses(a.handle, 0, WRTP_BATCH_PAGES);
  CHECK(b.status == WRTP_OK && b.addresses_returned == WRTP_BATCH_PAGES && b.first_page == 0);
  CHECK(b.page_addresses[0] == first * PAGE && b.page_addresses[63] == (first + 63) * PAGE);
  b = addresses(a.handle, 64, WRTP_BATCH_PAGES);
  CHECK(b.status == WRTP_OK && b.addresses_returned == 36 && b.first_page == 64);
  CHECK(b.page_addresses[35] == (first + 99) * PAGE && b.page_addresses[36] == 0);
  CHECK(addresses(a.handle, 100, 1).status == WRTP_E_PAGE_INDEX);
  CHECK(on_handle(WRTP_OP_FREE, a.handle).status == WRTP_OK);
}

static void test_refused_requests(void) {
  wrtp_request r;
  wrtp_request_init(&r, WRTP_OP_ALLOCATE_PAGES);
  r.total_bytes = PAGE;
  union {
    wrtp_request request;
    wrtp_response response;
  } buffer;
  buffer.request = r;
  int before = seen.allocations;
  wrts_handle_ioctl(target, WRTP_IOCTL(WRTP_OP_ALLOCATE_PAGES), &buffer, sizeof r - 4);
  wrtp_response answer;
  CHECK(wrtp_decode_response(&buffer, sizeof answer, WRTP_OP_ALLOCATE_PAGES, &answer) == WRTP_OK);
  CHECK(answer.status == WRTP_E_TRUNCATED && seen.allocations == before);
  buffer.request = r;
  wrts_handle_ioctl(target, WRTP_IOCTL(WRTP_OP_FREE), &buffer, sizeof r);
  CHECK(wrtp_decode_response(&buffer, sizeof answer, WRTP_OP_FREE, &answer) == WRTP_OK);
  CHECK(answer.status == WRTP_E_BAD_OPERATION && seen.allocations == before);
}

static void test_table_full_then_cleanup(void) {
  uint64_t last = 0;
  for (uint32_t i = 0; i < WRTP_MAX_ALLOCATIONS; i++) {
    wrtp_response a = allocate_pages(0xFFFFFFFFu, PAGE);
    CHECK(a.status == WRTP_OK);
    if (i % 3 == 0) CHECK(map(a.handle, WRTP_CACHE_CACHED).status == WRTP_OK);
    last = a.handle;
  }
  CHECK(allocate_pages(0xFFFFFFFFu, PAGE).status == WRTP_E_TABLE_FULL);
  CHECK(stream_references == (int)WRTP_MAX_ALLOCATIONS);
  int unmaps = seen.unmaps;
  CHECK(wrts_session_cleanup(&session) == WRTP_MAX_ALLOCATIONS);
  CHECK(seen.unmaps == unmaps + (int)(WRTP_MAX_ALLOCATIONS + 2) / 3);
  CHECK(stream_references == 0);
  for (size_t i = 0; i < MAX_MDLS; i++) CHECK(!mdls[i].live);
  CHECK(on_handle(WRTP_OP_FREE, last).status == WRTP_E_UNKNOWN_HANDLE);
  CHECK(wrts_session_cleanup(&session) == 0);
}

/* Caps: refused by name before any PortCls call, per handle and over all handles; charged in
 * whole pages; given back on free, on a NULL MDL and on cleanup. */
static void test_limits(void) {
  wrts_budget shared;
  wrts_limits limits = {.handle_bytes = 3 * PAGE, .handle_allocations = 2,
                        .global_bytes = 5 * PAGE, .global_allocations = 3};
  wrts_budget_init(&shared, &limits);
  static wrts_session a, b;
  wrts_session_init(&a, &fake_ops, &context_object, &shared);
  wrts_session_init(&b, &fake_ops, &context_object, &shared);
  target = &a;
  wrtp_response first = allocate_pages(0xFFFFFFFFu, PAGE + 1); /* two pages */
  CHECK(first.status == WRTP_OK);
  CHECK(shared.bytes == 2 * PAGE && shared.allocations == 1 && a.bytes == 2 * PAGE);
  int calls = seen.allocations;
  CHECK(allocate_pages(0xFFFFFFFFu, 2 * PAGE).status == WRTP_E_HANDLE_BYTES);
  CHECK(seen.allocations == calls); /* refused before AllocatePagesForMdl */
  CHECK(allocate_pages(0xFFFFFFFFu, 0).status == WRTP_E_NULL_MDL); /* charged, then refunded */
  CHECK(shared.bytes == 2 * PAGE && shared.allocations == 1 && a.allocations == 1);
  CHECK(allocate_pages(0xFFFFFFFFu, PAGE).status == WRTP_OK);
  CHECK(allocate_pages(0xFFFFFFFFu, 1).status == WRTP_E_HANDLE_ALLOCATIONS);
  target = &b;
  wrtp_response other = allocate_pages(0xFFFFFFFFu, 2 * PAGE);
  CHECK(other.status == WRTP_OK); /* 5 pages in all: at the global cap, not past it */
  calls = seen.allocations;
  CHECK(allocate_pages(0xFFFFFFFFu, PAGE).status == WRTP_E_GLOBAL_ALLOCATIONS);
  CHECK(on_handle(WRTP_OP_FREE, other.handle).status == WRTP_OK);
  CHECK(shared.bytes == 3 * PAGE && shared.allocations == 2 && b.bytes == 0);
  CHECK(allocate_pages(0xFFFFFFFFu, 3 * PAGE).status == WRTP_E_GLOBAL_BYTES);
  CHECK(seen.allocations == calls);
  CHECK(shared.bytes == 3 * PAGE && shared.allocations == 2 && b.allocations == 0);
  CHECK(allocate_pages(0xFFFFFFFFu, 2 * PAGE).status == WRTP_OK);
  CHECK(wrts_session_cleanup(&a) == 2);
  CHECK(shared.bytes == 2 * PAGE && shared.allocations == 1 && a.bytes == 0);
  CHECK(wrts_session_cleanup(&b) == 1);
  CHECK(shared.bytes == 0 && shared.allocations == 0);
  CHECK(stream_references == 0);
  /* Defaults, and a per-handle count above the table clamped to it. */
  wrts_budget_init(&shared, NULL);
  CHECK(shared.limits.handle_bytes == WRTS_DEFAULT_HANDLE_BYTES);
  CHECK(shared.limits.global_allocations == WRTS_DEFAULT_GLOBAL_ALLOCATIONS);
  limits = (wrts_limits){.handle_allocations = WRTP_MAX_ALLOCATIONS + 1};
  wrts_budget_init(&shared, &limits);
  CHECK(shared.limits.handle_allocations == WRTP_MAX_ALLOCATIONS);
  CHECK(shared.limits.global_bytes == WRTS_DEFAULT_GLOBAL_BYTES);
  target = &session;
}

int main(void) {
  wrts_budget_init(&budget, NULL);
  wrts_session_init(&session, &fake_ops, &context_object, &budget);
  stream_open = true;
  test_version_and_capabilities();
  test_allocation_reaches_portcls_as_asked();
  test_map_unmap_free_rules();
  test_forged_and_stale_handles();
  test_page_address_batches();
  test_refused_requests();
  test_table_full_then_cleanup();
  test_limits();
  printf("%d passed, 0 failed\n", passed);
  return 0;
}
