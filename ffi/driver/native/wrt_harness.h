/*
 * The harness ABI (version 2): what the shim linked into every driver library exports to the
 * Deno harness (ffi/driver/library.ts), and the one callback through which the shim's
 * IPortWaveRTStream, pool and IRQL routines reach the simulator.
 *
 * Callback: int64_t port(uint32_t op | irql << 8, uint32_t handle, uint64_t a, uint64_t b,
 *                        uint64_t c, uint32_t site)
 *   site is the driver's return address as an offset into the driver library (0xFFFFFFFF when
 *   outside it). A return of WRTH_BUGCHECK stops the driver: the shim longjmps back to the wrth_*
 *   entry, which returns 1, as a bug check would stop the machine.
 *
 *   op                        handle   a             b            c         returns
 *   WRTH_OP_ALLOCATE          -        HighAddress   -            bytes     MDL handle or 0
 *   WRTH_OP_ALLOCATE_CONTIG   -        LowAddress    HighAddress  bytes     MDL handle or 0
 *   WRTH_OP_MAP               MDL      CacheType     -            -         1 mapped, 0 NULL
 *   WRTH_OP_UNMAP             MDL      1 if the address is the mapping's, 0 if not   -   0
 *   WRTH_OP_FREE              MDL      -             -            -         0
 *   WRTH_OP_PAGE_COUNT        MDL      -             -            -         the count
 *   WRTH_OP_PAGE_ADDRESS      MDL      Index         -            -         the address
 *   WRTH_OP_POOL_ALLOCATE     -        bytes         Tag          flags     block id or 0
 *   WRTH_OP_POOL_FREE         block    Tag (or WRTH_ANY_TAG)  -   -         0
 *   WRTH_OP_CHECK             -        WRTH_CHECK_*  -            -         WRTH_BUGCHECK
 *   MDL handle 0 means "not an MDL the shim handed out" (block 0: not a live pool block); the
 *   simulator then raises the violation Windows would.
 *
 * After ALLOCATE/ALLOCATE_CONTIG returns a handle, and after MAP/UNMAP, the harness has written
 * the MDL's ByteCount, MdlFlags and page count into control words 0..2 and the frame numbers into
 * the array control word 3 points to; the shim copies them into the native MDL.
 */
#ifndef WRT_HARNESS_H
#define WRT_HARNESS_H

#include <stdint.h>

#define WRTH_ABI_VERSION 2u
#define WRTH_BUGCHECK (-1)
#define WRTH_NO_SITE 0xFFFFFFFFu
#define WRTH_ANY_TAG 0xFFFFFFFFFFFFFFFFull

enum {
  WRTH_OP_ALLOCATE = 1,
  WRTH_OP_ALLOCATE_CONTIG = 2,
  WRTH_OP_MAP = 3,
  WRTH_OP_UNMAP = 4,
  WRTH_OP_FREE = 5,
  WRTH_OP_PAGE_COUNT = 6,
  WRTH_OP_PAGE_ADDRESS = 7,
  WRTH_OP_POOL_ALLOCATE = 8,
  WRTH_OP_POOL_FREE = 9,
  WRTH_OP_CHECK = 10,
};

/* WRTH_OP_CHECK codes: misuse only the shim can see. */
enum {
  WRTH_CHECK_PAGED_CODE = 1,   /* PAGED_CODE() above APC_LEVEL */
  WRTH_CHECK_LOWER_IRQL = 2,   /* KeLowerIrql to a level above the current one */
  WRTH_CHECK_RAISE_IRQL = 3,   /* KeRaiseIrql to a level below the current one */
};

/* Words of the out array each entry fills. */
enum {
  WRTH_OUT_STATUS = 0,     /* NTSTATUS the driver returned (0 for VOID methods) */
  WRTH_OUT_MDL = 1,        /* *AudioBufferMdl as a pointer value */
  WRTH_OUT_MDL_HANDLE = 2, /* its handle, 0 when the shim never handed it out */
  WRTH_OUT_ACTUAL = 3,     /* *ActualSize */
  WRTH_OUT_OFFSET = 4,     /* *OffsetFromFirstPage */
  WRTH_OUT_CACHE = 5,      /* *CacheType */
  WRTH_OUT_IRQL = 6,       /* the IRQL when the driver returned */
  WRTH_OUT_WORDS = 8,
};

typedef int64_t (*wrth_port_callback)(uint32_t op_irql, uint32_t handle, uint64_t a, uint64_t b,
                                      uint64_t c, uint32_t site);

#ifdef __cplusplus
extern "C" {
#endif
uint32_t wrth_abi_version(void);
/* Starts a case: the callback and the control words (uint64_t[4]). Frees any earlier case. */
int32_t wrth_begin(wrth_port_callback port, uint64_t *control);
/* Each returns 0 when the driver returned, 1 when it was stopped by a bug check. */
int32_t wrth_create(const void *format, const char *parameters, uint64_t *out);
int32_t wrth_allocate(uint32_t notification_count, uint32_t requested_size, uint64_t *out);
int32_t wrth_free(uint32_t with_notification, uint64_t mdl, uint32_t buffer_size, uint64_t *out);
int32_t wrth_destroy(uint64_t *out);
/* Frees every native MDL, mapping and pool block of the case; safe to call twice. */
void wrth_end(void);
/* "symbol+0xNN (library+0xSITE)" for a site, by dladdr (exported functions only): the crash
 * reporter's, which cannot call back into the harness. Returns the length written. */
uint32_t wrth_symbolize(uint32_t site, char *buffer, uint32_t capacity);
/* A C++ symbol demangled (the symbol itself when it is not one), NUL-terminated in buffer;
 * returns the full length, so a longer name can be asked for again with room for it. */
uint32_t wrth_demangle(const char *symbol, char *buffer, uint32_t capacity);
/* The DbgPrint log of the case so far; returns its full length. */
uint32_t wrth_log(char *buffer, uint32_t capacity);
/* Byte `offset` of the MDL's mapping as the driver left it, or 0x100 when unmapped. */
uint32_t wrth_peek(uint64_t mdl, uint32_t offset);
#ifdef __cplusplus
}
#endif

#endif /* WRT_HARNESS_H */
