/*
 * wavert_test.sys: a minimal PortCls WaveRT miniport (one render pin) that keeps the
 * IPortWaveRTStream PortCls hands it when a stream opens, and exposes wavert_protocol.h on a
 * control device (\\.\WaveRtTest) so the user-mode helper can make exactly the
 * IPortWaveRTStream calls a test asks for and read back what Windows did.
 *
 * This file is the Windows side: PortCls objects, the control device and its IRPs. What a request
 * does is session.c (tested natively on Linux through a fake stream). Rules it keeps:
 *  - METHOD_BUFFERED only: requests arrive in the I/O manager's system buffer, are copied and
 *    validated (length, magic, version, operation, fields) before use; no user-mode pointer is
 *    ever dereferenced, and kernel addresses leave only as numbers;
 *  - allocations belong to the file handle that made them and are addressed by a handle with a
 *    generation, so a stale, foreign or forged handle is refused; IRP_MJ_CLEANUP (the last user
 *    handle closed, also on process exit) unmaps and frees everything the handle still holds;
 *  - every IPortWaveRTStream call runs at PASSIVE_LEVEL, as the DDI requires: the locks are
 *    KMUTEXes, which do not raise IRQL (a FAST_MUTEX would raise it to APC_LEVEL);
 *  - the driver-side duration of each call is KeQueryPerformanceCounter around the call alone.
 *
 * The stream itself has no hardware behind it: its position never advances. It exists so PortCls
 * creates an IPortWaveRTStream; audio played to the endpoint is silent.
 *
 * Built with mingw-w64 (see ffi/build_windows.ts); it has never been loaded by this project's
 * CI, which has no Windows machine.
 */
#include "portcls_min.h"
#include "../wavert_protocol.h"
#include "session.h"

/* Pool tag "WRtt" as pool tools show it (the first character is the low byte). */
#define POOL_TAG ((ULONG)'W' | (ULONG)'R' << 8 | (ULONG)'t' << 16 | (ULONG)'t' << 24)

_Static_assert(WRTP_IOCTL(WRTP_OP_VERSION) ==
                   CTL_CODE(WRTP_DEVICE_TYPE, WRTP_FUNCTION_BASE + WRTP_OP_VERSION,
                            METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA),
               "WRTP_CTL_CODE matches the DDK's CTL_CODE");

static const GUID iid_unknown = WRT_GUID_IUNKNOWN;
static const GUID iid_miniport = WRT_GUID_IMINIPORT;
static const GUID iid_miniport_wave_rt = WRT_GUID_IMINIPORTWAVERT;
static const GUID iid_miniport_wave_rt_stream = WRT_GUID_IMINIPORTWAVERTSTREAM;
static const GUID clsid_port_wave_rt = WRT_GUID_CLSID_PORTWAVERT;
static const GUID category_audio = WRT_GUID_KSCATEGORY_AUDIO;

/* The one adapter this driver supports. */
static PDEVICE_OBJECT control_device;
static UNICODE_STRING control_name;
static UNICODE_STRING control_link;
static PDRIVER_DISPATCH portcls_dispatch[IRP_MJ_MAXIMUM_FUNCTION + 1];

/* The IPortWaveRTStream of the newest open stream (referenced), under stream_lock. */
static KMUTEX stream_lock;
static IPortWaveRTStream *current_stream;
static PVOID current_owner; /* the miniport stream that handed it over */

/* ---- IPortWaveRTStream behind session.c's wrts_ops ---- */

static void acquire(KMUTEX *mutex) {
  KeWaitForSingleObject(mutex, Executive, KernelMode, FALSE, NULL);
}

static void release(KMUTEX *mutex) { KeReleaseMutex(mutex, FALSE); }

static IPortWaveRTStream *port_of(void *stream) { return (IPortWaveRTStream *)stream; }

static PHYSICAL_ADDRESS physical(uint64_t address) {
  PHYSICAL_ADDRESS value;
  value.QuadPart = (LONGLONG)address;
  return value;
}

static void *op_current_stream(void) {
  acquire(&stream_lock);
  IPortWaveRTStream *stream = current_stream;
  if (stream != NULL) stream->lpVtbl->AddRef(stream);
  release(&stream_lock);
  return stream;
}

static void op_release_stream(void *stream) { port_of(stream)->lpVtbl->Release(port_of(stream)); }

static void *op_allocate_pages(void *stream, uint64_t high, uint64_t total) {
  return port_of(stream)->lpVtbl->AllocatePagesForMdl(port_of(stream), physical(high),
                                                      (SIZE_T)total);
}

static void *op_allocate_contiguous(void *stream, uint64_t low, uint64_t high, uint64_t total) {
  return port_of(stream)->lpVtbl->AllocateContiguousPagesForMdl(port_of(stream), physical(low),
                                                                physical(high), (SIZE_T)total);
}

static void *op_map(void *stream, void *mdl, uint32_t cache_type) {
  return port_of(stream)->lpVtbl->MapAllocatedPages(port_of(stream), (PMDL)mdl,
                                                    (MEMORY_CACHING_TYPE)cache_type);
}

static void op_unmap(void *stream, void *base, void *mdl) {
  port_of(stream)->lpVtbl->UnmapAllocatedPages(port_of(stream), base, (PMDL)mdl);
}

static void op_free_pages(void *stream, void *mdl) {
  port_of(stream)->lpVtbl->FreePagesFromMdl(port_of(stream), (PMDL)mdl);
}

static uint32_t op_page_count(void *stream, void *mdl) {
  return port_of(stream)->lpVtbl->GetPhysicalPagesCount(port_of(stream), (PMDL)mdl);
}

static uint64_t op_page_address(void *stream, void *mdl, uint32_t index) {
  PHYSICAL_ADDRESS address =
      port_of(stream)->lpVtbl->GetPhysicalPageAddress(port_of(stream), (PMDL)mdl, index);
  return (uint64_t)address.QuadPart;
}

static uint64_t op_byte_count(void *mdl) { return MmGetMdlByteCount((PMDL)mdl); }

static uint32_t op_mdl_flags(void *mdl) { return (uint32_t)(USHORT)((PMDL)mdl)->MdlFlags; }

static uint64_t op_ticks(uint64_t *frequency) {
  LARGE_INTEGER freq;
  LARGE_INTEGER now = KeQueryPerformanceCounter(&freq);
  if (frequency != NULL) *frequency = (uint64_t)freq.QuadPart;
  return (uint64_t)now.QuadPart;
}

static const wrts_ops port_ops = {
    .current_stream = op_current_stream,
    .release_stream = op_release_stream,
    .allocate_pages = op_allocate_pages,
    .allocate_contiguous = op_allocate_contiguous,
    .map = op_map,
    .unmap = op_unmap,
    .free_pages = op_free_pages,
    .page_count = op_page_count,
    .page_address = op_page_address,
    .byte_count = op_byte_count,
    .mdl_flags = op_mdl_flags,
    .ticks = op_ticks,
    .page_size = PAGE_SIZE,
};

/* ---- the control device: one session per open handle ---- */

typedef struct session {
  KMUTEX lock; /* one request at a time per handle; a KMUTEX keeps PASSIVE_LEVEL */
  wrts_session core;
} session;

static NTSTATUS device_control(session *s, PIRP irp, PIO_STACK_LOCATION stack) {
  ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
  if ((code >> 16) != WRTP_DEVICE_TYPE || (code & 3u) != WRTP_METHOD_BUFFERED) {
    return STATUS_INVALID_DEVICE_REQUEST;
  }
  /* The answer always has its full size: a caller that cannot take it is refused outright. */
  if (stack->Parameters.DeviceIoControl.OutputBufferLength != sizeof(wrtp_response)) {
    return STATUS_INVALID_BUFFER_SIZE;
  }
  acquire(&s->lock);
  wrts_handle_ioctl(&s->core, code, irp->AssociatedIrp.SystemBuffer,
                    stack->Parameters.DeviceIoControl.InputBufferLength);
  release(&s->lock);
  irp->IoStatus.Information = sizeof(wrtp_response);
  return STATUS_SUCCESS;
}

static NTSTATUS complete(PIRP irp, NTSTATUS status) {
  irp->IoStatus.Status = status;
  if (!NT_SUCCESS(status)) irp->IoStatus.Information = 0;
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  return status;
}

/* IRPs for the control device; everything else goes to PortCls. */
static NTSTATUS control_dispatch(PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  PFILE_OBJECT file = stack->FileObject;
  session *s = file != NULL ? (session *)file->FsContext : NULL;
  irp->IoStatus.Information = 0;
  switch (stack->MajorFunction) {
    case IRP_MJ_CREATE: {
      s = ExAllocatePoolWithTag(NonPagedPool, sizeof *s, POOL_TAG);
      if (s == NULL) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
      KeInitializeMutex(&s->lock, 0);
      wrts_session_init(&s->core, &port_ops);
      file->FsContext = s;
      return complete(irp, STATUS_SUCCESS);
    }
    case IRP_MJ_CLEANUP:
      /* The last user handle is closed (also when its process dies): free what it holds. */
      if (s != NULL) {
        acquire(&s->lock);
        wrts_session_cleanup(&s->core);
        release(&s->lock);
      }
      return complete(irp, STATUS_SUCCESS);
    case IRP_MJ_CLOSE:
      if (s != NULL) {
        file->FsContext = NULL;
        ExFreePoolWithTag(s, POOL_TAG);
      }
      return complete(irp, STATUS_SUCCESS);
    case IRP_MJ_DEVICE_CONTROL:
      if (s == NULL) return complete(irp, STATUS_INVALID_HANDLE);
      return complete(irp, device_control(s, irp, stack));
    default: return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
  }
}

static void delete_control_device(void) {
  if (control_device == NULL) return;
  IoDeleteSymbolicLink(&control_link);
  IoDeleteDevice(control_device);
  control_device = NULL;
}

static NTSTATUS dispatch(PDEVICE_OBJECT device, PIRP irp) {
  /* By type, not by pointer: after the adapter's removal the control device may still get the
   * cleanup and close of handles left open, and those must never reach PortCls. */
  if (device->DeviceType == WRTP_DEVICE_TYPE) return control_dispatch(irp);
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  /* The control device must go with the adapter, or the driver could never unload. */
  if (stack->MajorFunction == IRP_MJ_PNP && stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
    delete_control_device();
  }
  return portcls_dispatch[stack->MajorFunction](device, irp);
}

static NTSTATUS create_control_device(PDRIVER_OBJECT driver) {
  if (control_device != NULL) return STATUS_SUCCESS;
  RtlInitUnicodeString(&control_name, WRTP_DEVICE_NAME);
  RtlInitUnicodeString(&control_link, WRTP_DOS_DEVICE_NAME);
  PDEVICE_OBJECT device;
  NTSTATUS status = IoCreateDevice(driver, 0, &control_name, WRTP_DEVICE_TYPE,
                                   FILE_DEVICE_SECURE_OPEN, FALSE, &device);
  if (!NT_SUCCESS(status)) return status;
  status = IoCreateSymbolicLink(&control_link, &control_name);
  if (!NT_SUCCESS(status)) {
    IoDeleteDevice(device);
    return status;
  }
  device->Flags |= DO_BUFFERED_IO;
  device->Flags &= ~DO_DEVICE_INITIALIZING;
  control_device = device;
  return STATUS_SUCCESS;
}

/* ---- the miniport stream ---- */

typedef struct rt_stream {
  IMiniportWaveRTStream iface;
  LONG references;
  IPortWaveRTStream *port_stream;
} rt_stream;

static NTSTATUS stream_query(IMiniportWaveRTStream *self, const GUID *id, PVOID *out) {
  if (RtlCompareMemory(id, &iid_unknown, sizeof *id) == sizeof *id ||
      RtlCompareMemory(id, &iid_miniport_wave_rt_stream, sizeof *id) == sizeof *id) {
    self->lpVtbl->AddRef(self);
    *out = self;
    return STATUS_SUCCESS;
  }
  *out = NULL;
  return STATUS_NOINTERFACE;
}

static ULONG stream_add_ref(IMiniportWaveRTStream *self) {
  return (ULONG)InterlockedIncrement(&((rt_stream *)self)->references);
}

static ULONG stream_release(IMiniportWaveRTStream *self) {
  rt_stream *s = (rt_stream *)self;
  LONG left = InterlockedDecrement(&s->references);
  if (left == 0) {
    acquire(&stream_lock);
    if (current_owner == s) {
      current_stream->lpVtbl->Release(current_stream);
      current_stream = NULL;
      current_owner = NULL;
    }
    release(&stream_lock);
    s->port_stream->lpVtbl->Release(s->port_stream);
    ExFreePoolWithTag(s, POOL_TAG);
  }
  return (ULONG)left;
}

static NTSTATUS stream_set_format(IMiniportWaveRTStream *self, PKSDATAFORMAT format) {
  (void)self;
  (void)format;
  return STATUS_NOT_SUPPORTED; /* the one format of the data range only */
}

static NTSTATUS stream_set_state(IMiniportWaveRTStream *self, KSSTATE state) {
  (void)self;
  (void)state;
  return STATUS_SUCCESS;
}

static NTSTATUS stream_get_position(IMiniportWaveRTStream *self, WRT_KSAUDIO_POSITION *position) {
  (void)self;
  position->PlayOffset = 0; /* no hardware: the position never advances */
  position->WriteOffset = 0;
  return STATUS_SUCCESS;
}

/* The cyclic buffer, allocated the way Microsoft's sample does (below 4 GB, cached). */
static NTSTATUS stream_allocate_buffer(IMiniportWaveRTStream *self, ULONG requested, PMDL *mdl,
                                       ULONG *actual, ULONG *offset, MEMORY_CACHING_TYPE *cache) {
  IPortWaveRTStream *port = ((rt_stream *)self)->port_stream;
  PHYSICAL_ADDRESS high;
  high.QuadPart = 0xFFFFFFFFLL;
  PMDL buffer = port->lpVtbl->AllocatePagesForMdl(port, high, requested);
  if (buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  *mdl = buffer;
  *actual = MmGetMdlByteCount(buffer) < requested ? MmGetMdlByteCount(buffer) : requested;
  *offset = 0;
  *cache = MmCached;
  return STATUS_SUCCESS;
}

static VOID stream_free_buffer(IMiniportWaveRTStream *self, PMDL mdl, ULONG size) {
  (void)size;
  IPortWaveRTStream *port = ((rt_stream *)self)->port_stream;
  port->lpVtbl->FreePagesFromMdl(port, mdl);
}

static VOID stream_latency(IMiniportWaveRTStream *self, WRT_KSRTAUDIO_HWLATENCY *latency) {
  (void)self;
  RtlZeroMemory(latency, sizeof *latency);
}

static NTSTATUS stream_no_register(IMiniportWaveRTStream *self, WRT_KSRTAUDIO_HWREGISTER *reg) {
  (void)self;
  (void)reg;
  return STATUS_NOT_SUPPORTED;
}

static const IMiniportWaveRTStreamVtbl stream_vtbl = {
    stream_query,       stream_add_ref,       stream_release,     stream_set_format,
    stream_set_state,   stream_get_position,  stream_allocate_buffer, stream_free_buffer,
    stream_latency,     stream_no_register,   stream_no_register,
};

/* ---- the miniport ---- */

static const WRT_KSDATARANGE_AUDIO pcm_range = {
    .DataRange =
        {
            .FormatSize = sizeof(WRT_KSDATARANGE_AUDIO),
            .MajorFormat = WRT_GUID_KSDATAFORMAT_TYPE_AUDIO,
            .SubFormat = WRT_GUID_KSDATAFORMAT_SUBTYPE_PCM,
            .Specifier = WRT_GUID_KSDATAFORMAT_SPECIFIER_WAVEFORMATEX,
        },
    .MaximumChannels = 2,
    .MinimumBitsPerSample = 16,
    .MaximumBitsPerSample = 16,
    .MinimumSampleFrequency = 48000,
    .MaximumSampleFrequency = 48000,
};
static const PKSDATARANGE pin_ranges[] = {(PKSDATARANGE)&pcm_range};

static const KSPIN_INTERFACE pin_interfaces[] = {{{{.Set = WRT_GUID_KSINTERFACESETID_STANDARD}}}};
static const KSPIN_MEDIUM pin_mediums[] = {{{{.Set = WRT_GUID_KSMEDIUMSETID_STANDARD}}}};

/* One render pin: the audio engine writes into it (data flows in, the filter is the sink). */
static const PCPIN_DESCRIPTOR pins[] = {{
    .MaxGlobalInstanceCount = 1,
    .MaxFilterInstanceCount = 1,
    .MinFilterInstanceCount = 0,
    .AutomationTable = NULL,
    .KsPinDescriptor =
        {
            .InterfacesCount = 1,
            .Interfaces = pin_interfaces,
            .MediumsCount = 1,
            .Mediums = pin_mediums,
            .DataRangesCount = 1,
            .DataRanges = pin_ranges,
            .DataFlow = KSPIN_DATAFLOW_IN,
            .Communication = KSPIN_COMMUNICATION_SINK,
            .Category = &category_audio,
        },
}};

static const GUID categories[] = {
    WRT_GUID_KSCATEGORY_AUDIO,
    WRT_GUID_KSCATEGORY_RENDER,
    WRT_GUID_KSCATEGORY_REALTIME,
};

static const PCFILTER_DESCRIPTOR filter = {
    .Version = 0,
    .AutomationTable = NULL,
    .PinSize = sizeof(PCPIN_DESCRIPTOR),
    .PinCount = 1,
    .Pins = pins,
    .NodeSize = sizeof(PCNODE_DESCRIPTOR),
    .CategoryCount = sizeof categories / sizeof categories[0],
    .Categories = categories,
};

typedef struct rt_miniport {
  IMiniportWaveRT iface;
  LONG references;
  IPortWaveRT *port;
} rt_miniport;

static NTSTATUS miniport_query(IMiniportWaveRT *self, const GUID *id, PVOID *out) {
  if (RtlCompareMemory(id, &iid_unknown, sizeof *id) == sizeof *id ||
      RtlCompareMemory(id, &iid_miniport, sizeof *id) == sizeof *id ||
      RtlCompareMemory(id, &iid_miniport_wave_rt, sizeof *id) == sizeof *id) {
    self->lpVtbl->AddRef(self);
    *out = self;
    return STATUS_SUCCESS;
  }
  *out = NULL;
  return STATUS_NOINTERFACE;
}

static ULONG miniport_add_ref(IMiniportWaveRT *self) {
  return (ULONG)InterlockedIncrement(&((rt_miniport *)self)->references);
}

static ULONG miniport_release(IMiniportWaveRT *self) {
  rt_miniport *m = (rt_miniport *)self;
  LONG left = InterlockedDecrement(&m->references);
  if (left == 0) {
    if (m->port != NULL) m->port->lpVtbl->Release(m->port);
    ExFreePoolWithTag(m, POOL_TAG);
  }
  return (ULONG)left;
}

static NTSTATUS miniport_description(IMiniportWaveRT *self, const PCFILTER_DESCRIPTOR **out) {
  (void)self;
  *out = &filter;
  return STATUS_SUCCESS;
}

/* STATUS_NOT_IMPLEMENTED lets PortCls use its default intersection for the one PCM range. */
static NTSTATUS miniport_intersection(IMiniportWaveRT *self, ULONG pin, PKSDATARANGE range,
                                      PKSDATARANGE matching, ULONG length, PVOID format,
                                      PULONG format_length) {
  (void)self, (void)pin, (void)range, (void)matching, (void)length, (void)format;
  (void)format_length;
  return STATUS_NOT_IMPLEMENTED;
}

static NTSTATUS miniport_init(IMiniportWaveRT *self, IUnknownK *adapter, IResourceList *resources,
                              IPortWaveRT *port) {
  (void)adapter;
  (void)resources;
  port->lpVtbl->AddRef(port);
  ((rt_miniport *)self)->port = port;
  return STATUS_SUCCESS;
}

static NTSTATUS miniport_new_stream(IMiniportWaveRT *self, IMiniportWaveRTStream **out,
                                    IPortWaveRTStream *port_stream, ULONG pin, BOOLEAN capture,
                                    PKSDATAFORMAT format) {
  (void)self;
  (void)pin;
  (void)format;
  if (capture) return STATUS_INVALID_PARAMETER; /* a render pin only */
  rt_stream *s = ExAllocatePoolWithTag(NonPagedPool, sizeof *s, POOL_TAG);
  if (s == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  s->iface.lpVtbl = &stream_vtbl;
  s->references = 1;
  s->port_stream = port_stream;
  port_stream->lpVtbl->AddRef(port_stream);
  /* The newest stream is the one protocol requests use. */
  acquire(&stream_lock);
  if (current_stream != NULL) current_stream->lpVtbl->Release(current_stream);
  port_stream->lpVtbl->AddRef(port_stream);
  current_stream = port_stream;
  current_owner = s;
  release(&stream_lock);
  *out = &s->iface;
  return STATUS_SUCCESS;
}

static NTSTATUS miniport_device_description(IMiniportWaveRT *self, PDEVICE_DESCRIPTION d) {
  (void)self;
  RtlZeroMemory(d, sizeof *d);
  d->Version = DEVICE_DESCRIPTION_VERSION;
  d->Master = TRUE;
  d->ScatterGather = TRUE;
  d->Dma64BitAddresses = TRUE;
  d->InterfaceType = PCIBus;
  d->MaximumLength = 0xFFFFFFFFu;
  return STATUS_SUCCESS;
}

static const IMiniportWaveRTVtbl miniport_vtbl = {
    miniport_query,     miniport_add_ref,    miniport_release,
    miniport_description, miniport_intersection, miniport_init,
    miniport_new_stream, miniport_device_description,
};

/* ---- adapter ---- */

static NTSTATUS start_device(PDEVICE_OBJECT device, PIRP irp, IResourceList *resources) {
  IPortWaveRT *port;
  NTSTATUS status = PcNewPort(&port, &clsid_port_wave_rt);
  if (!NT_SUCCESS(status)) return status;
  rt_miniport *miniport = ExAllocatePoolWithTag(NonPagedPool, sizeof *miniport, POOL_TAG);
  if (miniport == NULL) {
    port->lpVtbl->Release(port);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  miniport->iface.lpVtbl = &miniport_vtbl;
  miniport->references = 1;
  miniport->port = NULL;
  status = port->lpVtbl->Init(port, device, irp, (IUnknownK *)miniport, NULL, resources);
  if (NT_SUCCESS(status)) status = PcRegisterSubdevice(device, L"Wave", (IUnknownK *)port);
  if (NT_SUCCESS(status)) status = create_control_device(device->DriverObject);
  /* PortCls keeps its own references to both on success. */
  miniport->iface.lpVtbl->Release(&miniport->iface);
  port->lpVtbl->Release(port);
  return status;
}

static NTSTATUS add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT physical_device) {
  return PcAddAdapterDevice(driver, physical_device, start_device, 1, 0);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  KeInitializeMutex(&stream_lock, 0);
  NTSTATUS status = PcInitializeAdapterDriver(driver, registry_path, add_device);
  if (!NT_SUCCESS(status)) return status;
  /* PortCls filled the dispatch table. Every entry is routed through ours: the control device
   * has no PortCls device extension, so none of its IRPs may reach PortCls; the adapter's go on
   * to PortCls unchanged (after noting its removal). */
  for (ULONG major = 0; major <= IRP_MJ_MAXIMUM_FUNCTION; major++) {
    portcls_dispatch[major] = driver->MajorFunction[major];
    driver->MajorFunction[major] = dispatch;
  }
  return STATUS_SUCCESS;
}
