/*
 * A stand-in portcls.sys for the ABI test, in C++ compiled for the MSVC ABI
 * (clang++ --target=x86_64-pc-windows-msvc): the PortCls side of both directions.
 *  - PortCls -> driver: it calls the driver's IMiniportWaveRT and IMiniportWaveRTStream through
 *    C++ virtual calls, every slot, and checks each result and out-parameter;
 *  - driver -> PortCls: its IPortWaveRT and IPortWaveRTStream are C++ objects; every call checks
 *    `this` and its arguments and is logged (abi_log.h) with what it returned, so the driver
 *    side can check that what it sent arrived and what came back is what was returned.
 * No C runtime (there is none for windows-msvc here): no imports at all; text by hand.
 */
#define ABI_STANDIN
#include "abi_log.h"
#include "portcls_cxx.h"
#include "../wavert_guids.h"

extern "C" void *memset(void *d, int c, SIZE_T n) {
  for (SIZE_T i = 0; i < n; i++) static_cast<volatile uint8_t *>(d)[i] = (uint8_t)c;
  return d;
}
extern "C" void *memcpy(void *d, const void *s, SIZE_T n) {
  for (SIZE_T i = 0; i < n; i++) {
    static_cast<volatile uint8_t *>(d)[i] = static_cast<const uint8_t *>(s)[i];
  }
  return d;
}
extern "C" int _purecall() { return 0; }
extern "C" int _fltused = 0;

static abi_log log;

static void say(const char *text) {
  while (*text != '\0' && log.text_length + 1 < ABI_TEXT) log.text[log.text_length++] = *text++;
}
static void say_hex(uint64_t value) {
  char digits[19] = "0x";
  for (int i = 0; i < 16; i++) digits[2 + i] = "0123456789abcdef"[(value >> (60 - 4 * i)) & 15];
  digits[18] = '\0';
  say(digits);
}
/* One check: a failure becomes a line "stand-in: <what>: got <got>, expected <want>". */
static void expect(const char *what, uint64_t got, uint64_t want) {
  log.checks++;
  if (got == want) return;
  log.failures++;
  say("stand-in: ");
  say(what);
  say(": got ");
  say_hex(got);
  say(", expected ");
  say_hex(want);
  say("\n");
}
static uint64_t bits(const void *p) { return reinterpret_cast<uint64_t>(p); }
static void record(uint32_t slot, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t result) {
  if (log.call_count == ABI_MAX_CALLS) return;
  log.calls[log.call_count++] = {slot, 0, {a0, a1, a2, 0, 0, 0, 0}, result};
}
static bool same(const GUID &a, const GUID &b) {
  const uint8_t *x = reinterpret_cast<const uint8_t *>(&a);
  const uint8_t *y = reinterpret_cast<const uint8_t *>(&b);
  for (int i = 0; i < 16; i++) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

static const GUID iid_unknown = WRT_GUID_IUNKNOWN;
static const GUID iid_miniport_wave_rt = WRT_GUID_IMINIPORTWAVERT;
static const GUID iid_miniport_wave_rt_stream = WRT_GUID_IMINIPORTWAVERTSTREAM;
static const GUID clsid_port_wave_rt = WRT_GUID_CLSID_PORTWAVERT;

/* ---- the stream PortCls hands the miniport ---- */

struct Allocation {
  MDL mdl;
  bool live;
  bool mapped;
  ULONG pages;
  uint64_t physical; /* page i is at physical + i * 4096: above 4 GB, so every bit counts */
};

struct PortStream final : IPortWaveRTStream {
  ULONG references = 1;
  Allocation allocations[8] = {};

  /* The allocation whose MDL this is, or nullptr (then the call got something else). */
  Allocation *find(PMDL mdl, const char *what) {
    for (Allocation &a : allocations) {
      if (&a.mdl == mdl && a.live) return &a;
    }
    expect(what, bits(mdl), 0xFFFFFFFFFFFFFFFFu); /* "a live MDL of ours": never equal */
    return nullptr;
  }
  PMDL allocate(SIZE_T bytes) {
    for (Allocation &a : allocations) {
      if (a.live) continue;
      uint64_t index = static_cast<uint64_t>(&a - allocations);
      a = Allocation{};
      a.live = true;
      a.pages = static_cast<ULONG>((bytes + 4095) / 4096);
      a.physical = 0x0000001234500000u + index * 0x100000u;
      a.mdl.ByteCount = static_cast<ULONG>(bytes);
      a.mdl.MdlFlags = 0x0102; /* any pattern the driver must pass back unchanged */
      return &a.mdl;
    }
    return nullptr;
  }

  NTSTATUS STDMETHODCALLTYPE QueryInterface(const GUID &id, PVOID *out) override {
    *out = nullptr;
    record(ABI_SLOT_STREAM_QUERY, bits(&id), bits(out), 0, 0xC0000002u);
    return static_cast<NTSTATUS>(0xC0000002u);
  }
  ULONG STDMETHODCALLTYPE AddRef() override { return ++references; }
  ULONG STDMETHODCALLTYPE Release() override { return --references; }
  PMDL STDMETHODCALLTYPE AllocatePagesForMdl(PHYSICAL_ADDRESS high, SIZE_T bytes) override {
    PMDL mdl = allocate(bytes);
    record(ABI_SLOT_ALLOCATE_PAGES, static_cast<uint64_t>(high.QuadPart), bytes, 0, bits(mdl));
    return mdl;
  }
  PMDL STDMETHODCALLTYPE AllocateContiguousPagesForMdl(PHYSICAL_ADDRESS low,
                                                       PHYSICAL_ADDRESS high,
                                                       SIZE_T bytes) override {
    PMDL mdl = allocate(bytes);
    record(ABI_SLOT_ALLOCATE_CONTIGUOUS, static_cast<uint64_t>(low.QuadPart),
           static_cast<uint64_t>(high.QuadPart), bytes, bits(mdl));
    return mdl;
  }
  PVOID STDMETHODCALLTYPE MapAllocatedPages(PMDL mdl, MEMORY_CACHING_TYPE cache) override {
    Allocation *a = find(mdl, "MapAllocatedPages: MDL");
    PVOID va = nullptr;
    if (a != nullptr) {
      a->mapped = true;
      va = reinterpret_cast<PVOID>(0xFFFF800012340000u + (a - allocations) * 0x10000u);
    }
    record(ABI_SLOT_MAP, bits(mdl), static_cast<uint64_t>(cache), 0, bits(va));
    return va;
  }
  void STDMETHODCALLTYPE UnmapAllocatedPages(PVOID base, PMDL mdl) override {
    Allocation *a = find(mdl, "UnmapAllocatedPages: MDL");
    if (a != nullptr) a->mapped = false;
    record(ABI_SLOT_UNMAP, bits(base), bits(mdl), 0, 0);
  }
  void STDMETHODCALLTYPE FreePagesFromMdl(PMDL mdl) override {
    Allocation *a = find(mdl, "FreePagesFromMdl: MDL");
    if (a != nullptr) a->live = false;
    record(ABI_SLOT_FREE, bits(mdl), 0, 0, 0);
  }
  ULONG STDMETHODCALLTYPE GetPhysicalPagesCount(PMDL mdl) override {
    Allocation *a = find(mdl, "GetPhysicalPagesCount: MDL");
    ULONG pages = a != nullptr ? a->pages : 0;
    record(ABI_SLOT_PAGE_COUNT, bits(mdl), 0, 0, pages);
    return pages;
  }
  PHYSICAL_ADDRESS STDMETHODCALLTYPE GetPhysicalPageAddress(PMDL mdl, ULONG index) override {
    Allocation *a = find(mdl, "GetPhysicalPageAddress: MDL");
    PHYSICAL_ADDRESS address;
    address.QuadPart = 0;
    if (a != nullptr) {
      expect("GetPhysicalPageAddress: Index below the page count", index < a->pages, 1);
      address.QuadPart = static_cast<int64_t>(a->physical + uint64_t{index} * 4096u);
    }
    record(ABI_SLOT_PAGE_ADDRESS, bits(mdl), index, 0, static_cast<uint64_t>(address.QuadPart));
    return address;
  }
};

/* ---- the port, and PortCls's calls into the miniport ---- */

static const NTSTATUS ok = 0;
static const NTSTATUS not_implemented = static_cast<NTSTATUS>(0xC0000002u);
static const NTSTATUS invalid_parameter = static_cast<NTSTATUS>(0xC000000Du);
static const NTSTATUS not_supported = static_cast<NTSTATUS>(0xC00000BBu);

/* Opaque objects PortCls passes through: their addresses must come back unchanged. */
static uint8_t fake_irp[64], fake_resources[64], fake_format[64];

struct Port final : IPortWaveRT {
  ULONG references = 1;
  PVOID device = nullptr;
  IMiniportWaveRT *miniport = nullptr; /* referenced from Init on */
  NTSTATUS STDMETHODCALLTYPE QueryInterface(const GUID &id, PVOID *out) override {
    *out = nullptr;
    record(ABI_SLOT_PORT_QUERY, bits(&id), bits(out), 0, static_cast<uint32_t>(not_implemented));
    return not_implemented;
  }
  ULONG STDMETHODCALLTYPE AddRef() override { return ++references; }
  ULONG STDMETHODCALLTYPE Release() override { return --references; }
  NTSTATUS STDMETHODCALLTYPE Init(PVOID device_object, PVOID irp, IUnknown *unknown_miniport,
                                  IUnknown *unknown_adapter, IUnknown *resources) override;
  NTSTATUS STDMETHODCALLTYPE GetDeviceProperty(int32_t property, ULONG length, PVOID buffer,
                                               ULONG *result_length) override {
    *result_length = length / 2;
    record(ABI_SLOT_PORT_DEVICE_PROPERTY, static_cast<uint32_t>(property), length, bits(buffer),
           0xC0000023u);
    log.calls[log.call_count - 1].args[3] = bits(result_length);
    return static_cast<NTSTATUS>(0xC0000023u); /* STATUS_BUFFER_TOO_SMALL */
  }
  NTSTATUS STDMETHODCALLTYPE NewRegistryKey(IUnknown **key, IUnknown *outer, ULONG type,
                                            ULONG access, PVOID attributes, ULONG options,
                                            ULONG *disposition) override {
    *key = nullptr;
    *disposition = 2; /* REG_OPENED_EXISTING_KEY */
    record(ABI_SLOT_PORT_REGISTRY_KEY, bits(key), bits(outer), type, 0xC0000034u);
    abi_call &c = log.calls[log.call_count - 1];
    c.args[3] = access;
    c.args[4] = bits(attributes);
    c.args[5] = options;
    c.args[6] = bits(disposition);
    return static_cast<NTSTATUS>(0xC0000034u); /* STATUS_OBJECT_NAME_NOT_FOUND */
  }
};

static Port port;
static PortStream port_stream;
static bool port_created, registered;
static IMiniportWaveRTStream *stream;

/* What PortCls does in IPort::Init: take the miniport's IMiniportWaveRT, read its filter, ask
 * for its DMA needs, and initialise it with this port. */
NTSTATUS Port::Init(PVOID device_object, PVOID irp, IUnknown *unknown_miniport,
                    IUnknown *unknown_adapter, IUnknown *resources) {
  expect("IPortWaveRT::Init: this", bits(this), bits(&port));
  expect("IPortWaveRT::Init: DeviceObject", bits(device_object), bits(device));
  expect("IPortWaveRT::Init: Irp", bits(irp), bits(fake_irp));
  expect("IPortWaveRT::Init: UnknownAdapter", bits(unknown_adapter), 0);
  expect("IPortWaveRT::Init: ResourceList", bits(resources), bits(fake_resources));
  PVOID found = nullptr;
  NTSTATUS status = unknown_miniport->QueryInterface(iid_miniport_wave_rt, &found);
  expect("IMiniportWaveRT::QueryInterface(IID_IMiniportWaveRT)", status, ok);
  expect("IMiniportWaveRT::QueryInterface: the same object", bits(found), bits(unknown_miniport));
  PVOID none = &found;
  expect("IMiniportWaveRT::QueryInterface(CLSID_PortWaveRT) refused",
         unknown_miniport->QueryInterface(clsid_port_wave_rt, &none) != ok, 1);
  expect("IMiniportWaveRT::QueryInterface: refused sets NULL", bits(none), 0);
  miniport = static_cast<IMiniportWaveRT *>(found);
  if (miniport == nullptr) return not_implemented;

  const PCFILTER_DESCRIPTOR *filter = nullptr;
  expect("IMiniport::GetDescription", miniport->GetDescription(&filter), ok);
  const uint8_t *f = reinterpret_cast<const uint8_t *>(filter);
  expect("PCFILTER_DESCRIPTOR.PinCount", f ? *reinterpret_cast<const ULONG *>(f + 20) : 0, 1);
  expect("PCFILTER_DESCRIPTOR.CategoryCount", f ? *reinterpret_cast<const ULONG *>(f + 64) : 0,
         3);
  ULONG length = 0xAAAA;
  expect("IMiniport::DataRangeIntersection",
         miniport->DataRangeIntersection(0, reinterpret_cast<KSDATAFORMAT *>(fake_format),
                                         reinterpret_cast<KSDATAFORMAT *>(fake_format), 64,
                                         fake_irp, &length),
         not_implemented);
  uint8_t description[128];
  memset(description, 0xAB, sizeof description);
  expect("IMiniportWaveRT::GetDeviceDescription",
         miniport->GetDeviceDescription(reinterpret_cast<DEVICE_DESCRIPTION *>(description)), ok);
  expect("DEVICE_DESCRIPTION.Master", description[4], 1);
  expect("DEVICE_DESCRIPTION.ScatterGather", description[5], 1);
  expect("DEVICE_DESCRIPTION.DemandMode (zeroed)", description[6], 0);
  expect("DEVICE_DESCRIPTION.Dma64BitAddresses", description[11], 1);
  expect("DEVICE_DESCRIPTION.MaximumLength", *reinterpret_cast<ULONG *>(description + 32),
         0xFFFFFFFFu);
  ULONG before = references;
  expect("IMiniportWaveRT::Init",
         miniport->Init(nullptr, reinterpret_cast<IUnknown *>(fake_resources), this), ok);
  expect("IMiniportWaveRT::Init keeps a reference on the port", references, before + 1);
  return ok;
}

extern "C" {

abi_log *StandInLog(void) { return &log; }
void *StandInPort(void) { return static_cast<IPortWaveRT *>(&port); }
void *StandInPortStream(void) { return static_cast<IPortWaveRTStream *>(&port_stream); }

NTSTATUS PcNewPort(IPortWaveRT **out, const GUID *class_id) {
  expect("PcNewPort: ClassId is CLSID_PortWaveRT", same(*class_id, clsid_port_wave_rt), 1);
  expect("PcNewPort: one port", port_created, 0);
  port_created = true;
  *out = &port;
  return ok;
}

NTSTATUS PcRegisterSubdevice(PVOID device, const WCHAR *name, IUnknown *unknown) {
  expect("PcRegisterSubdevice: DeviceObject", bits(device), bits(port.device));
  expect("PcRegisterSubdevice: Unknown", bits(unknown), bits(&port));
  const WCHAR wave[] = {'W', 'a', 'v', 'e', 0};
  for (int i = 0; i < 5; i++) expect("PcRegisterSubdevice: Name is \"Wave\"", name[i], wave[i]);
  port.AddRef(); /* the registration holds the port */
  registered = true;
  return ok;
}

/* Not reached: the test starts the device itself (StandInStartDevice). */
NTSTATUS PcInitializeAdapterDriver(PVOID, PVOID, PVOID) { return not_implemented; }
NTSTATUS PcAddAdapterDevice(PVOID, PVOID, PVOID, ULONG, ULONG) { return not_implemented; }

void StandInStartDevice(PVOID device, abi_start_device_fn start_device) {
  port.device = device;
  expect("StartDevice", start_device(device, fake_irp, fake_resources), ok);
  expect("PcRegisterSubdevice called", registered, 1);
  /* Ours: PcNewPort's (released by the driver), the registration's, the miniport's. */
  expect("port references after StartDevice", port.references, 2);
}

/* What PortCls does when a client opens the pin and runs it: NewStream, then every
 * IMiniportWaveRTStream slot; the stream stays open for the driver side's requests. */
void StandInOpenStream(void) {
  IMiniportWaveRT *m = port.miniport;
  if (m == nullptr) return expect("a miniport to open a stream on", 0, 1);
  IMiniportWaveRTStream *refused = reinterpret_cast<IMiniportWaveRTStream *>(fake_irp);
  expect("NewStream(Capture TRUE) refused",
         m->NewStream(&refused, &port_stream, 0, 1, reinterpret_cast<KSDATAFORMAT *>(fake_format)),
         invalid_parameter);
  expect("NewStream(Capture TRUE): no stream", bits(refused), 0);
  expect("NewStream(Pin 1) refused",
         m->NewStream(&refused, &port_stream, 1, 0, reinterpret_cast<KSDATAFORMAT *>(fake_format)),
         invalid_parameter);
  expect("refused NewStream keeps no reference", port_stream.references, 1);
  expect("NewStream(Pin 0, render)",
         m->NewStream(&stream, &port_stream, 0, 0, reinterpret_cast<KSDATAFORMAT *>(fake_format)),
         ok);
  if (stream == nullptr) return expect("NewStream returned a stream", 0, 1);
  /* The miniport stream's reference and the adapter's current one. */
  expect("port stream references after NewStream", port_stream.references, 3);

  PVOID same_stream = nullptr;
  expect("IMiniportWaveRTStream::QueryInterface",
         stream->QueryInterface(iid_miniport_wave_rt_stream, &same_stream), ok);
  expect("IMiniportWaveRTStream::QueryInterface: the same object", bits(same_stream),
         bits(stream));
  PVOID unknown = nullptr;
  expect("IMiniportWaveRTStream::QueryInterface(IID_IUnknown)",
         stream->QueryInterface(iid_unknown, &unknown), ok);
  expect("IMiniportWaveRTStream::Release", stream->Release(), 2);
  expect("IMiniportWaveRTStream::Release (QueryInterface's two)", stream->Release(), 1);
  expect("IMiniportWaveRTStream::SetFormat",
         stream->SetFormat(reinterpret_cast<KSDATAFORMAT *>(fake_format)), not_supported);
  expect("IMiniportWaveRTStream::SetState(KSSTATE_RUN)", stream->SetState(3), ok);
  KSAUDIO_POSITION position = {~0ull, ~0ull};
  expect("IMiniportWaveRTStream::GetPosition", stream->GetPosition(&position), ok);
  expect("KSAUDIO_POSITION.PlayOffset", position.PlayOffset, 0);
  expect("KSAUDIO_POSITION.WriteOffset", position.WriteOffset, 0);

  PMDL buffer = nullptr;
  ULONG actual = 0, offset = 77;
  MEMORY_CACHING_TYPE cache = 99;
  uint32_t first_call = log.call_count;
  expect("IMiniportWaveRTStream::AllocateAudioBuffer",
         stream->AllocateAudioBuffer(12345, &buffer, &actual, &offset, &cache), ok);
  expect("AllocateAudioBuffer: one AllocatePagesForMdl", log.call_count, first_call + 1);
  const abi_call &c = log.calls[first_call];
  expect("AllocateAudioBuffer -> AllocatePagesForMdl slot", c.slot, ABI_SLOT_ALLOCATE_PAGES);
  expect("AllocateAudioBuffer -> AllocatePagesForMdl: HighAddress", c.args[0], 0xFFFFFFFFu);
  expect("AllocateAudioBuffer -> AllocatePagesForMdl: TotalBytes", c.args[1], 12345);
  expect("AllocateAudioBuffer: AudioBufferMdl", bits(buffer), c.result);
  expect("AllocateAudioBuffer: ActualSize", actual, 12345);
  expect("AllocateAudioBuffer: OffsetFromFirstPage", offset, 0);
  expect("AllocateAudioBuffer: CacheType is MmCached", static_cast<uint64_t>(cache), 1);
  KSRTAUDIO_HWLATENCY latency = {1, 2, 3};
  stream->GetHWLatency(&latency);
  expect("GetHWLatency zeroes KSRTAUDIO_HWLATENCY",
         uint64_t{latency.FifoSize} | latency.ChipsetDelay | latency.CodecDelay, 0);
  KSRTAUDIO_HWREGISTER reg = {};
  expect("IMiniportWaveRTStream::GetPositionRegister", stream->GetPositionRegister(&reg),
         not_supported);
  expect("IMiniportWaveRTStream::GetClockRegister", stream->GetClockRegister(&reg),
         not_supported);
  stream->FreeAudioBuffer(buffer, actual);
  expect("FreeAudioBuffer -> FreePagesFromMdl", log.calls[log.call_count - 1].slot,
         ABI_SLOT_FREE);
  expect("FreeAudioBuffer -> FreePagesFromMdl: the buffer's MDL",
         log.calls[log.call_count - 1].args[0], bits(buffer));
  expect("port stream references while open", port_stream.references, 3);
}

/* Closing the pin and removing the device: every reference the driver took is given back. */
void StandInStop(void) {
  if (stream != nullptr) expect("last IMiniportWaveRTStream::Release", stream->Release(), 0);
  stream = nullptr;
  expect("port stream references after the stream is gone", port_stream.references, 1);
  if (port.miniport != nullptr) {
    expect("last IMiniportWaveRT::Release", port.miniport->Release(), 0);
    port.miniport = nullptr;
  }
  expect("port references after the miniport is gone", port.references, 1);
  if (registered) port.Release();
  expect("port references at the end", port.references, 0);
}

} /* extern "C" */
