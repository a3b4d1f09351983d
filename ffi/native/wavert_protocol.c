/*
 * Encoding and validation of wavert_protocol.h messages, compiled unchanged into the Windows
 * helper, the kernel driver and the Linux protocol test. No C library: the compiler's builtins
 * only, because the driver is built freestanding.
 */
#include "wavert_protocol.h"

/* The header every message starts with; magic and version come first so that a message of
 * another protocol version is reported as such even when its size differs from ours. */
typedef struct wrtp_header {
  uint32_t magic;
  uint16_t version;
  uint16_t operation;
  uint32_t size;
} wrtp_header;

_Static_assert(offsetof(wrtp_request, size) == offsetof(wrtp_header, size), "shared header");
_Static_assert(offsetof(wrtp_response, size) == offsetof(wrtp_header, size), "shared header");

static const char *const names[WRTP_STATUS_COUNT] = {
    [WRTP_OK] = "WRTP_OK",
    [WRTP_E_TRUNCATED] = "WRTP_E_TRUNCATED",
    [WRTP_E_OVERSIZED] = "WRTP_E_OVERSIZED",
    [WRTP_E_BAD_MAGIC] = "WRTP_E_BAD_MAGIC",
    [WRTP_E_VERSION_MISMATCH] = "WRTP_E_VERSION_MISMATCH",
    [WRTP_E_BAD_SIZE_FIELD] = "WRTP_E_BAD_SIZE_FIELD",
    [WRTP_E_BAD_OPERATION] = "WRTP_E_BAD_OPERATION",
    [WRTP_E_UNUSED_FIELD] = "WRTP_E_UNUSED_FIELD",
    [WRTP_E_BAD_COUNT] = "WRTP_E_BAD_COUNT",
    [WRTP_E_BAD_CACHE_TYPE] = "WRTP_E_BAD_CACHE_TYPE",
    [WRTP_E_BAD_RANGE] = "WRTP_E_BAD_RANGE",
    [WRTP_E_BAD_STATUS] = "WRTP_E_BAD_STATUS",
    [WRTP_E_NO_STREAM] = "WRTP_E_NO_STREAM",
    [WRTP_E_NULL_MDL] = "WRTP_E_NULL_MDL",
    [WRTP_E_NULL_MAPPING] = "WRTP_E_NULL_MAPPING",
    [WRTP_E_UNKNOWN_HANDLE] = "WRTP_E_UNKNOWN_HANDLE",
    [WRTP_E_ALREADY_MAPPED] = "WRTP_E_ALREADY_MAPPED",
    [WRTP_E_NOT_MAPPED] = "WRTP_E_NOT_MAPPED",
    [WRTP_E_WRONG_ADDRESS] = "WRTP_E_WRONG_ADDRESS",
    [WRTP_E_STILL_MAPPED] = "WRTP_E_STILL_MAPPED",
    [WRTP_E_TABLE_FULL] = "WRTP_E_TABLE_FULL",
    [WRTP_E_PAGE_INDEX] = "WRTP_E_PAGE_INDEX",
    [WRTP_E_HANDLE_BYTES] = "WRTP_E_HANDLE_BYTES",
    [WRTP_E_HANDLE_ALLOCATIONS] = "WRTP_E_HANDLE_ALLOCATIONS",
    [WRTP_E_GLOBAL_BYTES] = "WRTP_E_GLOBAL_BYTES",
    [WRTP_E_GLOBAL_ALLOCATIONS] = "WRTP_E_GLOBAL_ALLOCATIONS",
};

const char *wrtp_status_name(int32_t status) {
  return status >= 0 && status < WRTP_STATUS_COUNT ? names[status] : "WRTP_E_UNKNOWN";
}

void wrtp_request_init(wrtp_request *request, uint32_t operation) {
  __builtin_memset(request, 0, sizeof *request);
  request->magic = WRTP_MAGIC;
  request->version = (uint16_t)WRTP_VERSION;
  request->operation = (uint16_t)operation;
  request->size = (uint32_t)sizeof *request;
}

void wrtp_response_init(wrtp_response *response, const wrtp_request *request, int32_t status) {
  __builtin_memset(response, 0, sizeof *response);
  response->magic = WRTP_MAGIC;
  response->version = (uint16_t)WRTP_VERSION;
  response->operation = request->operation;
  response->size = (uint32_t)sizeof *response;
  response->status = status;
  response->handle = request->handle;
}

/* Magic, version, then length, then the size field: the order that names the real problem. */
static int32_t check_header(const void *bytes, size_t length, size_t expected) {
  wrtp_header header;
  if (bytes == NULL || length < sizeof header) return WRTP_E_TRUNCATED;
  __builtin_memcpy(&header, bytes, sizeof header);
  if (header.magic != WRTP_MAGIC) return WRTP_E_BAD_MAGIC;
  if (header.version != WRTP_VERSION) return WRTP_E_VERSION_MISMATCH;
  if (length < expected) return WRTP_E_TRUNCATED;
  if (length > expected) return WRTP_E_OVERSIZED;
  if (header.size != expected) return WRTP_E_BAD_SIZE_FIELD;
  return WRTP_OK;
}

/* A message of `size` bytes with a valid header, copied into `message` (unaligned input). */
static int32_t read_message(const void *bytes, size_t length, void *message, size_t size) {
  int32_t status = check_header(bytes, length, size);
  if (status == WRTP_OK) __builtin_memcpy(message, bytes, size);
  return status;
}

/* Bits of the request fields, to say which ones an operation takes. */
enum {
  F_CACHE = 1 << 0,
  F_HANDLE = 1 << 1,
  F_LOW = 1 << 2,
  F_HIGH = 1 << 3,
  F_TOTAL = 1 << 4,
  F_BASE = 1 << 5,
  F_BATCH = 1 << 6,
};

static unsigned fields_of(uint32_t operation) {
  switch (operation) {
    case WRTP_OP_ALLOCATE_PAGES: return F_HIGH | F_TOTAL;
    case WRTP_OP_ALLOCATE_CONTIGUOUS: return F_LOW | F_HIGH | F_TOTAL;
    case WRTP_OP_MAP: return F_HANDLE | F_CACHE;
    case WRTP_OP_UNMAP: return F_HANDLE | F_BASE;
    case WRTP_OP_FREE: return F_HANDLE;
    case WRTP_OP_PAGE_ADDRESSES: return F_HANDLE | F_BATCH;
    default: return 0; /* VERSION and CAPABILITIES take nothing */
  }
}

/* A stray non-zero field means the sender and receiver disagree on the layout: reject it. */
static int unused_fields_set(const wrtp_request *r, unsigned taken) {
  return (!(taken & F_CACHE) && r->cache_type != 0) || (!(taken & F_HANDLE) && r->handle != 0) ||
         (!(taken & F_LOW) && r->low_address != 0) ||
         (!(taken & F_HIGH) && r->high_address != 0) ||
         (!(taken & F_TOTAL) && r->total_bytes != 0) ||
         (!(taken & F_BASE) && r->base_address != 0) ||
         (!(taken & F_BATCH) && (r->first_page != 0 || r->page_count != 0));
}

int32_t wrtp_decode_request(const void *bytes, size_t length, uint32_t ioctl_code,
                            wrtp_request *request) {
  wrtp_request r;
  int32_t status = read_message(bytes, length, &r, sizeof r);
  if (status != WRTP_OK) return status;
  if (r.operation < WRTP_OP_FIRST || r.operation > WRTP_OP_LAST ||
      WRTP_IOCTL(r.operation) != ioctl_code) {
    return WRTP_E_BAD_OPERATION;
  }
  unsigned taken = fields_of(r.operation);
  if (unused_fields_set(&r, taken)) return WRTP_E_UNUSED_FIELD;
  if ((taken & F_CACHE) && r.cache_type > WRTP_CACHE_WRITE_COMBINED) return WRTP_E_BAD_CACHE_TYPE;
  if ((taken & F_LOW) && r.low_address > r.high_address) return WRTP_E_BAD_RANGE;
  if ((taken & F_BATCH) &&
      (r.page_count == 0 || r.page_count > WRTP_BATCH_PAGES ||
       r.first_page > UINT32_MAX - r.page_count)) {
    return WRTP_E_BAD_COUNT;
  }
  *request = r;
  return WRTP_OK;
}

int32_t wrtp_decode_response(const void *bytes, size_t length, uint32_t operation,
                             wrtp_response *response) {
  wrtp_response r;
  int32_t status = read_message(bytes, length, &r, sizeof r);
  if (status != WRTP_OK) return status;
  if (r.operation != operation) return WRTP_E_BAD_OPERATION;
  if (r.status < 0 || r.status >= WRTP_STATUS_COUNT) return WRTP_E_BAD_STATUS;
  uint32_t batch = operation == WRTP_OP_PAGE_ADDRESSES ? WRTP_BATCH_PAGES : 0;
  if (r.addresses_returned > batch) return WRTP_E_BAD_COUNT;
  for (uint32_t i = r.addresses_returned; i < WRTP_BATCH_PAGES; i++) {
    if (r.page_addresses[i] != 0) return WRTP_E_UNUSED_FIELD;
  }
  *response = r;
  return WRTP_OK;
}
