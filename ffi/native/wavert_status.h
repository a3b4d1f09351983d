/*
 * The status texts both helpers share (wavert_status.c) and the text copy both use; each helper
 * words the statuses that depend on its platform itself.
 */
#ifndef WAVERT_STATUS_H
#define WAVERT_STATUS_H

#include <stdint.h>

#include "wavert_helper.h"

#if defined(_WIN32)
#define WRT_STATUS_INTERNAL
#else
#define WRT_STATUS_INTERNAL __attribute__((visibility("hidden")))
#endif

/* The text of a WRT_* status: the platform's own (`platform`, indexed by status) when it has one,
 * else the shared one; NULL for a status outside 0..WRT_STATUS_COUNT - 1. */
WRT_STATUS_INTERNAL const char *wrt_status_text(int32_t status,
                                                const char *const platform[WRT_STATUS_COUNT]);

/* Copies `text` NUL-terminated into buffer (capacity bytes, may be 0); returns its length. */
WRT_STATUS_INTERNAL uint64_t wrt_copy_text(const char *text, uint8_t *buffer, uint64_t capacity);

#endif /* WAVERT_STATUS_H */
