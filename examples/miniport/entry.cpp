/*
 * The entry ABI (ffi/driver/include/wrt_driver_abi.h) for the example stream: what
 * IMiniportWaveRT::NewStream and the stream's last Release would do, so the harness can drive
 * the buffer methods. The stream's own sources need no change.
 */
#include <wrt_driver_abi.h>

#include "minwavertstream.h"

ULONG wrt_driver_abi_version(void) { return WRT_DRIVER_ABI_VERSION; }

NTSTATUS wrt_driver_create_stream(IPortWaveRTStream *Port, const WAVEFORMATEX *Format,
                                  const char *Parameters, void **Stream) {
  UNREFERENCED_PARAMETER(Parameters);
  CMiniportWaveRTStream *stream =
      new (POOL_FLAG_NON_PAGED, MINWAVERT_POOLTAG) CMiniportWaveRTStream();
  if (stream == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  const NTSTATUS status = stream->Init(Port, Format);
  if (!NT_SUCCESS(status)) {
    stream->~CMiniportWaveRTStream();
    ExFreePoolWithTag(stream, MINWAVERT_POOLTAG);
    return status;
  }
  *Stream = stream;
  return STATUS_SUCCESS;
}

NTSTATUS wrt_driver_allocate_audio_buffer(void *Stream, ULONG RequestedSize, PMDL *AudioBufferMdl,
                                          ULONG *ActualSize, ULONG *OffsetFromFirstPage,
                                          MEMORY_CACHING_TYPE *CacheType) {
  return static_cast<CMiniportWaveRTStream *>(Stream)->AllocateAudioBuffer(
      RequestedSize, AudioBufferMdl, ActualSize, OffsetFromFirstPage, CacheType);
}

NTSTATUS wrt_driver_allocate_buffer_with_notification(void *Stream, ULONG NotificationCount,
                                                      ULONG RequestedSize, PMDL *AudioBufferMdl,
                                                      ULONG *ActualSize,
                                                      ULONG *OffsetFromFirstPage,
                                                      MEMORY_CACHING_TYPE *CacheType) {
  return static_cast<CMiniportWaveRTStream *>(Stream)->AllocateBufferWithNotification(
      NotificationCount, RequestedSize, AudioBufferMdl, ActualSize, OffsetFromFirstPage,
      CacheType);
}

VOID wrt_driver_free_audio_buffer(void *Stream, PMDL AudioBufferMdl, ULONG BufferSize) {
  static_cast<CMiniportWaveRTStream *>(Stream)->FreeAudioBuffer(AudioBufferMdl, BufferSize);
}

VOID wrt_driver_free_buffer_with_notification(void *Stream, PMDL AudioBufferMdl,
                                              ULONG BufferSize) {
  static_cast<CMiniportWaveRTStream *>(Stream)->FreeBufferWithNotification(AudioBufferMdl,
                                                                            BufferSize);
}

VOID wrt_driver_destroy_stream(void *Stream) {
  CMiniportWaveRTStream *stream = static_cast<CMiniportWaveRTStream *>(Stream);
  stream->~CMiniportWaveRTStream();
  ExFreePoolWithTag(stream, MINWAVERT_POOLTAG);
}
