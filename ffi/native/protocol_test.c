/*
 * Unit test of wavert_protocol.c on the build machine: the exact bytes the Windows helper sends
 * and the driver decodes, round trips of every operation, and every rejection (truncated,
 * oversized, other version, foreign magic, wrong size field, unknown or mismatched operation,
 * stray fields, bad counts, bad cache types, empty ranges, out-of-range statuses). Exits non-zero
 * on the first failed check; prints "N passed, 0 failed" at the end.
 */
#include "wavert_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_check.h"

/* Decodes `request` as the bytes DeviceIoControl would carry for its own IOCTL. */
static int32_t decode(const wrtp_request *request, wrtp_request *out) {
  return wrtp_decode_request(request, sizeof *request, WRTP_IOCTL(request->operation), out);
}

static void test_ioctl_codes(void) {
  /* CTL_CODE(0x8057, 0x801, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA), worked out by
   * hand, so a change to the macro cannot go unnoticed. */
  CHECK(WRTP_IOCTL(WRTP_OP_VERSION) == 0x8057E004u);
  for (uint32_t a = WRTP_OP_FIRST; a <= WRTP_OP_LAST; a++) {
    uint32_t code = WRTP_IOCTL(a);
    CHECK((code & 3u) == 0);              /* METHOD_BUFFERED: the driver never sees user memory */
    CHECK((code >> 16) == 0x8057u);       /* vendor device type */
    CHECK(((code >> 14) & 3u) == 3u);     /* read and write access */
    for (uint32_t b = WRTP_OP_FIRST; b < a; b++) CHECK(WRTP_IOCTL(b) != code);
  }
}

static void test_layout(void) {
  wrtp_request request;
  wrtp_request_init(&request, WRTP_OP_ALLOCATE_PAGES);
  request.high_address = 0x0102030405060708ull;
  const unsigned char *bytes = (const unsigned char *)&request;
  CHECK(memcmp(bytes, "WRTP", 4) == 0);   /* the magic reads "WRTP" on the wire */
  CHECK(bytes[4] == WRTP_VERSION && bytes[5] == 0);
  CHECK(bytes[6] == WRTP_OP_ALLOCATE_PAGES && bytes[7] == 0);
  CHECK(bytes[8] == sizeof request && bytes[9] == 0);
  CHECK(bytes[32] == 0x08 && bytes[39] == 0x01); /* little-endian high_address at offset 32 */
}

static void test_request_round_trips(void) {
  wrtp_request in, out;
  for (uint32_t op = WRTP_OP_FIRST; op <= WRTP_OP_LAST; op++) {
    wrtp_request_init(&in, op);
    switch (op) {
      case WRTP_OP_ALLOCATE_CONTIGUOUS: in.low_address = 0x100000; /* fall through */
      case WRTP_OP_ALLOCATE_PAGES:
        in.high_address = 0xFFFFFFFFu;
        in.total_bytes = 1920;
        break;
      case WRTP_OP_MAP: in.handle = 7; in.cache_type = WRTP_CACHE_WRITE_COMBINED; break;
      case WRTP_OP_UNMAP: in.handle = 7; in.base_address = 0xFFFFF80000001000ull; break;
      case WRTP_OP_FREE: in.handle = 7; break;
      case WRTP_OP_PAGE_ADDRESSES: in.handle = 7; in.first_page = 64; in.page_count = 64; break;
      default: break;
    }
    memset(&out, 0xAB, sizeof out);
    CHECK(decode(&in, &out) == WRTP_OK);
    CHECK(memcmp(&in, &out, sizeof in) == 0);
  }
  /* TotalBytes 0 is passed on as asked: what Windows does with it is one of the open questions. */
  wrtp_request_init(&in, WRTP_OP_ALLOCATE_PAGES);
  CHECK(decode(&in, &out) == WRTP_OK && out.total_bytes == 0);
}

static void test_request_rejections(void) {
  wrtp_request r, out;
  unsigned char big[sizeof r + 16];
  wrtp_request_init(&r, WRTP_OP_FREE);
  r.handle = 1;
  uint32_t ioctl = WRTP_IOCTL(WRTP_OP_FREE);

  CHECK(wrtp_decode_request(NULL, sizeof r, ioctl, &out) == WRTP_E_TRUNCATED);
  for (size_t n = 0; n < sizeof r; n++) {
    CHECK(wrtp_decode_request(&r, n, ioctl, &out) == WRTP_E_TRUNCATED);
  }
  memset(big, 0, sizeof big);
  memcpy(big, &r, sizeof r);
  CHECK(wrtp_decode_request(big, sizeof r + 1, ioctl, &out) == WRTP_E_OVERSIZED);
  CHECK(wrtp_decode_request(big, sizeof big, ioctl, &out) == WRTP_E_OVERSIZED);

  /* Another version is named as such whatever its length, so the user is told to rebuild. */
  wrtp_request other = r;
  other.version = WRTP_VERSION + 1;
  CHECK(wrtp_decode_request(&other, sizeof other, ioctl, &out) == WRTP_E_VERSION_MISMATCH);
  memcpy(big, &other, sizeof other);
  CHECK(wrtp_decode_request(big, sizeof big, ioctl, &out) == WRTP_E_VERSION_MISMATCH);
  CHECK(wrtp_decode_request(&other, 12, ioctl, &out) == WRTP_E_VERSION_MISMATCH);

  other = r;
  other.magic = 0x12345678u;
  CHECK(wrtp_decode_request(&other, sizeof other, ioctl, &out) == WRTP_E_BAD_MAGIC);
  other = r;
  other.size = sizeof r + 8;
  CHECK(wrtp_decode_request(&other, sizeof other, ioctl, &out) == WRTP_E_BAD_SIZE_FIELD);

  CHECK(wrtp_decode_request(&r, sizeof r, WRTP_IOCTL(WRTP_OP_MAP), &out) == WRTP_E_BAD_OPERATION);
  other = r;
  other.operation = 0;
  CHECK(wrtp_decode_request(&other, sizeof other, WRTP_IOCTL(0), &out) == WRTP_E_BAD_OPERATION);
  other.operation = WRTP_OP_LAST + 1;
  CHECK(decode(&other, &out) == WRTP_E_BAD_OPERATION);

  other = r;
  other.total_bytes = 4096; /* FREE takes only a handle */
  CHECK(decode(&other, &out) == WRTP_E_UNUSED_FIELD);
  wrtp_request_init(&other, WRTP_OP_VERSION);
  other.handle = 1;
  CHECK(decode(&other, &out) == WRTP_E_UNUSED_FIELD);
  wrtp_request_init(&other, WRTP_OP_ALLOCATE_PAGES);
  other.low_address = 1; /* AllocatePagesForMdl has no low address: its range starts at 0 */
  CHECK(decode(&other, &out) == WRTP_E_UNUSED_FIELD);

  wrtp_request_init(&other, WRTP_OP_MAP);
  other.handle = 1;
  other.cache_type = WRTP_CACHE_WRITE_COMBINED + 1;
  CHECK(decode(&other, &out) == WRTP_E_BAD_CACHE_TYPE);

  wrtp_request_init(&other, WRTP_OP_ALLOCATE_CONTIGUOUS);
  other.low_address = 0x2000;
  other.high_address = 0x1FFF;
  other.total_bytes = 4096;
  CHECK(decode(&other, &out) == WRTP_E_BAD_RANGE);
  other.high_address = 0x2000;
  CHECK(decode(&other, &out) == WRTP_OK);

  wrtp_request_init(&other, WRTP_OP_PAGE_ADDRESSES);
  other.handle = 1;
  CHECK(decode(&other, &out) == WRTP_E_BAD_COUNT); /* an empty batch */
  other.page_count = WRTP_BATCH_PAGES + 1;
  CHECK(decode(&other, &out) == WRTP_E_BAD_COUNT);
  other.page_count = 2;
  other.first_page = UINT32_MAX;
  CHECK(decode(&other, &out) == WRTP_E_BAD_COUNT); /* first + count wraps */
  other.first_page = UINT32_MAX - 2;
  CHECK(decode(&other, &out) == WRTP_OK);

  /* A rejected request leaves the output untouched. */
  memset(&out, 0x5A, sizeof out);
  CHECK(wrtp_decode_request(&r, sizeof r - 1, ioctl, &out) == WRTP_E_TRUNCATED);
  CHECK(((unsigned char *)&out)[0] == 0x5A);
}

static void test_responses(void) {
  wrtp_request request;
  wrtp_response in, out;
  unsigned char big[sizeof in + 8];
  wrtp_request_init(&request, WRTP_OP_PAGE_ADDRESSES);
  request.handle = 3;
  request.page_count = 2;
  wrtp_response_init(&in, &request, WRTP_OK);
  CHECK(in.handle == 3 && in.operation == WRTP_OP_PAGE_ADDRESSES && in.size == sizeof in);
  in.addresses_returned = 2;
  in.page_addresses[0] = 0x1234;
  in.page_addresses[1] = 0x1235;
  in.duration_ticks = 25;
  in.tick_frequency = 10000000;
  CHECK(wrtp_decode_response(&in, sizeof in, WRTP_OP_PAGE_ADDRESSES, &out) == WRTP_OK);
  CHECK(memcmp(&in, &out, sizeof in) == 0);

  for (size_t n = 0; n < sizeof in; n += 7) {
    CHECK(wrtp_decode_response(&in, n, WRTP_OP_PAGE_ADDRESSES, &out) == WRTP_E_TRUNCATED);
  }
  memset(big, 0, sizeof big);
  memcpy(big, &in, sizeof in);
  CHECK(wrtp_decode_response(big, sizeof big, WRTP_OP_PAGE_ADDRESSES, &out) == WRTP_E_OVERSIZED);
  wrtp_response other = in;
  other.version = 0;
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_PAGE_ADDRESSES, &out) ==
        WRTP_E_VERSION_MISMATCH);
  other = in;
  other.magic = 0;
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_PAGE_ADDRESSES, &out) ==
        WRTP_E_BAD_MAGIC);
  CHECK(wrtp_decode_response(&in, sizeof in, WRTP_OP_FREE, &out) == WRTP_E_BAD_OPERATION);
  other = in;
  other.status = -1;
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_PAGE_ADDRESSES, &out) ==
        WRTP_E_BAD_STATUS);
  other.status = WRTP_STATUS_COUNT;
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_PAGE_ADDRESSES, &out) ==
        WRTP_E_BAD_STATUS);
  other = in;
  other.addresses_returned = WRTP_BATCH_PAGES + 1;
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_PAGE_ADDRESSES, &out) ==
        WRTP_E_BAD_COUNT);
  other = in;
  other.page_addresses[2] = 9; /* a frame beyond addresses_returned */
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_PAGE_ADDRESSES, &out) ==
        WRTP_E_UNUSED_FIELD);

  /* Only PAGE_ADDRESSES carries page addresses. */
  wrtp_request_init(&request, WRTP_OP_ALLOCATE_PAGES);
  wrtp_response_init(&other, &request, WRTP_E_NULL_MDL);
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_ALLOCATE_PAGES, &out) == WRTP_OK);
  CHECK(out.status == WRTP_E_NULL_MDL);
  other.addresses_returned = 1;
  CHECK(wrtp_decode_response(&other, sizeof other, WRTP_OP_ALLOCATE_PAGES, &out) ==
        WRTP_E_BAD_COUNT);
}

static void test_names(void) {
  for (int32_t a = 0; a < WRTP_STATUS_COUNT; a++) {
    CHECK(wrtp_status_name(a) != NULL && strncmp(wrtp_status_name(a), "WRTP_", 5) == 0);
    for (int32_t b = 0; b < a; b++) CHECK(strcmp(wrtp_status_name(a), wrtp_status_name(b)) != 0);
  }
  CHECK(strcmp(wrtp_status_name(-1), "WRTP_E_UNKNOWN") == 0);
  CHECK(strcmp(wrtp_status_name(WRTP_STATUS_COUNT), "WRTP_E_UNKNOWN") == 0);
}

int main(void) {
  test_ioctl_codes();
  test_layout();
  test_request_round_trips();
  test_request_rejections();
  test_responses();
  test_names();
  printf("%d passed, 0 failed\n", passed);
  return 0;
}
