/*
 * Internal to the Windows helper: wavert_status_windows.c (status texts, the driver-to-helper
 * status mapping) and wavert_device_windows.c (the driver's device and one exchange).
 */
#ifndef WAVERT_STATUS_WINDOWS_H
#define WAVERT_STATUS_WINDOWS_H

#include <stdint.h>
#include <windows.h>

#include "wavert_protocol.h"

/* The system page size. */
uint64_t wrtw_page_size(void);

/* Opens the driver's device; WRT_E_DRIVER_NOT_FOUND when it is missing, else WRT_E_SYSTEM. */
int32_t wrtw_open_device(HANDLE *device, uint64_t *error);

/* Sends one request and validates the answer; *response then holds the driver's own status. */
int32_t wrtw_exchange(HANDLE device, const wrtp_request *request, wrtp_response *response,
                      uint64_t *error);

/* The helper's text for a WRT_* or WRTW_* status, or NULL for an unknown one. */
const char *wrtw_message(int32_t status);

/* The helper status for a driver status (WRTP_*); *error gets unnamed driver statuses. */
int32_t wrtw_status_of(int32_t driver_status, uint64_t *error);

/* Copies `text` NUL-terminated into buffer (capacity bytes, may be 0); returns its length. */
uint64_t wrtw_copy_text(const char *text, uint8_t *buffer, uint64_t capacity);

#endif /* WAVERT_STATUS_WINDOWS_H */
