/*
 * The Windows helper's own status texts (the shared ones are in wavert_status.c) and the mapping
 * from the driver's WRTP_E_* statuses to the helper's, shared codes (wavert_helper.h) and
 * Windows-only ones (wavert_helper_windows.h).
 */
#include "wavert_status_windows.h"

#include "wavert_helper_windows.h"
#include "wavert_protocol.h"
#include "wavert_status.h"

#define WRT_EXPORT __declspec(dllexport)

#define NOT_FOUND_MESSAGE \
  "WaveRT test driver not found: install it as described in README (Windows bridge)"

/* Texts of the statuses the Windows helper words its own way; wavert_status.c has the rest. */
static const char *const windows_wording[WRT_STATUS_COUNT] = {
    [WRT_E_NO_MEMORY] = "the driver's IPortWaveRTStream call returned NULL",
    [WRT_E_FRAMES_UNAVAILABLE] = "frame numbers are unavailable",
    [WRT_E_SYSTEM] = "a system call failed unexpectedly (sys_errno holds GetLastError())",
    [WRT_E_DRIVER_NOT_FOUND] = NOT_FOUND_MESSAGE,
    [WRT_E_NO_STREAM] = "no WaveRT stream is open on the test driver: play audio to its endpoint "
                        "so PortCls hands it an IPortWaveRTStream",
    [WRT_E_PROTOCOL] = "the WaveRT test driver refused the request or answered a malformed "
                       "message (sys_errno holds the WRTP_E_* status): rebuild helper and driver "
                       "from the same sources",
    [WRT_E_ADDRESSES_HIDDEN] = "physical addresses are hidden (Linux helper only: /proc/iomem "
                               "without CAP_SYS_ADMIN)",
    [WRT_E_UNSUPPORTED] = "physical RAM ranges are not supported by the Windows helper: the "
                          "memory map is drawn without them",
};

/* Windows-only statuses (wavert_helper_windows.h), from WRTW_FIRST_STATUS on. */
static const char *const windows_messages[WRTW_STATUS_END - WRTW_FIRST_STATUS] = {
    [WRTW_E_TABLE_FULL - WRTW_FIRST_STATUS] =
        "WRTP_E_TABLE_FULL: this context holds as many allocations as the driver's table has "
        "slots (1024): free some first",
    [WRTW_E_PAGE_INDEX - WRTW_FIRST_STATUS] =
        "WRTP_E_PAGE_INDEX: the first page asked for is past the allocation's page count",
    [WRTW_E_HANDLE_BYTES - WRTW_FIRST_STATUS] =
        "WRTP_E_HANDLE_BYTES: this context would pass the driver's cap on locked bytes per "
        "handle (1 GiB unless the service key's Parameters\\MaxHandleMiB says otherwise)",
    [WRTW_E_HANDLE_ALLOCATIONS - WRTW_FIRST_STATUS] =
        "WRTP_E_HANDLE_ALLOCATIONS: this context would pass the driver's cap on live allocations "
        "per handle (1024 unless Parameters\\MaxHandleAllocations says otherwise)",
    [WRTW_E_GLOBAL_BYTES - WRTW_FIRST_STATUS] =
        "WRTP_E_GLOBAL_BYTES: all handles together would pass the driver's cap on locked bytes "
        "(2 GiB unless Parameters\\MaxGlobalMiB says otherwise)",
    [WRTW_E_GLOBAL_ALLOCATIONS - WRTW_FIRST_STATUS] =
        "WRTP_E_GLOBAL_ALLOCATIONS: all handles together would pass the driver's cap on live "
        "allocations (4096 unless Parameters\\MaxGlobalAllocations says otherwise)",
    [WRTW_E_NO_FILTER - WRTW_FIRST_STATUS] =
        "WRTW_E_NO_FILTER: no WaveRT test filter (KSCATEGORY_RENDER and KSCATEGORY_REALTIME, "
        "reference string Wave, hardware ID Root\\WaveRtTest) is present: install and start the "
        "driver (docs/windows-runbook.md)",
    [WRTW_E_PIN - WRTW_FIRST_STATUS] =
        "WRTW_E_PIN: the WaveRT test filter refused to open its render pin (KsCreatePin; "
        "sys_errno holds the Win32 error)",
};

const char *wrtw_message(int32_t status) {
  if (status >= 0 && status < WRT_STATUS_COUNT) return wrt_status_text(status, windows_wording);
  if (status >= WRTW_FIRST_STATUS && status < WRTW_STATUS_END) {
    return windows_messages[status - WRTW_FIRST_STATUS];
  }
  return NULL;
}

/* The WRT status for a driver status that is not WRTP_OK. */
int32_t wrtw_status_of(int32_t driver_status, uint64_t *error) {
  switch (driver_status) {
    case WRTP_OK: return WRT_OK;
    case WRTP_E_NO_STREAM: return WRT_E_NO_STREAM;
    case WRTP_E_NULL_MDL: return WRT_E_NO_MEMORY;
    case WRTP_E_NULL_MAPPING: return WRT_E_NO_MEMORY;
    case WRTP_E_UNKNOWN_HANDLE: return WRT_E_UNKNOWN_HANDLE;
    case WRTP_E_ALREADY_MAPPED: return WRT_E_ALREADY_MAPPED;
    case WRTP_E_NOT_MAPPED: return WRT_E_NOT_MAPPED;
    case WRTP_E_WRONG_ADDRESS: return WRT_E_WRONG_ADDRESS;
    case WRTP_E_STILL_MAPPED: return WRT_E_STILL_MAPPED;
    case WRTP_E_TABLE_FULL: return WRTW_E_TABLE_FULL;
    case WRTP_E_PAGE_INDEX: return WRTW_E_PAGE_INDEX;
    case WRTP_E_HANDLE_BYTES: return WRTW_E_HANDLE_BYTES;
    case WRTP_E_HANDLE_ALLOCATIONS: return WRTW_E_HANDLE_ALLOCATIONS;
    case WRTP_E_GLOBAL_BYTES: return WRTW_E_GLOBAL_BYTES;
    case WRTP_E_GLOBAL_ALLOCATIONS: return WRTW_E_GLOBAL_ALLOCATIONS;
    default: *error = (uint64_t)driver_status; return WRT_E_PROTOCOL;
  }
}

uint64_t wrtw_copy_text(const char *text, uint8_t *buffer, uint64_t capacity) {
  return wrt_copy_text(text, buffer, capacity);
}

WRT_EXPORT uint64_t wrt_status_message(int32_t status, uint8_t *buffer, uint64_t capacity) {
  const char *text = wrtw_message(status);
  return wrtw_copy_text(text != NULL ? text : "unknown status code", buffer, capacity);
}

