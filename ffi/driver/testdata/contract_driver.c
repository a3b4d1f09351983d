/*
 * A test driver in C (through IPortWaveRTStream's C vtable) that breaks one rule on purpose,
 * chosen by the case's Parameters string, so each contract check of the harness is proven able
 * to fail. "ok" follows every rule and fills its buffer with 0x5A. "crash" dereferences NULL,
 * "crash-if-map-fails" does so only when MapAllocatedPages fails, "hang" never returns (for the
 * isolated runner's tests). Two more modes follow every rule too and exist for
 * ffi/driver/bench_driver.ts: "bench-cycles" first makes 1,000 allocate/map/unmap/free cycles of
 * one page, "bench-addresses" 1,000 GetPhysicalPageAddress calls.
 */
#include <wrt_driver_abi.h>

#define TAG 0x74736554u /* 'Test' */

typedef struct {
  IPortWaveRTStream *port;
  char mode[32];
  PMDL mdl;
  PVOID va;
  PVOID pool;
} Stream;

static int is(const Stream *s, const char *mode) { return strcmp(s->mode, mode) == 0; }

ULONG wrt_driver_abi_version(void) { return WRT_DRIVER_ABI_VERSION; }

NTSTATUS wrt_driver_create_stream(IPortWaveRTStream *Port, const WAVEFORMATEX *Format,
                                  const char *Parameters, void **StreamOut) {
  UNREFERENCED_PARAMETER(Format);
  Stream *s = (Stream *)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(Stream), TAG);
  if (s == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  s->port = Port;
  strncpy(s->mode, Parameters, sizeof s->mode - 1);
  *StreamOut = s;
  return STATUS_SUCCESS;
}

NTSTATUS wrt_driver_allocate_audio_buffer(void *StreamPtr, ULONG RequestedSize, PMDL *Mdl,
                                          ULONG *ActualSize, ULONG *Offset,
                                          MEMORY_CACHING_TYPE *CacheType) {
  static MDL foreign;
  Stream *s = (Stream *)StreamPtr;
  IPortWaveRTStream *port = s->port;
  PHYSICAL_ADDRESS high;
  high.QuadPart = 0xFFFFFFFF;
  KIRQL old = PASSIVE_LEVEL;
  if (is(s, "bench-cycles")) {
    for (int i = 0; i < 1000; i++) {
      PMDL page = port->lpVtbl->AllocatePagesForMdl(port, high, PAGE_SIZE);
      if (page == NULL) return STATUS_INSUFFICIENT_RESOURCES;
      PVOID mapped = port->lpVtbl->MapAllocatedPages(port, page, MmCached);
      if (mapped != NULL) port->lpVtbl->UnmapAllocatedPages(port, mapped, page);
      port->lpVtbl->FreePagesFromMdl(port, page);
    }
  }
  if (is(s, "dispatch")) KeRaiseIrql(DISPATCH_LEVEL, &old);
  if (is(s, "paged-code-dispatch")) {
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    PAGED_CODE();
  }
  PMDL mdl = port->lpVtbl->AllocatePagesForMdl(port, high, RequestedSize);
  if (is(s, "dispatch")) KeLowerIrql(old);
  if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  if (is(s, "fail-leaks-mdl")) return STATUS_INSUFFICIENT_RESOURCES;
  if (is(s, "hang")) {
    volatile int spinning = 1;
    while (spinning) {
    } /* never returns: the isolated runner's timeout ends it */
  }
  if (is(s, "crash")) {
    volatile ULONG *volatile nowhere = NULL;
    *nowhere = 1; /* a NULL dereference: SIGSEGV */
  }
  MEMORY_CACHING_TYPE mapped = is(s, "cache-mismatch") ? MmCached : MmWriteCombined;
  PVOID va = port->lpVtbl->MapAllocatedPages(port, mdl, mapped);
  if (va == NULL) {
    if (is(s, "crash-if-map-fails")) *(volatile ULONG *)va = 0; /* SIGSEGV, only then */
    port->lpVtbl->FreePagesFromMdl(port, mdl);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  if (is(s, "fail-leaks-mapping")) return STATUS_INSUFFICIENT_RESOURCES;
  if (is(s, "fail-leaks-pool") || is(s, "free-leaks-pool")) {
    s->pool = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG);
    if (is(s, "fail-leaks-pool")) {
      port->lpVtbl->UnmapAllocatedPages(port, va, mdl);
      port->lpVtbl->FreePagesFromMdl(port, mdl);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
  }
  if (is(s, "bench-addresses")) {
    ULONGLONG sum = 0;
    for (int i = 0; i < 1000; i++) {
      sum += (ULONGLONG)port->lpVtbl->GetPhysicalPageAddress(port, mdl, 0).QuadPart;
    }
    if (sum == 0) return STATUS_UNSUCCESSFUL;
  }
  RtlFillMemory(va, MmGetMdlByteCount(mdl), 0x5A);
  s->mdl = mdl;
  s->va = va;
  *Mdl = is(s, "foreign-mdl") ? &foreign : mdl;
  *ActualSize = is(s, "actual-too-big") ? MmGetMdlByteCount(mdl) + 1 : RequestedSize;
  *Offset = is(s, "offset-too-big") ? PAGE_SIZE : 0;
  *CacheType = is(s, "bad-cache-type") ? MmUSWCCached : MmWriteCombined;
  if (is(s, "irql-not-restored")) KeRaiseIrql(DISPATCH_LEVEL, &old);
  return STATUS_SUCCESS;
}

NTSTATUS wrt_driver_allocate_buffer_with_notification(void *StreamPtr, ULONG NotificationCount,
                                                      ULONG RequestedSize, PMDL *Mdl,
                                                      ULONG *ActualSize, ULONG *Offset,
                                                      MEMORY_CACHING_TYPE *CacheType) {
  UNREFERENCED_PARAMETER(NotificationCount);
  return wrt_driver_allocate_audio_buffer(StreamPtr, RequestedSize, Mdl, ActualSize, Offset,
                                          CacheType);
}

VOID wrt_driver_free_audio_buffer(void *StreamPtr, PMDL Mdl, ULONG BufferSize) {
  Stream *s = (Stream *)StreamPtr;
  IPortWaveRTStream *port = s->port;
  UNREFERENCED_PARAMETER(Mdl);
  UNREFERENCED_PARAMETER(BufferSize);
  if (s->mdl == NULL || is(s, "free-leaks-mdl")) return;
  port->lpVtbl->UnmapAllocatedPages(port, s->va, s->mdl);
  if (!is(s, "free-leaks-mapping")) {
    port->lpVtbl->FreePagesFromMdl(port, s->mdl);
    if (is(s, "double-free")) port->lpVtbl->FreePagesFromMdl(port, s->mdl);
  } else {
    /* maps it again and keeps it: the mapping and the MDL outlive the buffer */
    s->va = port->lpVtbl->MapAllocatedPages(port, s->mdl, MmWriteCombined);
    return;
  }
  if (s->pool != NULL && !is(s, "free-leaks-pool")) ExFreePoolWithTag(s->pool, TAG);
  if (is(s, "pool-double-free")) {
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG);
    ExFreePoolWithTag(p, TAG);
    ExFreePoolWithTag(p, TAG);
  }
  s->mdl = NULL;
  s->va = NULL;
}

VOID wrt_driver_free_buffer_with_notification(void *StreamPtr, PMDL Mdl, ULONG BufferSize) {
  wrt_driver_free_audio_buffer(StreamPtr, Mdl, BufferSize);
}

VOID wrt_driver_destroy_stream(void *StreamPtr) { ExFreePoolWithTag(StreamPtr, TAG); }
