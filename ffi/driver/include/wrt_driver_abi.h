/*
 * The entry ABI a driver library exports so the harness can drive its stream buffer code (ABI
 * version 1). A driver's sources stay as they are; one small adapter file implements these seven
 * functions (see examples/miniport/entry.cpp). All are called at PASSIVE_LEVEL on one thread.
 *
 *   wrt_driver_abi_version()           returns WRT_DRIVER_ABI_VERSION.
 *   wrt_driver_create_stream(Port, Format, Parameters, &Stream)
 *                                      builds the stream object around the IPortWaveRTStream the
 *                                      harness hands in (as IMiniportWaveRT::NewStream would).
 *                                      Parameters is a NUL-terminated string the case passes
 *                                      (like registry settings), never NULL. On failure Stream is
 *                                      ignored and nothing may be left allocated.
 *   wrt_driver_allocate_audio_buffer   IMiniportWaveRTStream::AllocateAudioBuffer.
 *   wrt_driver_allocate_buffer_with_notification
 *                                      IMiniportWaveRTStreamNotification::
 *                                      AllocateBufferWithNotification; STATUS_NOT_IMPLEMENTED
 *                                      when the stream has no notification interface.
 *   wrt_driver_free_audio_buffer, wrt_driver_free_buffer_with_notification
 *                                      the matching frees; BufferSize is the ActualSize the
 *                                      allocation reported.
 *   wrt_driver_destroy_stream(Stream)  releases the stream object (the last Release).
 */
#ifndef WRT_DRIVER_ABI_H
#define WRT_DRIVER_ABI_H

#include "wrt_portcls.h"

#define WRT_DRIVER_ABI_VERSION 1u

#define WRT_DRIVER_EXPORT WRT_EXTERN_C __attribute__((visibility("default")))

WRT_DRIVER_EXPORT ULONG wrt_driver_abi_version(void);
WRT_DRIVER_EXPORT NTSTATUS wrt_driver_create_stream(IPortWaveRTStream *Port,
                                                    const WAVEFORMATEX *Format,
                                                    const char *Parameters, void **Stream);
WRT_DRIVER_EXPORT NTSTATUS wrt_driver_allocate_audio_buffer(void *Stream, ULONG RequestedSize,
                                                            PMDL *AudioBufferMdl,
                                                            ULONG *ActualSize,
                                                            ULONG *OffsetFromFirstPage,
                                                            MEMORY_CACHING_TYPE *CacheType);
WRT_DRIVER_EXPORT NTSTATUS wrt_driver_allocate_buffer_with_notification(
    void *Stream, ULONG NotificationCount, ULONG RequestedSize, PMDL *AudioBufferMdl,
    ULONG *ActualSize, ULONG *OffsetFromFirstPage, MEMORY_CACHING_TYPE *CacheType);
WRT_DRIVER_EXPORT VOID wrt_driver_free_audio_buffer(void *Stream, PMDL AudioBufferMdl,
                                                    ULONG BufferSize);
WRT_DRIVER_EXPORT VOID wrt_driver_free_buffer_with_notification(void *Stream,
                                                                PMDL AudioBufferMdl,
                                                                ULONG BufferSize);
WRT_DRIVER_EXPORT VOID wrt_driver_destroy_stream(void *Stream);

#ifdef __cplusplus
/* Pool-backed construction for C++ stream objects: new (POOL_FLAG_NON_PAGED, 'mrtW') T(...). */
#include <new>
inline void *operator new(size_t Size, POOL_FLAGS Flags, ULONG Tag) noexcept {
  return ExAllocatePool2(Flags, Size, Tag);
}
inline void operator delete(void *P, POOL_FLAGS, ULONG Tag) noexcept {
  if (P != NULL) ExFreePoolWithTag(P, Tag);
}
#endif

#endif /* WRT_DRIVER_ABI_H */
