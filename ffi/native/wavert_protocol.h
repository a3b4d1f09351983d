/*
 * wavert_protocol: the messages between the Windows helper (wavert_helper_windows.c, user mode)
 * and the WaveRT test driver (windows_driver/, kernel mode), shared by both sides and by the
 * native protocol test that runs on Linux.
 *
 * Transport: DeviceIoControl on \\.\WaveRtTest with one IOCTL per operation, all METHOD_BUFFERED,
 * so the I/O manager copies each message into a system buffer and the driver never touches a
 * user-mode pointer. Every request is one wrtp_request and every answer one wrtp_response:
 * fixed sizes, little-endian (the only byte order Windows runs on, asserted below), no hidden
 * padding (every field is naturally aligned; sizes and offsets are asserted below), a magic, a
 * protocol version and the struct size carried inside, so a truncated, oversized or foreign
 * message is rejected with a specific status before any field is used.
 *
 * This header must compile in three places: the Linux host compiler (tests), mingw-w64 user mode
 * and mingw-w64 kernel mode (no C library: only <stdint.h>-style types and these declarations).
 */
#ifndef WAVERT_PROTOCOL_H
#define WAVERT_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any change to a layout, an operation or the meaning of a status. */
#define WRTP_VERSION 2u
/* "WRTP" read as a little-endian uint32_t: the first four bytes of every message. */
#define WRTP_MAGIC 0x50545257u

/* The device the driver creates and the name user mode opens. */
#define WRTP_DEVICE_NAME L"\\Device\\WaveRtTest"
#define WRTP_DOS_DEVICE_NAME L"\\DosDevices\\WaveRtTest"
#define WRTP_USER_PATH L"\\\\.\\WaveRtTest"

/*
 * IOCTL codes, laid out as CTL_CODE(DeviceType, Function, Method, Access) does:
 * DeviceType << 16 | Access << 14 | Function << 2 | Method. The device type and functions are in
 * the ranges Microsoft leaves to vendors (device type >= 0x8000, function >= 0x800); access is
 * FILE_READ_DATA | FILE_WRITE_DATA, so only a handle opened for reading and writing may send them.
 */
#define WRTP_DEVICE_TYPE 0x8057u
#define WRTP_METHOD_BUFFERED 0u
#define WRTP_ACCESS_READ_WRITE 3u
#define WRTP_FUNCTION_BASE 0x800u
#define WRTP_CTL_CODE(function)                                                      \
  ((uint32_t)((WRTP_DEVICE_TYPE << 16) | (WRTP_ACCESS_READ_WRITE << 14) |            \
              ((WRTP_FUNCTION_BASE + (function)) << 2) | WRTP_METHOD_BUFFERED))

/* Operations; the IOCTL code of operation N is WRTP_CTL_CODE(N). */
#define WRTP_OP_VERSION 1u             /* driver and protocol version */
#define WRTP_OP_CAPABILITIES 2u        /* page size, stream state, batch size, timer frequency */
#define WRTP_OP_ALLOCATE_PAGES 3u      /* IPortWaveRTStream::AllocatePagesForMdl */
#define WRTP_OP_ALLOCATE_CONTIGUOUS 4u /* IPortWaveRTStream::AllocateContiguousPagesForMdl */
#define WRTP_OP_MAP 5u                 /* IPortWaveRTStream::MapAllocatedPages */
#define WRTP_OP_UNMAP 6u               /* IPortWaveRTStream::UnmapAllocatedPages */
#define WRTP_OP_FREE 7u                /* IPortWaveRTStream::FreePagesFromMdl */
#define WRTP_OP_PAGE_ADDRESSES 8u      /* GetPhysicalPageAddress for a batch of pages */
#define WRTP_OP_FIRST WRTP_OP_VERSION
#define WRTP_OP_LAST WRTP_OP_PAGE_ADDRESSES

#define WRTP_IOCTL(operation) WRTP_CTL_CODE(operation)

/* Frame numbers per WRTP_OP_PAGE_ADDRESSES answer: 64 pages, 512 bytes of the response. */
#define WRTP_BATCH_PAGES 64u

/* MEMORY_CACHING_TYPE values MapAllocatedPages accepts (MmNonCached, MmCached, MmWriteCombined). */
#define WRTP_CACHE_NON_CACHED 0u
#define WRTP_CACHE_CACHED 1u
#define WRTP_CACHE_WRITE_COMBINED 2u

/* Protocol statuses: the first group is decode failures, the second the operation's outcome. */
#define WRTP_OK 0
#define WRTP_E_TRUNCATED 1          /* fewer bytes than the fixed message size */
#define WRTP_E_OVERSIZED 2          /* more bytes than the fixed message size */
#define WRTP_E_BAD_MAGIC 3          /* not a wavert protocol message */
#define WRTP_E_VERSION_MISMATCH 4   /* the other side speaks another protocol version */
#define WRTP_E_BAD_SIZE_FIELD 5     /* the size inside the message disagrees with its type */
#define WRTP_E_BAD_OPERATION 6      /* unknown operation, or not the one the IOCTL code names */
#define WRTP_E_UNUSED_FIELD 7       /* a field the operation does not take is not zero */
#define WRTP_E_BAD_COUNT 8          /* page batch empty, above WRTP_BATCH_PAGES or overflowing */
#define WRTP_E_BAD_CACHE_TYPE 9     /* not MmNonCached, MmCached or MmWriteCombined */
#define WRTP_E_BAD_RANGE 10         /* lowAddress above highAddress */
#define WRTP_E_BAD_STATUS 11        /* a response status outside 0..WRTP_STATUS_COUNT - 1 */
#define WRTP_E_NO_STREAM 12         /* no WaveRT stream is open, so no IPortWaveRTStream exists */
#define WRTP_E_NULL_MDL 13          /* the allocator returned NULL */
#define WRTP_E_NULL_MAPPING 14      /* MapAllocatedPages returned NULL */
#define WRTP_E_UNKNOWN_HANDLE 15    /* not a live allocation of this file handle */
#define WRTP_E_ALREADY_MAPPED 16    /* one system mapping per MDL */
#define WRTP_E_NOT_MAPPED 17        /* unmap of an allocation that is not mapped */
#define WRTP_E_WRONG_ADDRESS 18     /* unmap with another base address than map returned */
#define WRTP_E_STILL_MAPPED 19      /* free before unmap */
#define WRTP_E_TABLE_FULL 20        /* the handle holds WRTP_MAX_ALLOCATIONS allocations */
#define WRTP_E_PAGE_INDEX 21        /* first page past the allocation's page count */
#define WRTP_E_HANDLE_BYTES 22       /* the handle's cap on locked bytes would be passed */
#define WRTP_E_HANDLE_ALLOCATIONS 23 /* the handle's cap on live allocations would be passed */
#define WRTP_E_GLOBAL_BYTES 24       /* the adapter's cap on locked bytes (all handles) */
#define WRTP_E_GLOBAL_ALLOCATIONS 25 /* the adapter's cap on live allocations (all handles) */
#define WRTP_STATUS_COUNT 26

/* Allocations one file handle may hold at once. */
#define WRTP_MAX_ALLOCATIONS 1024u

/* wrtp_response.capability_flags */
#define WRTP_CAP_STREAM_OPEN 0x1u /* PortCls handed the miniport an IPortWaveRTStream */

/* One request; fields an operation does not take must be zero. 64 bytes. */
typedef struct wrtp_request {
  uint32_t magic;        /* WRTP_MAGIC */
  uint16_t version;      /* WRTP_VERSION */
  uint16_t operation;    /* WRTP_OP_*, equal to the IOCTL's operation */
  uint32_t size;         /* sizeof(wrtp_request) */
  uint32_t cache_type;   /* MAP: WRTP_CACHE_* */
  uint64_t handle;       /* MAP, UNMAP, FREE, PAGE_ADDRESSES: from an allocation's response */
  uint64_t low_address;  /* ALLOCATE_CONTIGUOUS */
  uint64_t high_address; /* ALLOCATE_PAGES, ALLOCATE_CONTIGUOUS */
  uint64_t total_bytes;  /* ALLOCATE_PAGES, ALLOCATE_CONTIGUOUS: passed on exactly, even 0 */
  uint64_t base_address; /* UNMAP: the address MAP returned */
  uint32_t first_page;   /* PAGE_ADDRESSES */
  uint32_t page_count;   /* PAGE_ADDRESSES: 1..WRTP_BATCH_PAGES */
} wrtp_request;

/* One response. Driver-side durations are KeQueryPerformanceCounter ticks around the PortCls
 * call alone, with the counter's frequency, so user mode converts without a second clock. */
typedef struct wrtp_response {
  uint32_t magic;            /* WRTP_MAGIC */
  uint16_t version;          /* WRTP_VERSION */
  uint16_t operation;        /* the request's operation */
  uint32_t size;             /* sizeof(wrtp_response) */
  int32_t status;            /* WRTP_OK or WRTP_E_* */
  uint32_t mdl_flags;        /* the MDL's MdlFlags after the call (0 without an MDL) */
  uint32_t capability_flags; /* CAPABILITIES: WRTP_CAP_* */
  uint64_t handle;           /* ALLOCATE_*: the new allocation; otherwise the request's */
  uint64_t byte_count;       /* the MDL's ByteCount, exactly as the kernel set it */
  uint64_t page_count;       /* GetPhysicalPagesCount of the MDL */
  uint64_t address;          /* MAP: the system address returned, a number never dereferenced */
  uint64_t duration_ticks;   /* KeQueryPerformanceCounter ticks spent in the PortCls call */
  uint64_t tick_frequency;   /* KeQueryPerformanceCounter's frequency in ticks per second */
  uint64_t page_size;        /* CAPABILITIES: PAGE_SIZE */
  uint32_t driver_version;   /* VERSION: the driver build's own version */
  uint32_t protocol_version; /* VERSION: WRTP_VERSION the driver was built with */
  uint32_t first_page;       /* PAGE_ADDRESSES: index of frames[0] */
  uint32_t addresses_returned; /* PAGE_ADDRESSES: entries of page_addresses[] that are filled */
  /* PAGE_ADDRESSES: GetPhysicalPageAddress of pages first_page, first_page + 1, ..., exactly as
   * returned (physical addresses; user mode divides by the page size for frame numbers). */
  uint64_t page_addresses[WRTP_BATCH_PAGES];
} wrtp_response;

/* The layouts are part of the protocol: any change to them must be deliberate. */
_Static_assert(sizeof(wrtp_request) == 64, "wrtp_request must be 64 bytes");
_Static_assert(offsetof(wrtp_request, handle) == 16, "wrtp_request.handle at 16");
_Static_assert(offsetof(wrtp_request, first_page) == 56, "wrtp_request.first_page at 56");
_Static_assert(sizeof(wrtp_response) == 96 + 8 * WRTP_BATCH_PAGES,
               "wrtp_response must be 96 bytes plus the frame batch");
_Static_assert(offsetof(wrtp_response, handle) == 24, "wrtp_response.handle at 24");
_Static_assert(offsetof(wrtp_response, driver_version) == 80, "wrtp_response.driver_version at 80");
_Static_assert(offsetof(wrtp_response, page_addresses) == 96, "page_addresses at 96");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the wavert protocol is little-endian: structs are sent as they lie in memory"
#endif

/* A request for `operation` with the header filled in and every other field zero. */
void wrtp_request_init(wrtp_request *request, uint32_t operation);

/* A response to `request` with the header filled in, `status` set and every other field zero. */
void wrtp_response_init(wrtp_response *response, const wrtp_request *request, int32_t status);

/*
 * Validates a request received as `length` bytes at `bytes` for IOCTL `ioctl_code`: size, magic,
 * version, operation (known and equal to the IOCTL's), and the fields the operation takes and
 * does not take (those must be zero). On WRTP_OK the message is copied into *request.
 */
int32_t wrtp_decode_request(const void *bytes, size_t length, uint32_t ioctl_code,
                            wrtp_request *request);

/*
 * Validates a response received as `length` bytes for a request of `operation`: size, magic,
 * version, operation, status in range, addresses_returned within the batch and zero entries
 * after it. On WRTP_OK the message is copied into *response (its own status is then response->status).
 */
int32_t wrtp_decode_response(const void *bytes, size_t length, uint32_t operation,
                             wrtp_response *response);

/* Short English name of a WRTP status ("WRTP_E_TRUNCATED"), or "WRTP_E_UNKNOWN". */
const char *wrtp_status_name(int32_t status);

#ifdef __cplusplus
}
#endif

#endif /* WAVERT_PROTOCOL_H */
