/*
 * The Windows helper's own statuses and its stream opener (wavert_stream_windows.c).
 *
 * The statuses are Windows-only outcomes the shared WRT_E_* codes of wavert_helper.h have no
 * name for: the driver's caps and table, and the helper's own stream. They start at 64, clear of
 * the shared codes (which only grow from WRT_STATUS_COUNT upward), and wrt_status_message()
 * of the Windows DLL names each, WRTP name included. The TypeScript HelperStatus table
 * (ffi/helper_error.ts) does not list them yet: a HelperError then says "WRT_E_UNKNOWN" with
 * this message, which carries the name.
 */
#ifndef WAVERT_HELPER_WINDOWS_H
#define WAVERT_HELPER_WINDOWS_H

#include <windows.h>

#include "wavert_helper.h"

#define WRTW_FIRST_STATUS 64
#define WRTW_E_TABLE_FULL 64         /* WRTP_E_TABLE_FULL: the handle's allocation table is full */
#define WRTW_E_PAGE_INDEX 65         /* WRTP_E_PAGE_INDEX: first page past the page count */
#define WRTW_E_HANDLE_BYTES 66       /* WRTP_E_HANDLE_BYTES: the per-handle cap on locked bytes */
#define WRTW_E_HANDLE_ALLOCATIONS 67 /* WRTP_E_HANDLE_ALLOCATIONS: per-handle live allocations */
#define WRTW_E_GLOBAL_BYTES 68       /* WRTP_E_GLOBAL_BYTES: the adapter's cap on locked bytes */
#define WRTW_E_GLOBAL_ALLOCATIONS 69 /* WRTP_E_GLOBAL_ALLOCATIONS: the adapter's live allocations */
#define WRTW_E_NO_FILTER 70 /* no KSCATEGORY_RENDER + KSCATEGORY_REALTIME "Wave" interface of
                               Root\WaveRtTest: the driver is not installed or not started */
#define WRTW_E_PIN 71       /* the filter was found but KsCreatePin failed (sys_errno: its
                               Win32 error) */
#define WRTW_STATUS_END 72

/*
 * Opens a render pin of the test filter: finds its device interface (SetupDi on
 * KSCATEGORY_RENDER, aliased in KSCATEGORY_REALTIME, reference string "Wave", device with
 * hardware ID Root\WaveRtTest), opens the filter and calls KsCreatePin with 48 kHz, 16-bit,
 * stereo PCM (the one format the pin's data range accepts). PortCls then calls the miniport's
 * NewStream, which hands the driver an IPortWaveRTStream for as long as *pin stays open.
 * Returns WRT_OK, WRTW_E_NO_FILTER or WRTW_E_PIN (*error: the Win32 error).
 */
int32_t wrtw_open_stream(HANDLE *pin, uint64_t *error);

#endif /* WAVERT_HELPER_WINDOWS_H */
