/*
 * What the two halves of wavert_test.sys share: the per-adapter state, kept in the adapter
 * device's extension after PortCls's part (no driver globals), and the PortCls-facing entry
 * points of miniport.c, which the control device (wavert_test.c) and the MSVC ABI test
 * (../msvc_abi/) both use.
 */
#ifndef WAVERT_ADAPTER_H
#define WAVERT_ADAPTER_H

#include "portcls_min.h"
#include "session.h"

/* Pool tag "WRtt" as pool tools show it (the first character is the low byte). */
#define WRT_POOL_TAG ((ULONG)'W' | (ULONG)'R' << 8 | (ULONG)'t' << 16 | (ULONG)'t' << 24)

/* portcls.h: the part of an adapter device's extension PortCls keeps for itself. */
#define WRT_PORTCLS_EXTENSION_SIZE (64 * sizeof(ULONG_PTR))

/* One adapter instance. Lives in its device extension, zeroed by the I/O manager. */
typedef struct wrt_adapter {
  BOOLEAN initialized;
  KMUTEX stream_lock;
  /* The IPortWaveRTStream of the newest open stream, with a reference of our own, under
   * stream_lock; current_owner is the miniport stream that handed it over. */
  IPortWaveRTStream *current_stream;
  PVOID current_owner;
  /* The control device this adapter created, or NULL. */
  PDEVICE_OBJECT control_device;
  /* Caps on locked bytes and live allocations over every handle of this adapter. */
  wrts_budget budget;
} wrt_adapter;

/* What PcAddAdapterDevice is asked to reserve. */
#define WRT_DEVICE_EXTENSION_SIZE (WRT_PORTCLS_EXTENSION_SIZE + sizeof(wrt_adapter))

/* The adapter state of an adapter device (the FDO PortCls created). */
static inline wrt_adapter *wrt_adapter_of(PDEVICE_OBJECT adapter_device) {
  return (wrt_adapter *)((PUCHAR)adapter_device->DeviceExtension + WRT_PORTCLS_EXTENSION_SIZE);
}

/* miniport.c: session.c's operations over IPortWaveRTStream; the context is a wrt_adapter. */
extern const wrts_ops wrt_port_ops;

/* miniport.c: the PCPFNSTARTDEVICE given to PcAddAdapterDevice. */
NTSTATUS wrt_start_device(PDEVICE_OBJECT device, PIRP irp, IResourceList *resources);

/* wavert_test.c: called by wrt_start_device once the subdevice is registered. */
NTSTATUS wrt_adapter_started(wrt_adapter *adapter, PDEVICE_OBJECT device);

#endif /* WAVERT_ADAPTER_H */
