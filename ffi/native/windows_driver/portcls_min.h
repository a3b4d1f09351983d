/*
 * The part of the PortCls DDI the WaveRT test driver uses, declared in C from Microsoft's public
 * DDI reference (portcls.h pages: IPort, IPortWaveRT, IPortWaveRTStream, IMiniport,
 * IMiniportWaveRT, IMiniportWaveRTStream, PCFILTER_DESCRIPTOR, PCPIN_DESCRIPTOR, PcNewPort,
 * PcInitializeAdapterDriver, PcAddAdapterDevice, PcRegisterSubdevice, PcDispatchIrp; ksmedia.h
 * pages: KSDATARANGE_AUDIO, KSAUDIO_POSITION, KSRTAUDIO_HWLATENCY, KSRTAUDIO_HWREGISTER).
 *
 * Why our own: mingw-w64 ships a portcls.h (ReactOS's), but in C it does not compile here: it
 * needs KSRTAUDIO_* types its ksmedia.h lacks, and that ksmedia.h needs user-mode types (TCHAR,
 * FLOAT, RECT, ...) a kernel build does not have. Only what the driver calls is declared.
 *
 * The vtables list every method in the documented order, because the order is the binary
 * interface; methods the driver never calls keep a typed slot all the same. x86_64 has a single
 * calling convention for C, so no STDMETHODCALLTYPE is needed; but these are C++ methods of
 * MSVC-compiled objects, and where MSVC's C++ ABI differs from C (struct returns from instance
 * methods) the slot says so. ffi/native/msvc_abi/ checks every slot against MSVC-ABI C++.
 */
#ifndef WAVERT_PORTCLS_MIN_H
#define WAVERT_PORTCLS_MIN_H

#include <ntddk.h>
#include <ks.h>

#include "../wavert_guids.h"
#include "../wrt_port_wavert_stream.h"

/* ksmedia.h types */
typedef struct {
  KSDATARANGE DataRange;
  ULONG MaximumChannels;
  ULONG MinimumBitsPerSample;
  ULONG MaximumBitsPerSample;
  ULONG MinimumSampleFrequency;
  ULONG MaximumSampleFrequency;
} WRT_KSDATARANGE_AUDIO;

typedef struct {
  ULONGLONG PlayOffset;
  ULONGLONG WriteOffset;
} WRT_KSAUDIO_POSITION;

typedef struct {
  ULONG FifoSize;
  ULONG ChipsetDelay;
  ULONG CodecDelay;
} WRT_KSRTAUDIO_HWLATENCY;

typedef struct {
  PVOID Register;
  ULONG Width;
  ULONGLONG Numerator;
  ULONGLONG Denominator;
  ULONG Accuracy;
} WRT_KSRTAUDIO_HWREGISTER;

/* Filter descriptors. Property, method and event items are never declared by this driver. */
typedef struct {
  ULONG PropertyItemSize;
  ULONG PropertyCount;
  const void *Properties;
  ULONG MethodItemSize;
  ULONG MethodCount;
  const void *Methods;
  ULONG EventItemSize;
  ULONG EventCount;
  const void *Events;
  ULONG Reserved;
} PCAUTOMATION_TABLE;

typedef struct {
  ULONG MaxGlobalInstanceCount;
  ULONG MaxFilterInstanceCount;
  ULONG MinFilterInstanceCount;
  const PCAUTOMATION_TABLE *AutomationTable;
  KSPIN_DESCRIPTOR KsPinDescriptor;
} PCPIN_DESCRIPTOR;

typedef struct {
  ULONG Flags;
  const PCAUTOMATION_TABLE *AutomationTable;
  const GUID *Type;
  const GUID *Name;
} PCNODE_DESCRIPTOR;

typedef struct {
  ULONG FromNode;
  ULONG FromNodePin;
  ULONG ToNode;
  ULONG ToNodePin;
} PCCONNECTION_DESCRIPTOR;

typedef struct {
  ULONG Version;
  const PCAUTOMATION_TABLE *AutomationTable;
  ULONG PinSize;
  ULONG PinCount;
  const PCPIN_DESCRIPTOR *Pins;
  ULONG NodeSize;
  ULONG NodeCount;
  const PCNODE_DESCRIPTOR *Nodes;
  ULONG ConnectionCount;
  const PCCONNECTION_DESCRIPTOR *Connections;
  ULONG CategoryCount;
  const GUID *Categories;
} PCFILTER_DESCRIPTOR;

/* COM objects in kernel mode: a pointer to a vtable first. QueryInterface returns NTSTATUS. */
typedef struct IUnknownK IUnknownK;
typedef struct IUnknownKVtbl {
  NTSTATUS (*QueryInterface)(IUnknownK *This, const GUID *InterfaceId, PVOID *Interface);
  ULONG (*AddRef)(IUnknownK *This);
  ULONG (*Release)(IUnknownK *This);
} IUnknownKVtbl;
struct IUnknownK {
  const IUnknownKVtbl *lpVtbl;
};

/* IResourceList is only passed from StartDevice to IPort::Init, never called. */
typedef IUnknownK IResourceList;

typedef struct IPortWaveRTStream IPortWaveRTStream;
typedef struct IPortWaveRTStreamVtbl {
  NTSTATUS (*QueryInterface)(IPortWaveRTStream *This, const GUID *InterfaceId, PVOID *Interface);
  ULONG (*AddRef)(IPortWaveRTStream *This);
  ULONG (*Release)(IPortWaveRTStream *This);
  WRT_IPORTWAVERTSTREAM_METHODS(WRT_IPORTWAVERTSTREAM_C_SLOT)
  /* Documented as returning PHYSICAL_ADDRESS, but PortCls is MSVC-compiled C++, and MSVC
   * returns any struct or union from an instance method through a hidden pointer passed right
   * after `this`, handing that pointer back in RAX (ReactOS's portcls.h spells the parameter
   * out the same way). Declared as returning the value, Index would arrive as the MDL. */
  PHYSICAL_ADDRESS *(*GetPhysicalPageAddress)(IPortWaveRTStream *This, PHYSICAL_ADDRESS *Result,
                                              PMDL MemoryDescriptorList, ULONG Index);
} IPortWaveRTStreamVtbl;
struct IPortWaveRTStream {
  const IPortWaveRTStreamVtbl *lpVtbl;
};

/* IPortWaveRT adds nothing to IPort. */
typedef struct IPortWaveRT IPortWaveRT;
typedef struct IPortWaveRTVtbl {
  NTSTATUS (*QueryInterface)(IPortWaveRT *This, const GUID *InterfaceId, PVOID *Interface);
  ULONG (*AddRef)(IPortWaveRT *This);
  ULONG (*Release)(IPortWaveRT *This);
  NTSTATUS (*Init)(IPortWaveRT *This, PDEVICE_OBJECT DeviceObject, PIRP Irp,
                   IUnknownK *UnknownMiniport, IUnknownK *UnknownAdapter,
                   IResourceList *ResourceList);
  NTSTATUS (*GetDeviceProperty)(IPortWaveRT *This, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength);
  NTSTATUS (*NewRegistryKey)(IPortWaveRT *This, IUnknownK **OutRegistryKey,
                             IUnknownK *OuterUnknown, ULONG RegistryKeyType,
                             ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             ULONG CreateOptions, PULONG Disposition);
} IPortWaveRTVtbl;
struct IPortWaveRT {
  const IPortWaveRTVtbl *lpVtbl;
};

typedef struct IMiniportWaveRTStream IMiniportWaveRTStream;
typedef struct IMiniportWaveRTStreamVtbl {
  NTSTATUS (*QueryInterface)(IMiniportWaveRTStream *This, const GUID *InterfaceId,
                             PVOID *Interface);
  ULONG (*AddRef)(IMiniportWaveRTStream *This);
  ULONG (*Release)(IMiniportWaveRTStream *This);
  NTSTATUS (*SetFormat)(IMiniportWaveRTStream *This, PKSDATAFORMAT DataFormat);
  NTSTATUS (*SetState)(IMiniportWaveRTStream *This, KSSTATE State);
  NTSTATUS (*GetPosition)(IMiniportWaveRTStream *This, WRT_KSAUDIO_POSITION *Position);
  NTSTATUS (*AllocateAudioBuffer)(IMiniportWaveRTStream *This, ULONG RequestedSize,
                                  PMDL *AudioBufferMdl, ULONG *ActualSize,
                                  ULONG *OffsetFromFirstPage, MEMORY_CACHING_TYPE *CacheType);
  VOID (*FreeAudioBuffer)(IMiniportWaveRTStream *This, PMDL AudioBufferMdl, ULONG BufferSize);
  VOID (*GetHWLatency)(IMiniportWaveRTStream *This, WRT_KSRTAUDIO_HWLATENCY *HwLatency);
  NTSTATUS (*GetPositionRegister)(IMiniportWaveRTStream *This,
                                  WRT_KSRTAUDIO_HWREGISTER *Register);
  NTSTATUS (*GetClockRegister)(IMiniportWaveRTStream *This, WRT_KSRTAUDIO_HWREGISTER *Register);
} IMiniportWaveRTStreamVtbl;
struct IMiniportWaveRTStream {
  const IMiniportWaveRTStreamVtbl *lpVtbl;
};

/* IMiniport's two methods, then IMiniportWaveRT's three. */
typedef struct IMiniportWaveRT IMiniportWaveRT;
typedef struct IMiniportWaveRTVtbl {
  NTSTATUS (*QueryInterface)(IMiniportWaveRT *This, const GUID *InterfaceId, PVOID *Interface);
  ULONG (*AddRef)(IMiniportWaveRT *This);
  ULONG (*Release)(IMiniportWaveRT *This);
  NTSTATUS (*GetDescription)(IMiniportWaveRT *This, const PCFILTER_DESCRIPTOR **Description);
  NTSTATUS (*DataRangeIntersection)(IMiniportWaveRT *This, ULONG PinId, PKSDATARANGE DataRange,
                                    PKSDATARANGE MatchingDataRange, ULONG OutputBufferLength,
                                    PVOID ResultantFormat, PULONG ResultantFormatLength);
  NTSTATUS (*Init)(IMiniportWaveRT *This, IUnknownK *UnknownAdapter,
                   IResourceList *ResourceList, IPortWaveRT *Port);
  NTSTATUS (*NewStream)(IMiniportWaveRT *This, IMiniportWaveRTStream **Stream,
                        IPortWaveRTStream *PortStream, ULONG Pin, BOOLEAN Capture,
                        PKSDATAFORMAT DataFormat);
  NTSTATUS (*GetDeviceDescription)(IMiniportWaveRT *This, PDEVICE_DESCRIPTION DeviceDescription);
} IMiniportWaveRTVtbl;
struct IMiniportWaveRT {
  const IMiniportWaveRTVtbl *lpVtbl;
};

/* portcls.sys exports (import library generated from portcls.def). */
typedef NTSTATUS (*PCPFNSTARTDEVICE)(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                     IResourceList *ResourceList);
NTSTATUS PcInitializeAdapterDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPathName,
                                   PDRIVER_ADD_DEVICE AddDevice);
NTSTATUS PcAddAdapterDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject,
                            PCPFNSTARTDEVICE StartDevice, ULONG MaxObjects,
                            ULONG DeviceExtensionSize);
NTSTATUS PcNewPort(IPortWaveRT **OutPort, const GUID *ClassId);
NTSTATUS PcRegisterSubdevice(PDEVICE_OBJECT DeviceObject, PWSTR Name, IUnknownK *Unknown);

#endif /* WAVERT_PORTCLS_MIN_H */
