/*
 * A small WaveRT render stream: a cyclic buffer from IPortWaveRTStream::AllocatePagesForMdl below
 * 4 GiB (the DMA engine is 32-bit), mapped write-combined, and a buffer descriptor list (BDL):
 * one contiguous non-cached page, allocated with the stream, describing the buffer page by page
 * with an interrupt-on-completion flag at each notification boundary. Written for wavert-bench
 * from the DDI reference. The buffer methods have the DDI's signatures; in a Windows build the
 * class would derive from IMiniportWaveRTStreamNotification (and implement its other methods)
 * instead of the harness's IMiniportWaveRTStreamBuffers. Only the Linux build exists here.
 */
#ifndef MINWAVERTSTREAM_H
#define MINWAVERTSTREAM_H

#include <portcls.h>

#define MINWAVERT_POOLTAG 'TRWM'

class CMiniportWaveRTStream final : public IMiniportWaveRTStreamBuffers {
public:
  CMiniportWaveRTStream();
  ~CMiniportWaveRTStream();

  NTSTATUS Init(IPortWaveRTStream *PortStream, const WAVEFORMATEX *Format);

  NTSTATUS AllocateAudioBuffer(ULONG RequestedSize, PMDL *AudioBufferMdl, ULONG *ActualSize,
                               ULONG *OffsetFromFirstPage,
                               MEMORY_CACHING_TYPE *CacheType) override;
  VOID FreeAudioBuffer(PMDL AudioBufferMdl, ULONG BufferSize) override;
  NTSTATUS AllocateBufferWithNotification(ULONG NotificationCount, ULONG RequestedSize,
                                          PMDL *AudioBufferMdl, ULONG *ActualSize,
                                          ULONG *OffsetFromFirstPage,
                                          MEMORY_CACHING_TYPE *CacheType) override;
  VOID FreeBufferWithNotification(PMDL AudioBufferMdl, ULONG BufferSize) override;

private:
  NTSTATUS AllocateBdl();
  NTSTATUS BuildBdl(PMDL BufferMdl, ULONG BufferSize, ULONG NotificationCount);
  VOID FreeBdl();

  /* One HD Audio buffer descriptor: 16 bytes. */
  struct BdlEntry {
    ULONGLONG Address;
    ULONG Length;
    ULONG InterruptOnCompletion;
  };
  /* What the (imaginary) controller's registers would hold. */
  struct HwState {
    ULONG LinkPosition;
    ULONG LastValidIndex;
    PHYSICAL_ADDRESS BdlAddress;
  };

  IPortWaveRTStream *m_PortStream;
  ULONG m_BlockAlign;
  HwState *m_Hw;
  PMDL m_BufferMdl;
  PVOID m_Buffer;
  ULONG m_BufferSize;
  PMDL m_BdlMdl;
  BdlEntry *m_Bdl;
  PHYSICAL_ADDRESS *m_PageAddresses;
};

#endif
