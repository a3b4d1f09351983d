/*
 * wavert_test.sys: a minimal PortCls WaveRT miniport (miniport.c) that keeps the
 * IPortWaveRTStream PortCls hands it when a stream opens, and exposes wavert_protocol.h on a
 * control device (\\.\WaveRtTest) so the user-mode helper can make exactly the
 * IPortWaveRTStream calls a test asks for and read back what Windows did.
 *
 * This file is the Windows side: the control device, its IRPs, DriverEntry. What a request does
 * is session.c (tested natively on Linux through a fake stream). Rules it keeps:
 *  - only SYSTEM and Administrators may open the control device: it is created with
 *    FILE_DEVICE_SECURE_OPEN and given the DACL "D:P(A;;FA;;;SY)(A;;FA;;;BA)" (what
 *    IoCreateDeviceSecure would set; that lives in wdmsec.lib, which mingw-w64 lacks);
 *  - METHOD_BUFFERED only: requests arrive in the I/O manager's system buffer, are copied and
 *    validated before use; no user-mode pointer is ever dereferenced;
 *  - allocations belong to the file handle that made them; IRP_MJ_CLEANUP (the last user handle
 *    closed, also on process exit) unmaps and frees everything the handle still holds; caps on
 *    locked bytes and live allocations per handle and per adapter (session.h), overridable in
 *    the service key's Parameters (MaxHandleMiB, MaxHandleAllocations, MaxGlobalMiB,
 *    MaxGlobalAllocations, REG_DWORD);
 *  - every IPortWaveRTStream call runs at PASSIVE_LEVEL: the locks are KMUTEXes;
 *  - no driver globals: the adapter's state is in its device extension, the control device's
 *    extension points at it, and what DriverEntry saves is in the driver object's extension;
 *  - PortCls's fast I/O entry points are wrapped: for the control device they answer FALSE (the
 *    I/O manager then sends an IRP), so KS never sees a file object that is not its own.
 *
 * Built with mingw-w64 (see ffi/build_windows.ts); never loaded by this project's CI, which has
 * no Windows machine.
 */
#include <ntifs.h>

#include "adapter.h"

_Static_assert(WRTP_IOCTL(WRTP_OP_VERSION) ==
                   CTL_CODE(WRTP_DEVICE_TYPE, WRTP_FUNCTION_BASE + WRTP_OP_VERSION,
                            METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA),
               "WRTP_CTL_CODE matches the DDK's CTL_CODE");

/* What DriverEntry saves from PortCls, in the driver object's extension. */
typedef struct driver_state {
  PDRIVER_DISPATCH portcls_dispatch[IRP_MJ_MAXIMUM_FUNCTION + 1];
  FAST_IO_DISPATCH fast_io;            /* PortCls's table with our wrappers */
  const FAST_IO_DISPATCH *portcls_fast_io; /* PortCls's own, or NULL */
} driver_state;

static driver_state *state_of(PDRIVER_OBJECT driver) {
  return IoGetDriverObjectExtension(driver, (PVOID)state_of);
}

/* The control device's extension. */
typedef struct control_extension {
  wrt_adapter *adapter;
} control_extension;

/* One session per open handle of the control device. */
typedef struct session {
  KMUTEX lock; /* one request at a time per handle; a KMUTEX keeps PASSIVE_LEVEL */
  wrts_session core;
} session;

static void acquire(KMUTEX *mutex) {
  KeWaitForSingleObject(mutex, Executive, KernelMode, FALSE, NULL);
}

static void release(KMUTEX *mutex) { KeReleaseMutex(mutex, FALSE); }

static BOOLEAN is_control(PDEVICE_OBJECT device) {
  return device->DeviceType == WRTP_DEVICE_TYPE;
}

/* ---- the control device's IRPs ---- */

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

static NTSTATUS control_dispatch(PDEVICE_OBJECT device, PIRP irp) {
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  PFILE_OBJECT file = stack->FileObject;
  session *s = file != NULL ? (session *)file->FsContext : NULL;
  wrt_adapter *adapter = ((control_extension *)device->DeviceExtension)->adapter;
  irp->IoStatus.Information = 0;
  switch (stack->MajorFunction) {
    case IRP_MJ_CREATE: {
      if (adapter == NULL) return complete(irp, STATUS_DEVICE_REMOVED);
      s = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof *s, WRT_POOL_TAG);
      if (s == NULL) return complete(irp, STATUS_INSUFFICIENT_RESOURCES);
      KeInitializeMutex(&s->lock, 0);
      wrts_session_init(&s->core, &wrt_port_ops, adapter, &adapter->budget);
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
        ExFreePoolWithTag(s, WRT_POOL_TAG);
      }
      return complete(irp, STATUS_SUCCESS);
    case IRP_MJ_DEVICE_CONTROL:
      if (s == NULL) return complete(irp, STATUS_INVALID_HANDLE);
      return complete(irp, device_control(s, irp, stack));
    default: return complete(irp, STATUS_INVALID_DEVICE_REQUEST);
  }
}

/* ---- fast I/O: never for the control device ---- */

/* The fast I/O table a call on `device` goes to: PortCls's own (installed only when PortCls has
 * one), or NULL for the control device. */
static const FAST_IO_DISPATCH *fast_io_of(PDEVICE_OBJECT device) {
  return is_control(device) ? NULL : state_of(device->DriverObject)->portcls_fast_io;
}

static BOOLEAN fast_read(PFILE_OBJECT file, PLARGE_INTEGER offset, ULONG length, BOOLEAN wait,
                         ULONG key, PVOID buffer, PIO_STATUS_BLOCK status,
                         PDEVICE_OBJECT device) {
  const FAST_IO_DISPATCH *theirs = fast_io_of(device);
  return theirs != NULL && theirs->FastIoRead != NULL &&
         theirs->FastIoRead(file, offset, length, wait, key, buffer, status, device);
}

static BOOLEAN fast_write(PFILE_OBJECT file, PLARGE_INTEGER offset, ULONG length, BOOLEAN wait,
                          ULONG key, PVOID buffer, PIO_STATUS_BLOCK status,
                          PDEVICE_OBJECT device) {
  const FAST_IO_DISPATCH *theirs = fast_io_of(device);
  return theirs != NULL && theirs->FastIoWrite != NULL &&
         theirs->FastIoWrite(file, offset, length, wait, key, buffer, status, device);
}

static BOOLEAN fast_device_control(PFILE_OBJECT file, BOOLEAN wait, PVOID in, ULONG in_length,
                                   PVOID out, ULONG out_length, ULONG code,
                                   PIO_STATUS_BLOCK status, PDEVICE_OBJECT device) {
  const FAST_IO_DISPATCH *theirs = fast_io_of(device);
  return theirs != NULL && theirs->FastIoDeviceControl != NULL &&
         theirs->FastIoDeviceControl(file, wait, in, in_length, out, out_length, code, status,
                                     device);
}

/* ---- the control device: SYSTEM and Administrators only ---- */

/* S-1-5-18 (LocalSystem) and S-1-5-32-544 (BUILTIN\Administrators), laid out as a SID. */
typedef struct two_authority_sid {
  UCHAR Revision;
  UCHAR SubAuthorityCount;
  SID_IDENTIFIER_AUTHORITY IdentifierAuthority;
  ULONG SubAuthority[2];
} two_authority_sid;

static const two_authority_sid system_sid = {
    SID_REVISION, 1, {SECURITY_NT_AUTHORITY}, {SECURITY_LOCAL_SYSTEM_RID, 0}};
static const two_authority_sid admins_sid = {
    SID_REVISION, 2, {SECURITY_NT_AUTHORITY},
    {SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS}};

/* Replaces the default DACL (which lets everyone open the device) with "D:P(A;;FA;;;SY)
 * (A;;FA;;;BA)". The SD is copied by the object manager, so the buffers live on the stack. */
static NTSTATUS restrict_to_admins(PDEVICE_OBJECT device) {
  UCHAR acl_buffer[sizeof(ACL) + 2 * (sizeof(ACCESS_ALLOWED_ACE) + sizeof(two_authority_sid))];
  PACL acl = (PACL)acl_buffer;
  SECURITY_DESCRIPTOR sd;
  NTSTATUS status = RtlCreateAcl(acl, sizeof acl_buffer, ACL_REVISION);
  if (NT_SUCCESS(status)) {
    status = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, (PSID)&system_sid);
  }
  if (NT_SUCCESS(status)) {
    status = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, (PSID)&admins_sid);
  }
  if (NT_SUCCESS(status)) status = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
  if (NT_SUCCESS(status)) status = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
  sd.Control |= SE_DACL_PROTECTED; /* the "P": nothing inherited */
  HANDLE handle;
  if (NT_SUCCESS(status)) {
    status = ObOpenObjectByPointer(device, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL, KernelMode,
                                   &handle);
  }
  if (NT_SUCCESS(status)) {
    status = ZwSetSecurityObject(handle, DACL_SECURITY_INFORMATION, &sd);
    ZwClose(handle);
  }
  return status;
}

static void delete_control_device(wrt_adapter *adapter) {
  PDEVICE_OBJECT device = adapter->control_device;
  if (device == NULL) return;
  UNICODE_STRING link;
  RtlInitUnicodeString(&link, WRTP_DOS_DEVICE_NAME);
  IoDeleteSymbolicLink(&link);
  /* Handles left open still get their cleanup and close; they find no adapter. */
  ((control_extension *)device->DeviceExtension)->adapter = NULL;
  IoDeleteDevice(device);
  adapter->control_device = NULL;
}

/* Overrides of the caps from the service key's Parameters subkey; missing values keep 0 (the
 * default). RTL_QUERY_REGISTRY_TYPECHECK refuses anything but a REG_DWORD. */
#define WRT_QUERY_TYPECHECK 0x00000100u
#define WRT_QUERY_TYPECHECK_SHIFT 24
static void read_limits(wrts_limits *limits) {
  ULONG handle_mib = 0, handle_allocations = 0, global_mib = 0, global_allocations = 0;
  RTL_QUERY_REGISTRY_TABLE table[5];
  RtlZeroMemory(table, sizeof table);
  PCWSTR names[4] = {L"MaxHandleMiB", L"MaxHandleAllocations", L"MaxGlobalMiB",
                     L"MaxGlobalAllocations"};
  ULONG *values[4] = {&handle_mib, &handle_allocations, &global_mib, &global_allocations};
  for (int i = 0; i < 4; i++) {
    table[i].Flags = RTL_QUERY_REGISTRY_DIRECT | WRT_QUERY_TYPECHECK;
    table[i].Name = (PWSTR)names[i];
    table[i].EntryContext = values[i];
    table[i].DefaultType = (REG_DWORD << WRT_QUERY_TYPECHECK_SHIFT) | REG_NONE;
  }
  RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"wavert_test\\Parameters", table, NULL, NULL);
  limits->handle_bytes = (uint64_t)handle_mib << 20;
  limits->handle_allocations = handle_allocations;
  limits->global_bytes = (uint64_t)global_mib << 20;
  limits->global_allocations = global_allocations;
}

/* Once per adapter: its caps, then its control device. */
NTSTATUS wrt_adapter_started(wrt_adapter *adapter, PDEVICE_OBJECT adapter_device) {
  if (adapter->control_device != NULL) return STATUS_SUCCESS;
  wrts_limits limits;
  read_limits(&limits);
  wrts_budget_init(&adapter->budget, &limits);
  UNICODE_STRING name, link;
  RtlInitUnicodeString(&name, WRTP_DEVICE_NAME);
  RtlInitUnicodeString(&link, WRTP_DOS_DEVICE_NAME);
  PDEVICE_OBJECT device;
  NTSTATUS status = IoCreateDevice(adapter_device->DriverObject, sizeof(control_extension),
                                   &name, WRTP_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE,
                                   &device);
  if (!NT_SUCCESS(status)) return status;
  ((control_extension *)device->DeviceExtension)->adapter = adapter;
  status = restrict_to_admins(device);
  if (NT_SUCCESS(status)) status = IoCreateSymbolicLink(&link, &name);
  if (!NT_SUCCESS(status)) {
    IoDeleteDevice(device);
    return status;
  }
  device->Flags |= DO_BUFFERED_IO;
  device->Flags &= ~DO_DEVICE_INITIALIZING;
  adapter->control_device = device;
  return STATUS_SUCCESS;
}

/* ---- routing ---- */

static NTSTATUS dispatch(PDEVICE_OBJECT device, PIRP irp) {
  /* By type, not by pointer: after the adapter's removal the control device may still get the
   * cleanup and close of handles left open, and those must never reach PortCls. */
  if (is_control(device)) return control_dispatch(device, irp);
  PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
  /* The control device must go with the adapter, or the driver could never unload. */
  if (stack->MajorFunction == IRP_MJ_PNP && stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
    delete_control_device(wrt_adapter_of(device));
  }
  return state_of(device->DriverObject)->portcls_dispatch[stack->MajorFunction](device, irp);
}

static NTSTATUS add_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT physical_device) {
  return PcAddAdapterDevice(driver, physical_device, wrt_start_device, 1,
                            WRT_DEVICE_EXTENSION_SIZE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  driver_state *state;
  NTSTATUS status = IoAllocateDriverObjectExtension(driver, (PVOID)state_of, sizeof *state,
                                                    (PVOID *)&state);
  if (!NT_SUCCESS(status)) return status;
  RtlZeroMemory(state, sizeof *state);
  status = PcInitializeAdapterDriver(driver, registry_path, add_device);
  if (!NT_SUCCESS(status)) return status;
  /* PortCls filled the dispatch table. Every entry is routed through ours: the control device
   * has no PortCls device extension, so none of its IRPs may reach PortCls; the adapter's go on
   * to PortCls unchanged (after noting its removal). */
  for (ULONG major = 0; major <= IRP_MJ_MAXIMUM_FUNCTION; major++) {
    state->portcls_dispatch[major] = driver->MajorFunction[major];
    driver->MajorFunction[major] = dispatch;
  }
  /* Fast I/O likewise: only the three entries KS fills, wrapped; every other entry cleared. */
  if (driver->FastIoDispatch != NULL) {
    state->portcls_fast_io = driver->FastIoDispatch;
    state->fast_io.SizeOfFastIoDispatch = sizeof state->fast_io;
    state->fast_io.FastIoRead = fast_read;
    state->fast_io.FastIoWrite = fast_write;
    state->fast_io.FastIoDeviceControl = fast_device_control;
    driver->FastIoDispatch = &state->fast_io;
  }
  return STATUS_SUCCESS;
}
