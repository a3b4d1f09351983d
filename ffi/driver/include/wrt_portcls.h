/*
 * The part of PortCls a WaveRT miniport's stream buffer code sees, declared from Microsoft's
 * public DDI reference (portcls.h: IPortWaveRTStream and its seven methods, IMiniportWaveRTStream::
 * AllocateAudioBuffer / FreeAudioBuffer, IMiniportWaveRTStreamNotification::
 * AllocateBufferWithNotification / FreeBufferWithNotification; mmreg.h: WAVEFORMATEX).
 *
 * IPortWaveRTStream exists twice with one binary layout: as a C++ abstract class (C++ drivers call
 * Port->AllocatePagesForMdl(...)) and as a C struct whose first member points to a table of
 * function pointers (C drivers call Port->lpVtbl->AllocatePagesForMdl(Port, ...)). The method order
 * is the binary interface; kernel COM has no virtual destructor, so the C++ vtable and the C table
 * line up slot for slot. x86_64 and aarch64 have one calling convention, so STDMETHODCALLTYPE is
 * empty.
 */
#ifndef WRT_PORTCLS_H
#define WRT_PORTCLS_H

#include "wrt_wdm.h"

/* The method list both PortCls header sets share (the Windows test driver's is the other). */
#include "../../native/wrt_port_wavert_stream.h"

typedef struct _GUID {
  ULONG Data1;
  USHORT Data2;
  USHORT Data3;
  UCHAR Data4[8];
} GUID;
#ifdef __cplusplus
typedef const GUID &REFIID;
#else
typedef const GUID *REFIID;
#endif

#define STDMETHODCALLTYPE
#define STDMETHODIMP NTSTATUS
#define STDMETHODIMP_(type) type
#define STDMETHOD(method) virtual NTSTATUS method
#define STDMETHOD_(type, method) virtual type method

/* mmreg.h, byte-packed as there. */
#pragma pack(push, 1)
typedef struct tWAVEFORMATEX {
  USHORT wFormatTag;
  USHORT nChannels;
  ULONG nSamplesPerSec;
  ULONG nAvgBytesPerSec;
  USHORT nBlockAlign;
  USHORT wBitsPerSample;
  USHORT cbSize;
} WAVEFORMATEX, *PWAVEFORMATEX;
#pragma pack(pop)
#define WAVE_FORMAT_PCM 1
WRT_STATIC_ASSERT(sizeof(WAVEFORMATEX) == 18, "WAVEFORMATEX is 18 bytes");

#ifdef __cplusplus

/* Kernel-mode IUnknown: QueryInterface returns NTSTATUS. */
class IUnknown {
public:
  virtual NTSTATUS QueryInterface(REFIID InterfaceId, PVOID *Interface) = 0;
  virtual ULONG AddRef() = 0;
  virtual ULONG Release() = 0;
};

#define WRT_PURE_METHOD(type, name, ...) virtual type name(__VA_ARGS__) = 0;
class IPortWaveRTStream : public IUnknown {
public:
  WRT_IPORTWAVERTSTREAM_METHODS(WRT_PURE_METHOD)
  virtual PHYSICAL_ADDRESS GetPhysicalPageAddress(PMDL MemoryDescriptorList, ULONG Index) = 0;
};
#undef WRT_PURE_METHOD

#else /* C */

typedef struct IPortWaveRTStream IPortWaveRTStream;
typedef struct IPortWaveRTStreamVtbl {
  NTSTATUS (*QueryInterface)(IPortWaveRTStream *This, REFIID InterfaceId, PVOID *Interface);
  ULONG (*AddRef)(IPortWaveRTStream *This);
  ULONG (*Release)(IPortWaveRTStream *This);
  WRT_IPORTWAVERTSTREAM_METHODS(WRT_IPORTWAVERTSTREAM_C_SLOT)
  /* The Itanium C++ ABI of the harness's port returns the union in a register, as C does. */
  PHYSICAL_ADDRESS (*GetPhysicalPageAddress)(IPortWaveRTStream *This, PMDL MemoryDescriptorList,
                                             ULONG Index);
} IPortWaveRTStreamVtbl;
struct IPortWaveRTStream {
  const IPortWaveRTStreamVtbl *lpVtbl;
};

#endif /* __cplusplus */

typedef IPortWaveRTStream *PPORTWAVERTSTREAM;

/*
 * The buffer methods of IMiniportWaveRTStream (AllocateAudioBuffer, FreeAudioBuffer) and of
 * IMiniportWaveRTStreamNotification (AllocateBufferWithNotification, FreeBufferWithNotification),
 * with the DDI's parameters. A miniport stream class declares them with exactly these signatures;
 * the harness reaches them through the entry ABI of wrt_driver_abi.h. C drivers use the function
 * types below, with the stream object first.
 */
#ifdef __cplusplus
class IMiniportWaveRTStreamBuffers {
public:
  virtual NTSTATUS AllocateAudioBuffer(ULONG RequestedSize, PMDL *AudioBufferMdl, ULONG *ActualSize,
                                       ULONG *OffsetFromFirstPage,
                                       MEMORY_CACHING_TYPE *CacheType) = 0;
  virtual VOID FreeAudioBuffer(PMDL AudioBufferMdl, ULONG BufferSize) = 0;
  virtual NTSTATUS AllocateBufferWithNotification(ULONG NotificationCount, ULONG RequestedSize,
                                                  PMDL *AudioBufferMdl, ULONG *ActualSize,
                                                  ULONG *OffsetFromFirstPage,
                                                  MEMORY_CACHING_TYPE *CacheType) = 0;
  virtual VOID FreeBufferWithNotification(PMDL AudioBufferMdl, ULONG BufferSize) = 0;
};
#endif
typedef NTSTATUS (*PFN_WRT_ALLOCATE_AUDIO_BUFFER)(void *Stream, ULONG RequestedSize,
                                                  PMDL *AudioBufferMdl, ULONG *ActualSize,
                                                  ULONG *OffsetFromFirstPage,
                                                  MEMORY_CACHING_TYPE *CacheType);
typedef VOID (*PFN_WRT_FREE_AUDIO_BUFFER)(void *Stream, PMDL AudioBufferMdl, ULONG BufferSize);
typedef NTSTATUS (*PFN_WRT_ALLOCATE_BUFFER_WITH_NOTIFICATION)(
    void *Stream, ULONG NotificationCount, ULONG RequestedSize, PMDL *AudioBufferMdl,
    ULONG *ActualSize, ULONG *OffsetFromFirstPage, MEMORY_CACHING_TYPE *CacheType);
typedef VOID (*PFN_WRT_FREE_BUFFER_WITH_NOTIFICATION)(void *Stream, PMDL AudioBufferMdl,
                                                     ULONG BufferSize);

#endif /* WRT_PORTCLS_H */
