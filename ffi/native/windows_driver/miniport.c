/*
 * The PortCls half of wavert_test.sys: the WaveRT miniport (one render pin), its stream, the
 * adapter's StartDevice, and session.c's operations as calls on IPortWaveRTStream. Everything
 * here talks to PortCls through portcls_min.h's vtables and nothing else, which is what
 * ../msvc_abi/ checks against MSVC-compiled C++ stand-ins: this file is built for that test
 * with the same compiler and flags as for the driver.
 *
 * COM references (kernel COM follows the user-mode rules):
 *  - an interface pointer received as an in-parameter and kept after the call is AddRef'd by us
 *    and Released when we drop it: IPortWaveRT in IMiniportWaveRT::Init (held by the miniport,
 *    released when it is destroyed) and IPortWaveRTStream in NewStream (held by the miniport
 *    stream until its last Release);
 *  - the adapter's current_stream is one more reference, taken in NewStream and dropped when a
 *    newer stream replaces it or its miniport stream goes away; every caller of
 *    wrt_port_ops.current_stream gets a reference of its own (session.c keeps one per
 *    allocation, so an MDL is always freed through a live stream);
 *  - out-parameters (PcNewPort's port, NewStream's stream, QueryInterface) carry a reference
 *    for the receiver: start_device releases its port and miniport once PortCls holds them.
 */
#include "adapter.h"

static const GUID iid_unknown = WRT_GUID_IUNKNOWN;
static const GUID iid_miniport = WRT_GUID_IMINIPORT;
static const GUID iid_miniport_wave_rt = WRT_GUID_IMINIPORTWAVERT;
static const GUID iid_miniport_wave_rt_stream = WRT_GUID_IMINIPORTWAVERTSTREAM;
static const GUID clsid_port_wave_rt = WRT_GUID_CLSID_PORTWAVERT;
static const GUID category_audio = WRT_GUID_KSCATEGORY_AUDIO;

static BOOLEAN same_guid(const GUID *a, const GUID *b) {
  return RtlCompareMemory(a, b, sizeof *a) == sizeof *a;
}

/* QueryInterface's answer for an object implementing the interfaces `ids` (NULL-terminated):
 * `object` in *out when `id` is one of them (the caller then takes the reference), else NULL. */
static BOOLEAN implements(void *object, const GUID *id, const GUID *const *ids, PVOID *out) {
  for (; *ids != NULL; ids++) {
    if (same_guid(id, *ids)) {
      *out = object;
      return TRUE;
    }
  }
  *out = NULL;
  return FALSE;
}

static void acquire(KMUTEX *mutex) {
  KeWaitForSingleObject(mutex, Executive, KernelMode, FALSE, NULL);
}

static void release(KMUTEX *mutex) { KeReleaseMutex(mutex, FALSE); }

/* ---- IPortWaveRTStream behind session.c's wrts_ops ---- */

static IPortWaveRTStream *port_of(void *stream) { return (IPortWaveRTStream *)stream; }

static PHYSICAL_ADDRESS physical(uint64_t address) {
  PHYSICAL_ADDRESS value;
  value.QuadPart = (LONGLONG)address;
  return value;
}

static void *op_current_stream(void *context) {
  wrt_adapter *adapter = context;
  acquire(&adapter->stream_lock);
  IPortWaveRTStream *stream = adapter->current_stream;
  if (stream != NULL) stream->lpVtbl->AddRef(stream);
  release(&adapter->stream_lock);
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

/* The result comes back through the hidden pointer (see portcls_min.h), not in RAX. */
static uint64_t op_page_address(void *stream, void *mdl, uint32_t index) {
  PHYSICAL_ADDRESS address;
  address.QuadPart = 0;
  port_of(stream)->lpVtbl->GetPhysicalPageAddress(port_of(stream), &address, (PMDL)mdl, index);
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

const wrts_ops wrt_port_ops = {
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

/* ---- the miniport stream ---- */

typedef struct rt_stream {
  IMiniportWaveRTStream iface;
  LONG references;
  wrt_adapter *adapter;
  IPortWaveRTStream *port_stream; /* referenced */
} rt_stream;

static NTSTATUS stream_query(IMiniportWaveRTStream *self, const GUID *id, PVOID *out) {
  static const GUID *const ids[] = {&iid_unknown, &iid_miniport_wave_rt_stream, NULL};
  if (!implements(self, id, ids, out)) return STATUS_NOINTERFACE;
  self->lpVtbl->AddRef(self);
  return STATUS_SUCCESS;
}

static ULONG stream_add_ref(IMiniportWaveRTStream *self) {
  return (ULONG)InterlockedIncrement(&((rt_stream *)self)->references);
}

static ULONG stream_release(IMiniportWaveRTStream *self) {
  rt_stream *s = (rt_stream *)self;
  LONG left = InterlockedDecrement(&s->references);
  if (left == 0) {
    wrt_adapter *adapter = s->adapter;
    acquire(&adapter->stream_lock);
    if (adapter->current_owner == s) {
      adapter->current_stream->lpVtbl->Release(adapter->current_stream);
      adapter->current_stream = NULL;
      adapter->current_owner = NULL;
    }
    release(&adapter->stream_lock);
    s->port_stream->lpVtbl->Release(s->port_stream);
    ExFreePoolWithTag(s, WRT_POOL_TAG);
  }
  return (ULONG)left;
}

static NTSTATUS stream_set_format(IMiniportWaveRTStream *self, PKSDATAFORMAT format) {
  (void)self, (void)format;
  return STATUS_NOT_SUPPORTED; /* the one format of the data range only */
}

static NTSTATUS stream_set_state(IMiniportWaveRTStream *self, KSSTATE state) {
  (void)self, (void)state;
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
  PMDL buffer = port->lpVtbl->AllocatePagesForMdl(port, physical(0xFFFFFFFFu), requested);
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
  (void)self, (void)reg;
  return STATUS_NOT_SUPPORTED;
}

static const IMiniportWaveRTStreamVtbl stream_vtbl = {
    .QueryInterface = stream_query,
    .AddRef = stream_add_ref,
    .Release = stream_release,
    .SetFormat = stream_set_format,
    .SetState = stream_set_state,
    .GetPosition = stream_get_position,
    .AllocateAudioBuffer = stream_allocate_buffer,
    .FreeAudioBuffer = stream_free_buffer,
    .GetHWLatency = stream_latency,
    .GetPositionRegister = stream_no_register,
    .GetClockRegister = stream_no_register,
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

/* One render pin: the audio engine writes into it (data flows in, the filter is the sink). No
 * interface or medium list, as in Microsoft's simpleaudiosample: PortCls then offers the
 * standard streaming interface and medium rather than a restriction list of our own. */
static const PCPIN_DESCRIPTOR pins[] = {{
    .MaxGlobalInstanceCount = 1,
    .MaxFilterInstanceCount = 1,
    .MinFilterInstanceCount = 0,
    .AutomationTable = NULL,
    .KsPinDescriptor =
        {
            .InterfacesCount = 0,
            .Interfaces = NULL,
            .MediumsCount = 0,
            .Mediums = NULL,
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
  wrt_adapter *adapter;
  IPortWaveRT *port; /* referenced from Init on */
} rt_miniport;

static NTSTATUS miniport_query(IMiniportWaveRT *self, const GUID *id, PVOID *out) {
  static const GUID *const ids[] = {&iid_unknown, &iid_miniport, &iid_miniport_wave_rt, NULL};
  if (!implements(self, id, ids, out)) return STATUS_NOINTERFACE;
  self->lpVtbl->AddRef(self);
  return STATUS_SUCCESS;
}

static ULONG miniport_add_ref(IMiniportWaveRT *self) {
  return (ULONG)InterlockedIncrement(&((rt_miniport *)self)->references);
}

static ULONG miniport_release(IMiniportWaveRT *self) {
  rt_miniport *m = (rt_miniport *)self;
  LONG left = InterlockedDecrement(&m->references);
  if (left == 0) {
    if (m->port != NULL) m->port->lpVtbl->Release(m->port);
    ExFreePoolWithTag(m, WRT_POOL_TAG);
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
  (void)adapter, (void)resources;
  port->lpVtbl->AddRef(port);
  ((rt_miniport *)self)->port = port;
  return STATUS_SUCCESS;
}

static NTSTATUS miniport_new_stream(IMiniportWaveRT *self, IMiniportWaveRTStream **out,
                                    IPortWaveRTStream *port_stream, ULONG pin, BOOLEAN capture,
                                    PKSDATAFORMAT format) {
  (void)format;
  *out = NULL;
  if (capture || pin != 0) return STATUS_INVALID_PARAMETER; /* the one render pin only */
  wrt_adapter *adapter = ((rt_miniport *)self)->adapter;
  rt_stream *s = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof *s, WRT_POOL_TAG);
  if (s == NULL) return STATUS_INSUFFICIENT_RESOURCES;
  s->iface.lpVtbl = &stream_vtbl;
  s->references = 1;
  s->adapter = adapter;
  s->port_stream = port_stream;
  port_stream->lpVtbl->AddRef(port_stream);
  /* The newest stream is the one protocol requests use. */
  acquire(&adapter->stream_lock);
  if (adapter->current_stream != NULL) {
    adapter->current_stream->lpVtbl->Release(adapter->current_stream);
  }
  port_stream->lpVtbl->AddRef(port_stream);
  adapter->current_stream = port_stream;
  adapter->current_owner = s;
  release(&adapter->stream_lock);
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
    .QueryInterface = miniport_query,
    .AddRef = miniport_add_ref,
    .Release = miniport_release,
    .GetDescription = miniport_description,
    .DataRangeIntersection = miniport_intersection,
    .Init = miniport_init,
    .NewStream = miniport_new_stream,
    .GetDeviceDescription = miniport_device_description,
};

/* ---- adapter ---- */

NTSTATUS wrt_start_device(PDEVICE_OBJECT device, PIRP irp, IResourceList *resources) {
  wrt_adapter *adapter = wrt_adapter_of(device);
  if (!adapter->initialized) { /* a restart after a stop keeps its state */
    KeInitializeMutex(&adapter->stream_lock, 0);
    adapter->initialized = TRUE;
  }
  IPortWaveRT *port;
  NTSTATUS status = PcNewPort(&port, &clsid_port_wave_rt);
  if (!NT_SUCCESS(status)) return status;
  rt_miniport *miniport = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof *miniport, WRT_POOL_TAG);
  if (miniport == NULL) {
    port->lpVtbl->Release(port);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  miniport->iface.lpVtbl = &miniport_vtbl;
  miniport->references = 1;
  miniport->adapter = adapter;
  miniport->port = NULL;
  status = port->lpVtbl->Init(port, device, irp, (IUnknownK *)miniport, NULL, resources);
  if (NT_SUCCESS(status)) status = PcRegisterSubdevice(device, L"Wave", (IUnknownK *)port);
  if (NT_SUCCESS(status)) status = wrt_adapter_started(adapter, device);
  /* PortCls keeps its own references to both on success. */
  miniport->iface.lpVtbl->Release(&miniport->iface);
  port->lpVtbl->Release(port);
  return status;
}
