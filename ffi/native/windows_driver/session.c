/*
 * session.h: one handle's requests, served through wrts_ops. Freestanding C (compiler builtins
 * only), because it runs in the kernel.
 */
#include "session.h"

_Static_assert(WRTP_MAX_ALLOCATIONS < 0xFFFFFFFFu, "a slot index fits the handle's low half");

static uint64_t or_default64(uint64_t value, uint64_t fallback) {
  return value != 0 ? value : fallback;
}

void wrts_budget_init(wrts_budget *b, const wrts_limits *limits) {
  wrts_limits given = {0, 0, 0, 0};
  if (limits != NULL) given = *limits;
  b->limits.handle_bytes = or_default64(given.handle_bytes, WRTS_DEFAULT_HANDLE_BYTES);
  b->limits.handle_allocations =
      (uint32_t)or_default64(given.handle_allocations, WRTS_DEFAULT_HANDLE_ALLOCATIONS);
  if (b->limits.handle_allocations > WRTP_MAX_ALLOCATIONS) {
    b->limits.handle_allocations = WRTP_MAX_ALLOCATIONS;
  }
  b->limits.global_bytes = or_default64(given.global_bytes, WRTS_DEFAULT_GLOBAL_BYTES);
  b->limits.global_allocations =
      (uint32_t)or_default64(given.global_allocations, WRTS_DEFAULT_GLOBAL_ALLOCATIONS);
  b->bytes = 0;
  b->allocations = 0;
}

void wrts_session_init(wrts_session *s, const wrts_ops *ops, void *context, wrts_budget *budget) {
  __builtin_memset(s, 0, sizeof *s);
  s->ops = ops;
  s->context = context;
  s->budget = budget;
}

/* Bytes locked for a request of `total` bytes: whole pages, saturating. */
static uint64_t locked_bytes(const wrts_session *s, uint64_t total) {
  uint64_t page = s->ops->page_size;
  uint64_t pages = total / page + (total % page != 0);
  return pages > UINT64_MAX / page ? UINT64_MAX : pages * page;
}

/* Charges one allocation of `bytes` to the handle and the adapter, or names the cap it would
 * pass (nothing charged then). The global counters are shared: compare-and-swap. */
static int32_t charge(wrts_session *s, uint64_t bytes) {
  const wrts_limits *l = &s->budget->limits;
  if (s->allocations >= l->handle_allocations) return WRTP_E_HANDLE_ALLOCATIONS;
  /* Held may exceed a cap after a kernel that locked more than asked (see settle). */
  if (s->bytes > l->handle_bytes || bytes > l->handle_bytes - s->bytes) {
    return WRTP_E_HANDLE_BYTES;
  }
  uint32_t count = __atomic_load_n(&s->budget->allocations, __ATOMIC_RELAXED);
  do {
    if (count >= l->global_allocations) return WRTP_E_GLOBAL_ALLOCATIONS;
  } while (!__atomic_compare_exchange_n(&s->budget->allocations, &count, count + 1, 1,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
  uint64_t held = __atomic_load_n(&s->budget->bytes, __ATOMIC_RELAXED);
  do {
    if (held > l->global_bytes || bytes > l->global_bytes - held) {
      __atomic_fetch_sub(&s->budget->allocations, 1, __ATOMIC_ACQ_REL);
      return WRTP_E_GLOBAL_BYTES;
    }
  } while (!__atomic_compare_exchange_n(&s->budget->bytes, &held, held + bytes, 1,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
  s->allocations++;
  s->bytes += bytes;
  return WRTP_OK;
}

static void refund(wrts_session *s, uint64_t bytes, uint32_t allocations) {
  __atomic_fetch_sub(&s->budget->bytes, bytes, __ATOMIC_ACQ_REL);
  __atomic_fetch_sub(&s->budget->allocations, allocations, __ATOMIC_ACQ_REL);
  s->bytes -= bytes;
  s->allocations -= allocations;
}

/* After the call: what is charged becomes what the MDL really locks (the kernel may lock less
 * than asked; more would be a kernel bug, charged all the same). */
static void settle(wrts_session *s, wrts_allocation *a, uint64_t reserved) {
  uint64_t actual = locked_bytes(s, s->ops->byte_count(a->mdl));
  if (actual < reserved) {
    refund(s, reserved - actual, 0);
  } else if (actual > reserved) {
    __atomic_fetch_add(&s->budget->bytes, actual - reserved, __ATOMIC_ACQ_REL);
    s->bytes += actual - reserved;
  }
  a->locked = actual;
}

/* Handles pack the slot's generation above its 1-based index, so 0 is never valid. */
static uint64_t handle_of(const wrts_session *s, const wrts_allocation *a) {
  return ((uint64_t)a->generation << 32) | (uint64_t)(a - s->slots + 1);
}

/* The live allocation a handle names, or NULL for a stale, forged or foreign one. */
static wrts_allocation *lookup(wrts_session *s, uint64_t handle) {
  uint64_t index = handle & 0xFFFFFFFFu;
  if (index == 0 || index > WRTP_MAX_ALLOCATIONS) return NULL;
  wrts_allocation *a = &s->slots[index - 1];
  return a->mdl != NULL && a->generation == (uint32_t)(handle >> 32) ? a : NULL;
}

/* Fills the fields every answer about an MDL carries. */
static void describe(const wrts_session *s, const wrts_allocation *a, wrtp_response *r) {
  r->byte_count = s->ops->byte_count(a->mdl);
  r->mdl_flags = s->ops->mdl_flags(a->mdl);
  r->page_count = s->ops->page_count(a->stream, a->mdl);
}

/* Starts timing a PortCls call; r->duration_ticks receives the difference at the end. */
static uint64_t start_timing(const wrts_session *s, wrtp_response *r) {
  return s->ops->ticks(&r->tick_frequency);
}

static void stop_timing(const wrts_session *s, uint64_t start, wrtp_response *r) {
  r->duration_ticks = s->ops->ticks(NULL) - start;
}

static void allocate(wrts_session *s, const wrtp_request *q, wrtp_response *r) {
  wrts_allocation *slot = NULL;
  for (uint32_t i = 0; i < WRTP_MAX_ALLOCATIONS && slot == NULL; i++) {
    if (s->slots[i].mdl == NULL) slot = &s->slots[i];
  }
  if (slot == NULL) {
    r->status = WRTP_E_TABLE_FULL;
    return;
  }
  void *stream = s->ops->current_stream(s->context);
  if (stream == NULL) {
    r->status = WRTP_E_NO_STREAM;
    return;
  }
  uint64_t reserved = locked_bytes(s, q->total_bytes);
  int32_t charged = charge(s, reserved);
  if (charged != WRTP_OK) {
    s->ops->release_stream(stream);
    r->status = charged;
    return;
  }
  /* Exactly as asked, TotalBytes 0 included: what Windows does with it is being measured. */
  uint64_t start = start_timing(s, r);
  void *mdl = q->operation == WRTP_OP_ALLOCATE_PAGES
                  ? s->ops->allocate_pages(stream, q->high_address, q->total_bytes)
                  : s->ops->allocate_contiguous(stream, q->low_address, q->high_address,
                                                q->total_bytes);
  stop_timing(s, start, r);
  if (mdl == NULL) {
    refund(s, reserved, 1);
    s->ops->release_stream(stream);
    r->status = WRTP_E_NULL_MDL;
    return;
  }
  slot->mdl = mdl;
  slot->stream = stream;
  slot->mapping = NULL;
  settle(s, slot, reserved);
  r->handle = handle_of(s, slot);
  describe(s, slot, r);
}

static void map(wrts_session *s, wrts_allocation *a, const wrtp_request *q, wrtp_response *r) {
  if (a->mapping != NULL) {
    r->status = WRTP_E_ALREADY_MAPPED;
    return;
  }
  uint64_t start = start_timing(s, r);
  void *va = s->ops->map(a->stream, a->mdl, q->cache_type);
  stop_timing(s, start, r);
  a->mapping = va;
  describe(s, a, r);
  if (va == NULL) {
    r->status = WRTP_E_NULL_MAPPING;
    return;
  }
  r->address = (uint64_t)(uintptr_t)va;
}

static void unmap(wrts_session *s, wrts_allocation *a, const wrtp_request *q, wrtp_response *r) {
  if (a->mapping == NULL) {
    r->status = WRTP_E_NOT_MAPPED;
    return;
  }
  if ((uint64_t)(uintptr_t)a->mapping != q->base_address) {
    r->status = WRTP_E_WRONG_ADDRESS;
    return;
  }
  uint64_t start = start_timing(s, r);
  s->ops->unmap(a->stream, a->mapping, a->mdl);
  stop_timing(s, start, r);
  a->mapping = NULL;
  describe(s, a, r);
}

/* After FreePagesFromMdl: drops the stream reference; the slot is free, its old handle void. */
static void forget(wrts_session *s, wrts_allocation *a) {
  refund(s, a->locked, 1);
  a->locked = 0;
  s->ops->release_stream(a->stream);
  a->mdl = NULL;
  a->stream = NULL;
  a->mapping = NULL;
  a->generation++;
}

static void free_allocation(wrts_session *s, wrts_allocation *a, wrtp_response *r) {
  if (a->mapping != NULL) {
    r->status = WRTP_E_STILL_MAPPED;
    return;
  }
  describe(s, a, r); /* the MDL is invalid once freed */
  uint64_t start = start_timing(s, r);
  s->ops->free_pages(a->stream, a->mdl);
  stop_timing(s, start, r);
  forget(s, a);
}

static void page_addresses(wrts_session *s, wrts_allocation *a, const wrtp_request *q,
                           wrtp_response *r) {
  uint32_t pages = s->ops->page_count(a->stream, a->mdl);
  if (q->first_page >= pages) {
    r->status = WRTP_E_PAGE_INDEX;
    return;
  }
  uint32_t left = pages - q->first_page;
  uint32_t count = q->page_count < left ? q->page_count : left;
  uint64_t start = start_timing(s, r);
  for (uint32_t i = 0; i < count; i++) {
    r->page_addresses[i] = s->ops->page_address(a->stream, a->mdl, q->first_page + i);
  }
  stop_timing(s, start, r);
  r->first_page = q->first_page;
  r->addresses_returned = count;
  describe(s, a, r);
}

/* Runs one decoded request; r already holds the header and WRTP_OK. */
static void serve(wrts_session *s, const wrtp_request *q, wrtp_response *r) {
  switch (q->operation) {
    case WRTP_OP_VERSION:
      r->driver_version = WRTS_DRIVER_VERSION;
      r->protocol_version = WRTP_VERSION;
      return;
    case WRTP_OP_CAPABILITIES: {
      void *stream = s->ops->current_stream(s->context);
      if (stream != NULL) {
        r->capability_flags |= WRTP_CAP_STREAM_OPEN;
        s->ops->release_stream(stream);
      }
      r->page_size = s->ops->page_size;
      s->ops->ticks(&r->tick_frequency);
      return;
    }
    case WRTP_OP_ALLOCATE_PAGES:
    case WRTP_OP_ALLOCATE_CONTIGUOUS: allocate(s, q, r); return;
    default: break;
  }
  wrts_allocation *a = lookup(s, q->handle);
  if (a == NULL) {
    r->status = WRTP_E_UNKNOWN_HANDLE;
    return;
  }
  switch (q->operation) {
    case WRTP_OP_MAP: map(s, a, q, r); return;
    case WRTP_OP_UNMAP: unmap(s, a, q, r); return;
    case WRTP_OP_FREE: free_allocation(s, a, r); return;
    default: page_addresses(s, a, q, r); return;
  }
}

/* The operation an IOCTL code names, so even a refused request gets an answer that matches. */
static uint16_t operation_of(uint32_t code) {
  uint32_t function = (code >> 2) & 0xFFFu;
  return function > WRTP_FUNCTION_BASE ? (uint16_t)(function - WRTP_FUNCTION_BASE) : 0;
}

void wrts_handle_ioctl(wrts_session *s, uint32_t ioctl_code, void *buffer, size_t in_length) {
  wrtp_request request;
  int32_t decoded = wrtp_decode_request(buffer, in_length, ioctl_code, &request);
  if (decoded != WRTP_OK) {
    __builtin_memset(&request, 0, sizeof request);
    request.operation = operation_of(ioctl_code);
  }
  wrtp_response response;
  wrtp_response_init(&response, &request, decoded);
  if (decoded == WRTP_OK) serve(s, &request, &response);
  __builtin_memcpy(buffer, &response, sizeof response);
}

uint32_t wrts_session_cleanup(wrts_session *s) {
  uint32_t freed = 0;
  for (uint32_t i = 0; i < WRTP_MAX_ALLOCATIONS; i++) {
    wrts_allocation *a = &s->slots[i];
    if (a->mdl == NULL) continue;
    if (a->mapping != NULL) s->ops->unmap(a->stream, a->mapping, a->mdl);
    s->ops->free_pages(a->stream, a->mdl);
    forget(s, a);
    freed++;
  }
  return freed;
}
