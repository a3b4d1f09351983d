/*
 * PortCls's interfaces as C++ abstract classes, the way portcls.h declares them for an
 * MSVC-compiled PortCls and for C++ miniports (DECLARE_INTERFACE_, STDMETHOD_: virtual
 * __stdcall methods, which on x86_64 is the one Microsoft x64 convention). Written from
 * Microsoft's public DDI reference pages, method for method in the documented order; only the
 * types those methods need are declared, with the DDK's sizes.
 *
 * Compiled with clang++ --target=x86_64-pc-windows-msvc this is the MSVC C++ ABI: in particular
 * a struct or union returned from an instance method (GetPhysicalPageAddress's
 * PHYSICAL_ADDRESS) goes through a hidden pointer passed right after `this`.
 */
#ifndef WAVERT_PORTCLS_CXX_H
#define WAVERT_PORTCLS_CXX_H

#include <stdint.h>

typedef int32_t NTSTATUS;
typedef uint32_t ULONG;
typedef uint8_t BOOLEAN;
typedef uint64_t SIZE_T;
typedef void *PVOID;
typedef uint16_t WCHAR;

#define STDMETHODCALLTYPE __stdcall
#define STDMETHOD_(type, name) virtual type STDMETHODCALLTYPE name

typedef union PHYSICAL_ADDRESS {
  struct {
    uint32_t LowPart;
    int32_t HighPart;
  } u;
  int64_t QuadPart;
} PHYSICAL_ADDRESS;

struct GUID {
  uint32_t Data1;
  uint16_t Data2, Data3;
  uint8_t Data4[8];
};

/* wdm.h's MDL on x86_64 (48 bytes): what MmGetMdlByteCount reads. */
struct MDL {
  MDL *Next;
  int16_t Size;
  int16_t MdlFlags;
  PVOID Process;
  PVOID MappedSystemVa;
  PVOID StartVa;
  ULONG ByteCount;
  ULONG ByteOffset;
};
typedef MDL *PMDL;
static_assert(sizeof(MDL) == 48, "MDL as in wdm.h");

typedef int32_t MEMORY_CACHING_TYPE; /* MmNonCached 0, MmCached 1, MmWriteCombined 2 */
typedef int32_t KSSTATE;             /* KSSTATE_STOP 0 ... KSSTATE_RUN 3 */
struct KSDATAFORMAT;
struct PCFILTER_DESCRIPTOR;
struct DEVICE_DESCRIPTION;
struct KSAUDIO_POSITION {
  uint64_t PlayOffset, WriteOffset;
};
struct KSRTAUDIO_HWLATENCY {
  ULONG FifoSize, ChipsetDelay, CodecDelay;
};
struct KSRTAUDIO_HWREGISTER {
  PVOID Register;
  ULONG Width;
  uint64_t Numerator, Denominator;
  ULONG Accuracy;
};

struct IUnknown {
  STDMETHOD_(NTSTATUS, QueryInterface)(const GUID &InterfaceId, PVOID *Interface) = 0;
  STDMETHOD_(ULONG, AddRef)() = 0;
  STDMETHOD_(ULONG, Release)() = 0;
};

struct IPortWaveRTStream : IUnknown {
  STDMETHOD_(PMDL, AllocatePagesForMdl)(PHYSICAL_ADDRESS HighAddress, SIZE_T TotalBytes) = 0;
  STDMETHOD_(PMDL, AllocateContiguousPagesForMdl)(PHYSICAL_ADDRESS LowAddress,
                                                  PHYSICAL_ADDRESS HighAddress,
                                                  SIZE_T TotalBytes) = 0;
  STDMETHOD_(PVOID, MapAllocatedPages)(PMDL MemoryDescriptorList,
                                       MEMORY_CACHING_TYPE CacheType) = 0;
  STDMETHOD_(void, UnmapAllocatedPages)(PVOID BaseAddress, PMDL MemoryDescriptorList) = 0;
  STDMETHOD_(void, FreePagesFromMdl)(PMDL MemoryDescriptorList) = 0;
  STDMETHOD_(ULONG, GetPhysicalPagesCount)(PMDL MemoryDescriptorList) = 0;
  STDMETHOD_(PHYSICAL_ADDRESS, GetPhysicalPageAddress)(PMDL MemoryDescriptorList,
                                                       ULONG Index) = 0;
};

/* IPort's three methods; IPortWaveRT adds none. */
struct IPortWaveRT : IUnknown {
  STDMETHOD_(NTSTATUS, Init)(PVOID DeviceObject, PVOID Irp, IUnknown *UnknownMiniport,
                             IUnknown *UnknownAdapter, IUnknown *ResourceList) = 0;
  STDMETHOD_(NTSTATUS, GetDeviceProperty)(int32_t DeviceProperty, ULONG BufferLength,
                                          PVOID PropertyBuffer, ULONG *ResultLength) = 0;
  STDMETHOD_(NTSTATUS, NewRegistryKey)(IUnknown **OutRegistryKey, IUnknown *OuterUnknown,
                                       ULONG RegistryKeyType, ULONG DesiredAccess,
                                       PVOID ObjectAttributes, ULONG CreateOptions,
                                       ULONG *Disposition) = 0;
};

struct IMiniportWaveRTStream : IUnknown {
  STDMETHOD_(NTSTATUS, SetFormat)(KSDATAFORMAT *DataFormat) = 0;
  STDMETHOD_(NTSTATUS, SetState)(KSSTATE State) = 0;
  STDMETHOD_(NTSTATUS, GetPosition)(KSAUDIO_POSITION *Position) = 0;
  STDMETHOD_(NTSTATUS, AllocateAudioBuffer)(ULONG RequestedSize, PMDL *AudioBufferMdl,
                                            ULONG *ActualSize, ULONG *OffsetFromFirstPage,
                                            MEMORY_CACHING_TYPE *CacheType) = 0;
  STDMETHOD_(void, FreeAudioBuffer)(PMDL AudioBufferMdl, ULONG BufferSize) = 0;
  STDMETHOD_(void, GetHWLatency)(KSRTAUDIO_HWLATENCY *HwLatency) = 0;
  STDMETHOD_(NTSTATUS, GetPositionRegister)(KSRTAUDIO_HWREGISTER *Register) = 0;
  STDMETHOD_(NTSTATUS, GetClockRegister)(KSRTAUDIO_HWREGISTER *Register) = 0;
};

struct IMiniport : IUnknown {
  STDMETHOD_(NTSTATUS, GetDescription)(const PCFILTER_DESCRIPTOR **Description) = 0;
  STDMETHOD_(NTSTATUS, DataRangeIntersection)(ULONG PinId, KSDATAFORMAT *DataRange,
                                              KSDATAFORMAT *MatchingDataRange,
                                              ULONG OutputBufferLength, PVOID ResultantFormat,
                                              ULONG *ResultantFormatLength) = 0;
};

struct IMiniportWaveRT : IMiniport {
  STDMETHOD_(NTSTATUS, Init)(IUnknown *UnknownAdapter, IUnknown *ResourceList,
                             IPortWaveRT *Port) = 0;
  STDMETHOD_(NTSTATUS, NewStream)(IMiniportWaveRTStream **Stream, IPortWaveRTStream *PortStream,
                                  ULONG Pin, BOOLEAN Capture, KSDATAFORMAT *DataFormat) = 0;
  STDMETHOD_(NTSTATUS, GetDeviceDescription)(DEVICE_DESCRIPTION *DeviceDescription) = 0;
};

#endif /* WAVERT_PORTCLS_CXX_H */
