/* State the two halves of the shim share (shim_port.cpp, shim_runtime.cpp); not an ABI. */
#ifndef WRT_SHIM_INTERNAL_H
#define WRT_SHIM_INTERNAL_H

#include <setjmp.h>

#include "../include/wrt_wdm.h"
#include "wrt_harness.h"

namespace wrt_shim {

/* The driver call in progress: where a bug check jumps to. */
extern jmp_buf *g_bugcheck;
extern KIRQL g_irql;

/* The driver's return address as an offset into the loaded library. */
uint32_t site_of(const void *return_address);

/* Calls the harness; a WRTH_BUGCHECK answer longjmps to the current entry and never returns. */
int64_t call_port(uint32_t op, uint32_t handle, uint64_t a, uint64_t b, uint64_t c,
                  uint32_t site);

/* Frees every pool block and clears the log: part of wrth_end. */
void release_pool();
/* Installs the crash reporter once per process (wrth_begin). */
void install_crash_handler();
void clear_log();

}  // namespace wrt_shim

#endif
