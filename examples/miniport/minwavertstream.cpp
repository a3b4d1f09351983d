/*
 * The example stream's buffer code. Compiled with -DWAVERT_EXAMPLE_CLASSIC_BUGS it has the two
 * classic WaveRT bugs, marked CLASSIC BUG below: it reports the requested size when the
 * allocation came back partial, and it leaks the MDL when mapping fails.
 */
#include "minwavertstream.h"

namespace {
const LONGLONG kDmaHighAddress = 0xFFFFFFFF; /* 32-bit DMA engine */
const ULONG kMaxBdlEntries = PAGE_SIZE / 16;
}  // namespace

CMiniportWaveRTStream::CMiniportWaveRTStream()
    : m_PortStream(NULL), m_BlockAlign(0), m_Hw(NULL), m_BufferMdl(NULL), m_Buffer(NULL),
      m_BufferSize(0), m_BdlMdl(NULL), m_Bdl(NULL), m_PageAddresses(NULL) {}

CMiniportWaveRTStream::~CMiniportWaveRTStream() {
  PAGED_CODE();
  if (m_BufferMdl != NULL) FreeBufferWithNotification(m_BufferMdl, m_BufferSize);
  FreeBdl();
  if (m_Hw != NULL) ExFreePoolWithTag(m_Hw, MINWAVERT_POOLTAG);
}

NTSTATUS CMiniportWaveRTStream::Init(IPortWaveRTStream *PortStream, const WAVEFORMATEX *Format) {
  PAGED_CODE();
  if (PortStream == NULL || Format == NULL) return STATUS_INVALID_PARAMETER;
  if (Format->wFormatTag != WAVE_FORMAT_PCM || Format->nChannels == 0 ||
      Format->nChannels > 8 || Format->wBitsPerSample % 8 != 0 ||
      Format->nBlockAlign != Format->nChannels * (Format->wBitsPerSample / 8)) {
    DPF(1, ("minwavert: unsupported format\n"));
    return STATUS_INVALID_PARAMETER;
  }
  m_Hw = static_cast<HwState *>(ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(HwState),
                                                MINWAVERT_POOLTAG));
  if (m_Hw == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  m_PortStream = PortStream;
  m_BlockAlign = Format->nBlockAlign;
  return AllocateBdl(); /* on failure the destructor frees what was made */
}

/* The BDL lives as long as the stream: one contiguous, non-cached page below 4 GiB. */
NTSTATUS CMiniportWaveRTStream::AllocateBdl() {
  PHYSICAL_ADDRESS low, high;
  low.QuadPart = 0;
  high.QuadPart = kDmaHighAddress;
  m_BdlMdl = m_PortStream->AllocateContiguousPagesForMdl(low, high, PAGE_SIZE);
  if (m_BdlMdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  m_Bdl = static_cast<BdlEntry *>(m_PortStream->MapAllocatedPages(m_BdlMdl, MmNonCached));
  if (m_Bdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  RtlZeroMemory(m_Bdl, PAGE_SIZE);
  m_Hw->BdlAddress = m_PortStream->GetPhysicalPageAddress(m_BdlMdl, 0);
  return STATUS_SUCCESS;
}

NTSTATUS CMiniportWaveRTStream::AllocateAudioBuffer(ULONG RequestedSize, PMDL *AudioBufferMdl,
                                                    ULONG *ActualSize,
                                                    ULONG *OffsetFromFirstPage,
                                                    MEMORY_CACHING_TYPE *CacheType) {
  return AllocateBufferWithNotification(1, RequestedSize, AudioBufferMdl, ActualSize,
                                        OffsetFromFirstPage, CacheType);
}

VOID CMiniportWaveRTStream::FreeAudioBuffer(PMDL AudioBufferMdl, ULONG BufferSize) {
  FreeBufferWithNotification(AudioBufferMdl, BufferSize);
}

NTSTATUS CMiniportWaveRTStream::AllocateBufferWithNotification(
    ULONG NotificationCount, ULONG RequestedSize, PMDL *AudioBufferMdl, ULONG *ActualSize,
    ULONG *OffsetFromFirstPage, MEMORY_CACHING_TYPE *CacheType) {
  PAGED_CODE();
  if (AudioBufferMdl == NULL || ActualSize == NULL || OffsetFromFirstPage == NULL ||
      CacheType == NULL || NotificationCount == 0 || NotificationCount > 2 ||
      RequestedSize == 0) {
    return STATUS_INVALID_PARAMETER;
  }
  if (m_BufferMdl != NULL) return STATUS_INVALID_DEVICE_REQUEST; /* one buffer per stream */

  PHYSICAL_ADDRESS high;
  high.QuadPart = kDmaHighAddress;
  PMDL mdl = m_PortStream->AllocatePagesForMdl(high, RequestedSize);
  if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;

  /* Under memory pressure the MDL may describe less than was asked for: use what came back,
   * a whole number of frames per notification period, and at most what one BDL page describes. */
  const ULONG described = MmGetMdlByteCount(mdl);
  ULONG usable = described < RequestedSize ? described : RequestedSize;
#ifdef WAVERT_EXAMPLE_CLASSIC_BUGS
  usable = RequestedSize; /* CLASSIC BUG: the requested size, whatever came back */
#endif
  if (usable > kMaxBdlEntries * PAGE_SIZE) usable = kMaxBdlEntries * PAGE_SIZE;
  usable -= usable % (m_BlockAlign * NotificationCount);
  if (usable == 0) {
    m_PortStream->FreePagesFromMdl(mdl);
    return STATUS_INSUFFICIENT_RESOURCES;
  }

  PVOID buffer = m_PortStream->MapAllocatedPages(mdl, MmWriteCombined); /* HD Audio: WC */
  if (buffer == NULL) {
#ifndef WAVERT_EXAMPLE_CLASSIC_BUGS
    m_PortStream->FreePagesFromMdl(mdl);
#endif /* CLASSIC BUG otherwise: the MDL is leaked */
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  RtlZeroMemory(buffer, described); /* start with silence */

  const NTSTATUS status = BuildBdl(mdl, usable, NotificationCount);
  if (!NT_SUCCESS(status)) {
    m_PortStream->UnmapAllocatedPages(buffer, mdl);
    m_PortStream->FreePagesFromMdl(mdl);
    return status;
  }
  m_BufferMdl = mdl;
  m_Buffer = buffer;
  m_BufferSize = usable;
  *AudioBufferMdl = mdl;
  *ActualSize = usable;
  *OffsetFromFirstPage = 0;
  *CacheType = MmWriteCombined;
  DPF(2, ("minwavert: buffer of %u bytes (%u requested), %u notifications\n", usable,
          RequestedSize, NotificationCount));
  return STATUS_SUCCESS;
}

VOID CMiniportWaveRTStream::FreeBufferWithNotification(PMDL AudioBufferMdl, ULONG BufferSize) {
  PAGED_CODE();
  UNREFERENCED_PARAMETER(BufferSize);
  if (AudioBufferMdl == NULL || AudioBufferMdl != m_BufferMdl) return;
  ExFreePoolWithTag(m_PageAddresses, MINWAVERT_POOLTAG);
  m_PageAddresses = NULL;
  m_PortStream->UnmapAllocatedPages(m_Buffer, m_BufferMdl);
  m_PortStream->FreePagesFromMdl(m_BufferMdl);
  m_BufferMdl = NULL;
  m_Buffer = NULL;
  m_BufferSize = 0;
}

/* The BDL: one entry per page of the buffer, IOC at the end of each notification period. */
NTSTATUS CMiniportWaveRTStream::BuildBdl(PMDL BufferMdl, ULONG BufferSize,
                                         ULONG NotificationCount) {
  const ULONG pages = m_PortStream->GetPhysicalPagesCount(BufferMdl);
  m_PageAddresses = static_cast<PHYSICAL_ADDRESS *>(
      ExAllocatePool2(POOL_FLAG_NON_PAGED, pages * sizeof(PHYSICAL_ADDRESS), MINWAVERT_POOLTAG));
  if (m_PageAddresses == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  RtlZeroMemory(m_Bdl, PAGE_SIZE);
  const ULONG period = BufferSize / NotificationCount;
  ULONG remaining = BufferSize, position = 0, entries = 0;
  for (ULONG i = 0; i < pages && remaining > 0 && entries < kMaxBdlEntries; i++, entries++) {
    m_PageAddresses[i] = m_PortStream->GetPhysicalPageAddress(BufferMdl, i);
    const ULONG length = remaining < PAGE_SIZE ? remaining : PAGE_SIZE;
    m_Bdl[entries].Address = (ULONGLONG)m_PageAddresses[i].QuadPart;
    m_Bdl[entries].Length = length;
    position += length;
    remaining -= length;
    m_Bdl[entries].InterruptOnCompletion = (position % period) < length ? 1 : 0;
  }
  m_Hw->LastValidIndex = entries - 1;
  m_Hw->LinkPosition = 0;
  return STATUS_SUCCESS;
}

VOID CMiniportWaveRTStream::FreeBdl() {
  if (m_Bdl != NULL) m_PortStream->UnmapAllocatedPages(m_Bdl, m_BdlMdl);
  if (m_BdlMdl != NULL) m_PortStream->FreePagesFromMdl(m_BdlMdl);
  m_Bdl = NULL;
  m_BdlMdl = NULL;
}
