/*
 * What the MSVC-compiled PortCls stand-in (portcls_standin.cpp) and the driver side of the ABI
 * test (driver_side.c, built like the driver) share: plain C with fixed-width fields, whose
 * layout is the same in both ABIs. The stand-in records every IPortWaveRTStream call it
 * receives; the driver side compares them with what it asked for.
 */
#ifndef WAVERT_ABI_LOG_H
#define WAVERT_ABI_LOG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* IPortWaveRTStream vtable slots, counted from QueryInterface = 0. */
enum {
  ABI_SLOT_ALLOCATE_PAGES = 3,
  ABI_SLOT_ALLOCATE_CONTIGUOUS = 4,
  ABI_SLOT_MAP = 5,
  ABI_SLOT_UNMAP = 6,
  ABI_SLOT_FREE = 7,
  ABI_SLOT_PAGE_COUNT = 8,
  ABI_SLOT_PAGE_ADDRESS = 9,
  /* IPortWaveRT's slots the driver itself never calls, called by driver_side.c so that their
   * positions are checked too (logged as 100 + slot; QueryInterface of the stream as 0). */
  ABI_SLOT_STREAM_QUERY = 0,
  ABI_SLOT_PORT_QUERY = 100,
  ABI_SLOT_PORT_DEVICE_PROPERTY = 104,
  ABI_SLOT_PORT_REGISTRY_KEY = 105,
};

typedef struct abi_call {
  uint32_t slot;
  uint32_t reserved;
  uint64_t args[7]; /* after `this`, as the callee saw them */
  uint64_t result;  /* what the callee returned */
} abi_call;

#define ABI_MAX_CALLS 256u
#define ABI_TEXT 16384u

typedef struct abi_log {
  uint32_t failures; /* checks the stand-in made that failed */
  uint32_t checks;   /* checks the stand-in made */
  uint32_t call_count;
  uint32_t text_length;
  abi_call calls[ABI_MAX_CALLS];
  char text[ABI_TEXT]; /* one line per failed check */
} abi_log;

/* Exported by the stand-in (portcls.sys of the test). */
#ifdef ABI_STANDIN
#define ABI_IMPORT
#else
#define ABI_IMPORT __declspec(dllimport)
#endif
typedef int32_t (*abi_start_device_fn)(void *device, void *irp, void *resources);
ABI_IMPORT abi_log *StandInLog(void);
/* Plays PortCls's part of IRP_MN_START_DEVICE: calls start_device(device, ...) as PortCls does. */
ABI_IMPORT void StandInStartDevice(void *device, abi_start_device_fn start_device);
/* Opens a stream on the miniport (NewStream) and calls every IMiniportWaveRTStream slot. */
ABI_IMPORT void StandInOpenStream(void);
/* The port and the port stream, as the driver sees them (opaque here). */
ABI_IMPORT void *StandInPort(void);
ABI_IMPORT void *StandInPortStream(void);
/* Releases the miniport stream, then the miniport and the port; checks every reference. */
ABI_IMPORT void StandInStop(void);

#ifdef __cplusplus
}
#endif

#endif /* WAVERT_ABI_LOG_H */
