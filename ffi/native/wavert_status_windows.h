/* wavert_status_windows.c: status texts and the driver-to-helper status mapping. */
#ifndef WAVERT_STATUS_WINDOWS_H
#define WAVERT_STATUS_WINDOWS_H

#include <stdint.h>

/* The helper's text for a WRT_* or WRTW_* status, or NULL for an unknown one. */
const char *wrtw_message(int32_t status);

/* The helper status for a driver status (WRTP_*); *error gets unnamed driver statuses. */
int32_t wrtw_status_of(int32_t driver_status, uint64_t *error);

/* Copies `text` NUL-terminated into buffer (capacity bytes, may be 0); returns its length. */
uint64_t wrtw_copy_text(const char *text, uint8_t *buffer, uint64_t capacity);

#endif /* WAVERT_STATUS_WINDOWS_H */
