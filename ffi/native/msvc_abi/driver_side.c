/*
 * The driver side of the ABI test: compiled with the driver's own compiler and flags (see
 * ffi/build_windows.ts), linked with the driver's miniport.c, session.c and wavert_protocol.c
 * built the same way, and with the MSVC-ABI stand-in portcls.sys. It makes PortCls start the
 * adapter and open a stream, then sends the driver's session every protocol request that
 * reaches IPortWaveRTStream, through the driver's own wrt_port_ops, and checks that the
 * stand-in received exactly the arguments asked for and that the driver got back exactly what
 * the stand-in returned.
 */
#include "../windows_driver/adapter.h"
#include "abi_checks.h"
#include "abi_log.h"

/* abi_main.c: counts and prints a check. */

/* wavert_test.c's part of StartDevice, which this test does not link (it creates the control
 * device): the caps, as the driver sets them when its service key has no overrides. */
NTSTATUS wrt_adapter_started(wrt_adapter *adapter, PDEVICE_OBJECT device) {
  (void)device;
  wrts_budget_init(&adapter->budget, NULL);
  return STATUS_SUCCESS;
}

static DRIVER_OBJECT driver;
static DEVICE_OBJECT device;
static ULONG_PTR extension[WRT_DEVICE_EXTENSION_SIZE / sizeof(ULONG_PTR) + 1];
static wrts_session session;
static uint8_t buffer[sizeof(wrtp_response)];

static const wrtp_response *send(wrtp_request *q) {
  __builtin_memset(buffer, 0, sizeof buffer);
  __builtin_memcpy(buffer, q, sizeof *q);
  wrts_handle_ioctl(&session, WRTP_IOCTL(q->operation), buffer, sizeof *q);
  return (const wrtp_response *)buffer;
}

static wrtp_request request(uint32_t operation, uint64_t handle) {
  wrtp_request q;
  wrtp_request_init(&q, operation);
  q.handle = handle;
  return q;
}

/* The stand-in's log entry for the call this request made to `slot` (the last such). */
static const abi_call *last_call(uint32_t slot) {
  const abi_log *log = StandInLog();
  for (uint32_t i = log->call_count; i > 0; i--) {
    if (log->calls[i - 1].slot == slot) return &log->calls[i - 1];
  }
  abi_expect("a call reached the slot", slot, 0xFFFFFFFFu);
  static const abi_call none;
  return &none;
}

static uint64_t mdl_of(uint64_t handle) {
  return (uint64_t)(uintptr_t)session.slots[(handle & 0xFFFFFFFFu) - 1].mdl;
}

static uint64_t allocate(uint32_t operation, uint64_t low, uint64_t high, uint64_t bytes) {
  wrtp_request q = request(operation, 0);
  q.low_address = low;
  q.high_address = high;
  q.total_bytes = bytes;
  const wrtp_response *r = send(&q);
  abi_expect("allocation status", (uint64_t)r->status, WRTP_OK);
  uint64_t handle = r->handle;
  uint32_t slot = operation == WRTP_OP_ALLOCATE_PAGES ? ABI_SLOT_ALLOCATE_PAGES
                                                      : ABI_SLOT_ALLOCATE_CONTIGUOUS;
  const abi_call *c = last_call(slot);
  if (operation == WRTP_OP_ALLOCATE_PAGES) {
    abi_expect("AllocatePagesForMdl: HighAddress", c->args[0], high);
    abi_expect("AllocatePagesForMdl: TotalBytes", c->args[1], bytes);
  } else {
    abi_expect("AllocateContiguousPagesForMdl: LowAddress", c->args[0], low);
    abi_expect("AllocateContiguousPagesForMdl: HighAddress", c->args[1], high);
    abi_expect("AllocateContiguousPagesForMdl: TotalBytes", c->args[2], bytes);
  }
  abi_expect("the MDL returned is the one kept", mdl_of(handle), c->result);
  abi_expect("MmGetMdlByteCount of the stand-in's MDL", r->byte_count, bytes);
  abi_expect("MdlFlags of the stand-in's MDL", r->mdl_flags, 0x0102);
  const abi_call *count = last_call(ABI_SLOT_PAGE_COUNT);
  abi_expect("GetPhysicalPagesCount: MDL", count->args[0], c->result);
  abi_expect("GetPhysicalPagesCount: the count returned", r->page_count, count->result);
  return handle;
}

static void page_addresses(uint64_t handle, uint32_t first, uint32_t count) {
  wrtp_request q = request(WRTP_OP_PAGE_ADDRESSES, handle);
  q.first_page = first;
  q.page_count = count;
  uint32_t before = StandInLog()->call_count;
  const wrtp_response *r = send(&q);
  abi_expect("PAGE_ADDRESSES status", (uint64_t)r->status, WRTP_OK);
  abi_expect("PAGE_ADDRESSES: addresses returned", r->addresses_returned, count);
  uint32_t seen = 0;
  const abi_log *log = StandInLog();
  for (uint32_t i = before; i < log->call_count; i++) {
    const abi_call *c = &log->calls[i];
    if (c->slot != ABI_SLOT_PAGE_ADDRESS) continue;
    abi_expect("GetPhysicalPageAddress: MDL", c->args[0], mdl_of(handle));
    abi_expect("GetPhysicalPageAddress: Index", c->args[1], first + seen);
    if (seen < r->addresses_returned) {
      abi_expect("GetPhysicalPageAddress: the address the driver got", r->page_addresses[seen],
                 c->result);
    }
    seen++;
  }
  abi_expect("GetPhysicalPageAddress calls", seen, count);
}

/* The slots the driver has no use for, called through portcls_min.h all the same: a slot out
 * of place would shift the ones after it. */
static void unused_slots(void) {
  IPortWaveRT *port = StandInPort();
  static const GUID some_id = {0x12345678, 0x9abc, 0xdef0, {1, 2, 3, 4, 5, 6, 7, 8}};
  PVOID out = &out;
  abi_expect("IPortWaveRT::QueryInterface",
             (uint32_t)port->lpVtbl->QueryInterface(port, &some_id, &out), 0xC0000002u);
  const abi_call *c = last_call(ABI_SLOT_PORT_QUERY);
  abi_expect("IPortWaveRT::QueryInterface: InterfaceId", c->args[0], (uint64_t)(uintptr_t)&some_id);
  abi_expect("IPortWaveRT::QueryInterface: Interface", c->args[1], (uint64_t)(uintptr_t)&out);
  abi_expect("IPortWaveRT::QueryInterface: NULL on failure", (uint64_t)(uintptr_t)out, 0);

  UCHAR property[64];
  ULONG length = 0;
  abi_expect("IPortWaveRT::GetDeviceProperty",
             (uint32_t)port->lpVtbl->GetDeviceProperty(port, DevicePropertyHardwareID,
                                                        sizeof property, property, &length),
             0xC0000023u);
  c = last_call(ABI_SLOT_PORT_DEVICE_PROPERTY);
  abi_expect("GetDeviceProperty: DeviceProperty", c->args[0], DevicePropertyHardwareID);
  abi_expect("GetDeviceProperty: BufferLength", c->args[1], sizeof property);
  abi_expect("GetDeviceProperty: PropertyBuffer", c->args[2], (uint64_t)(uintptr_t)property);
  abi_expect("GetDeviceProperty: ResultLength", c->args[3], (uint64_t)(uintptr_t)&length);
  abi_expect("GetDeviceProperty: *ResultLength", length, sizeof property / 2);

  IUnknownK *key = (IUnknownK *)&key;
  static IUnknownK outer;
  OBJECT_ATTRIBUTES attributes;
  ULONG disposition = 0;
  abi_expect("IPortWaveRT::NewRegistryKey",
             (uint32_t)port->lpVtbl->NewRegistryKey(port, &key, &outer, 3, KEY_READ, &attributes,
                                                     0x2A, &disposition),
             0xC0000034u);
  c = last_call(ABI_SLOT_PORT_REGISTRY_KEY);
  abi_expect("NewRegistryKey: OutRegistryKey", c->args[0], (uint64_t)(uintptr_t)&key);
  abi_expect("NewRegistryKey: OuterUnknown", c->args[1], (uint64_t)(uintptr_t)&outer);
  abi_expect("NewRegistryKey: RegistryKeyType", c->args[2], 3);
  abi_expect("NewRegistryKey: DesiredAccess", c->args[3], KEY_READ);
  abi_expect("NewRegistryKey: ObjectAttributes", c->args[4], (uint64_t)(uintptr_t)&attributes);
  abi_expect("NewRegistryKey: CreateOptions", c->args[5], 0x2A);
  abi_expect("NewRegistryKey: Disposition", c->args[6], (uint64_t)(uintptr_t)&disposition);
  abi_expect("NewRegistryKey: *OutRegistryKey", (uint64_t)(uintptr_t)key, 0);
  abi_expect("NewRegistryKey: *Disposition", disposition, 2);

  IPortWaveRTStream *stream = StandInPortStream();
  out = &out;
  abi_expect("IPortWaveRTStream::QueryInterface",
             (uint32_t)stream->lpVtbl->QueryInterface(stream, &some_id, &out), 0xC0000002u);
  c = last_call(ABI_SLOT_STREAM_QUERY);
  abi_expect("IPortWaveRTStream::QueryInterface: InterfaceId", c->args[0],
             (uint64_t)(uintptr_t)&some_id);
  abi_expect("IPortWaveRTStream::QueryInterface: Interface", c->args[1],
             (uint64_t)(uintptr_t)&out);
}

int abi_driver_run(void) {
  device.DriverObject = &driver;
  device.DeviceExtension = extension;
  StandInStartDevice(&device, (abi_start_device_fn)wrt_start_device);
  StandInOpenStream();
  unused_slots();
  wrt_adapter *adapter = wrt_adapter_of(&device);
  wrts_session_init(&session, &wrt_port_ops, adapter, &adapter->budget);

  uint64_t pages = allocate(WRTP_OP_ALLOCATE_PAGES, 0, 0x0000007FFFFFF000u, 3 * 4096 + 100);
  uint64_t contiguous =
      allocate(WRTP_OP_ALLOCATE_CONTIGUOUS, 0x0000000100000000u, 0x0000000FFFFFFFFFu, 2 * 4096);
  page_addresses(pages, 0, 4);
  page_addresses(pages, 2, 2);
  page_addresses(contiguous, 1, 1);

  wrtp_request q = request(WRTP_OP_MAP, pages);
  q.cache_type = WRTP_CACHE_WRITE_COMBINED;
  const wrtp_response *r = send(&q);
  abi_expect("MAP status", (uint64_t)r->status, WRTP_OK);
  const abi_call *c = last_call(ABI_SLOT_MAP);
  abi_expect("MapAllocatedPages: MDL", c->args[0], mdl_of(pages));
  abi_expect("MapAllocatedPages: CacheType", c->args[1], WRTP_CACHE_WRITE_COMBINED);
  abi_expect("MapAllocatedPages: the address the driver got", r->address, c->result);
  uint64_t base = r->address;

  q = request(WRTP_OP_UNMAP, pages);
  q.base_address = base;
  abi_expect("UNMAP status", (uint64_t)send(&q)->status, WRTP_OK);
  c = last_call(ABI_SLOT_UNMAP);
  abi_expect("UnmapAllocatedPages: BaseAddress", c->args[0], base);
  abi_expect("UnmapAllocatedPages: MDL", c->args[1], mdl_of(pages));

  uint64_t pages_mdl = mdl_of(pages);
  q = request(WRTP_OP_FREE, pages);
  abi_expect("FREE status", (uint64_t)send(&q)->status, WRTP_OK);
  abi_expect("FreePagesFromMdl: MDL", last_call(ABI_SLOT_FREE)->args[0], pages_mdl);
  /* The contiguous one is left for cleanup, as a closed handle would. */
  uint64_t contiguous_mdl = mdl_of(contiguous);
  abi_expect("cleanup frees what is left", wrts_session_cleanup(&session), 1);
  abi_expect("cleanup: FreePagesFromMdl: MDL", last_call(ABI_SLOT_FREE)->args[0], contiguous_mdl);
  StandInStop();
  return 0;
}
