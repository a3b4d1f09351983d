/*
 * The status texts the Linux and the Windows helper share, and the text copy of both
 * (wavert_status.h). Plain C without the C library, so the Windows build links it as it is.
 */
#include "wavert_status.h"

#include <stddef.h>

static const char *const shared_messages[WRT_STATUS_COUNT] = {
    [WRT_OK] = "success",
    [WRT_E_INVALID_ARGUMENT] = "invalid argument: a required buffer is null, the cache type is "
                               "unknown or the address range is empty",
    [WRT_E_ZERO_SIZE] = "totalBytes is 0: there is nothing to allocate",
    [WRT_E_TOO_LARGE] = "totalBytes exceeds 4 GB minus one page, the most one call may allocate",
    [WRT_E_BUFFER_TOO_SMALL] = "the frame array is shorter than the number of pages requested",
    [WRT_E_NOT_CONTIGUOUS] = "the pages obtained were not physically contiguous",
    [WRT_E_UNKNOWN_HANDLE] = "the handle is not a live allocation or context: already freed, or "
                             "never allocated here",
    [WRT_E_ALREADY_MAPPED] = "the allocation is already mapped",
    [WRT_E_NOT_MAPPED] = "the allocation is not mapped",
    [WRT_E_WRONG_ADDRESS] = "the base address is not the one the map call returned",
    [WRT_E_STILL_MAPPED] = "the allocation is still mapped: unmap it before freeing",
    [WRT_E_OVER_BUDGET] = "the request would hold more memory locked than the context's "
                          "locked-memory budget allows",
};

const char *wrt_status_text(int32_t status, const char *const platform[WRT_STATUS_COUNT]) {
  if (status < 0 || status >= WRT_STATUS_COUNT) return NULL;
  return platform[status] != NULL ? platform[status] : shared_messages[status];
}

uint64_t wrt_copy_text(const char *text, uint8_t *buffer, uint64_t capacity) {
  size_t length = 0;
  while (text[length] != '\0') length++;
  if (buffer != NULL && capacity > 0) {
    size_t n = length < capacity - 1 ? length : (size_t)capacity - 1;
    for (size_t i = 0; i < n; i++) buffer[i] = (uint8_t)text[i];
    buffer[n] = '\0';
  }
  return length;
}
