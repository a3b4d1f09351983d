/*
 * The shim and a driver, natively, without Deno: a small fake port (page allocator with a memory
 * cap, map/unmap/free bookkeeping, pool ids, bug checks for misuse) answers the harness callback,
 * so the shim's MDL materialisation, mappings, pool quarantine and longjmp path run under
 * AddressSanitizer + UndefinedBehaviorSanitizer (and LeakSanitizer at exit). Built once per
 * driver: -DWRT_TEST_DRIVER_EXAMPLE (the example, also with its classic bugs) or
 * -DWRT_TEST_DRIVER_CONTRACT (the C test driver). Prints "N passed, 0 failed".
 */
#include <stdio.h>

#include <vector>

#include "../include/wrt_portcls.h"
#include "wrt_harness.h"

namespace {

int g_passed = 0, g_failed = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      g_passed++;                                                     \
    } else {                                                          \
      g_failed++;                                                     \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

struct FakeMdl {
  uint64_t pages, bytes;
  bool mapped = false, freed = false;
};

struct FakePort {
  uint64_t control[4] = {};
  std::vector<uint64_t> pfns = std::vector<uint64_t>(4096);
  std::vector<FakeMdl> mdls = std::vector<FakeMdl>(1);
  std::vector<bool> pool = std::vector<bool>(1); /* live? */
  uint64_t cap_pages = ~0ull, held = 0, next_pfn = 0x100;
  int fail_map = 0; /* fail the Nth map (1-based), 0: never */
  int maps = 0;
  int bugchecks = 0;

  int64_t bugcheck() {
    bugchecks++;
    return WRTH_BUGCHECK;
  }
  int64_t allocate(uint64_t bytes, bool contiguous) {
    uint64_t pages = (bytes + 4095) / 4096;
    if (held + pages > cap_pages) {
      if (contiguous || held >= cap_pages) return 0;
      pages = cap_pages - held;
    }
    for (uint64_t i = 0; i < pages; i++) pfns[i] = next_pfn + (contiguous ? i : 2 * i);
    next_pfn += 2 * pages;
    held += pages;
    mdls.push_back({pages, pages * 4096});
    control[0] = pages * 4096;
    control[1] = MDL_PAGES_LOCKED;
    control[2] = pages;
    control[3] = (uint64_t)(uintptr_t)pfns.data();
    return (int64_t)mdls.size() - 1;
  }
  int64_t call(uint32_t op_irql, uint32_t handle, uint64_t a, uint64_t, uint64_t c) {
    const uint32_t op = op_irql & 0xff, irql = op_irql >> 8;
    if (irql != 0 && op <= WRTH_OP_PAGE_ADDRESS) return bugcheck();
    FakeMdl *mdl = handle != 0 && handle < mdls.size() ? &mdls[handle] : nullptr;
    const bool mdl_op = op >= WRTH_OP_MAP && op <= WRTH_OP_PAGE_ADDRESS;
    if (mdl_op && (mdl == nullptr || mdl->freed)) return bugcheck();
    switch (op) {
      case WRTH_OP_ALLOCATE: return allocate(c, false);
      case WRTH_OP_ALLOCATE_CONTIG: return allocate(c, true);
      case WRTH_OP_MAP:
        if (mdl->mapped) return bugcheck();
        if (++maps == fail_map) return 0;
        mdl->mapped = true;
        control[0] = mdl->bytes;
        control[1] = MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA;
        return 1;
      case WRTH_OP_UNMAP:
        if (!mdl->mapped || a != 1) return bugcheck();
        mdl->mapped = false;
        control[0] = mdl->bytes;
        control[1] = MDL_PAGES_LOCKED;
        return 0;
      case WRTH_OP_FREE:
        if (mdl->mapped) return bugcheck();
        mdl->freed = true;
        held -= mdl->pages;
        return 0;
      case WRTH_OP_PAGE_COUNT: return (int64_t)mdl->pages;
      case WRTH_OP_PAGE_ADDRESS: return a < mdl->pages ? (int64_t)(0x100000 + a * 0x2000) : bugcheck();
      case WRTH_OP_POOL_ALLOCATE:
        pool.push_back(true);
        return (int64_t)pool.size() - 1;
      case WRTH_OP_POOL_FREE:
        if (handle == 0 || handle >= pool.size() || !pool[handle]) return bugcheck();
        pool[handle] = false;
        return 0;
      default: return bugcheck();
    }
  }
  int live_mdls() const {
    int n = 0;
    for (size_t i = 1; i < mdls.size(); i++) n += mdls[i].freed ? 0 : 1;
    return n;
  }
  int live_pool() const {
    int n = 0;
    for (size_t i = 1; i < pool.size(); i++) n += pool[i] ? 1 : 0;
    return n;
  }
};

FakePort *g_port = nullptr;
int64_t port_callback(uint32_t op_irql, uint32_t handle, uint64_t a, uint64_t b, uint64_t c,
                      uint32_t) {
  return g_port->call(op_irql, handle, a, b, c);
}

const WAVEFORMATEX kFormat = {WAVE_FORMAT_PCM, 2, 48000, 192000, 4, 16, 0};

/* Runs create, one allocation (notification_count, bytes), free, destroy; returns the allocation. */
struct Run {
  int32_t allocate_stopped = 0, free_stopped = 0;
  uint64_t out[WRTH_OUT_WORDS] = {};
};
Run run_case(FakePort &port, const char *parameters, uint32_t notifications, uint32_t bytes) {
  Run run;
  g_port = &port;
  uint64_t out[WRTH_OUT_WORDS];
  CHECK(wrth_begin(port_callback, port.control) == 0);
  CHECK(wrth_create(&kFormat, parameters, out) == 0 && NT_SUCCESS((NTSTATUS)out[0]));
  run.allocate_stopped = wrth_allocate(notifications, bytes, run.out);
  if (run.allocate_stopped == 0 && NT_SUCCESS((NTSTATUS)run.out[WRTH_OUT_STATUS])) {
    const PMDL mdl = reinterpret_cast<PMDL>((uintptr_t)run.out[WRTH_OUT_MDL]);
    CHECK(run.out[WRTH_OUT_MDL_HANDLE] != 0);
    CHECK((mdl->MdlFlags & MDL_PAGES_LOCKED) != 0);
    CHECK(MmGetMdlPfnArray(mdl)[0] >= 0x100);
    CHECK(mdl->Size == (CSHORT)(sizeof(MDL) + BYTES_TO_PAGES(mdl->ByteCount) * sizeof(PFN_NUMBER)));
    run.free_stopped = wrth_free(notifications > 0, run.out[WRTH_OUT_MDL],
                                 (uint32_t)run.out[WRTH_OUT_ACTUAL], out);
  }
  if (run.allocate_stopped == 0 && run.free_stopped == 0) CHECK(wrth_destroy(out) == 0);
  wrth_end();
  return run;
}

}  // namespace

int main() {
#if defined(WRT_TEST_DRIVER_EXAMPLE)
  {
    FakePort port;
    Run run = run_case(port, "", 2, 19200);
    CHECK(run.allocate_stopped == 0 && run.out[WRTH_OUT_STATUS] == 0);
#ifdef WAVERT_EXAMPLE_CLASSIC_BUGS
    CHECK(run.out[WRTH_OUT_ACTUAL] == 19200);
#else
    CHECK(run.out[WRTH_OUT_ACTUAL] == 19200);
#endif
    CHECK(port.live_mdls() == 0 && port.live_pool() == 0 && port.bugchecks == 0);
  }
  {
    FakePort port;
    port.cap_pages = 3; /* BDL page + 2 buffer pages */
    Run run = run_case(port, "", 2, 19200);
    CHECK(run.out[WRTH_OUT_STATUS] == 0);
#ifdef WAVERT_EXAMPLE_CLASSIC_BUGS
    CHECK(run.out[WRTH_OUT_ACTUAL] == 19200); /* the classic bug: more than the 8192 it has */
#else
    CHECK(run.out[WRTH_OUT_ACTUAL] == 8192);
#endif
    CHECK(port.live_mdls() == 0 && port.live_pool() == 0);
  }
  {
    FakePort port;
    port.fail_map = 2; /* the BDL maps first, then the buffer */
    Run run = run_case(port, "", 1, 4096);
    CHECK(run.out[WRTH_OUT_STATUS] == (uint64_t)(uint32_t)STATUS_INSUFFICIENT_RESOURCES);
#ifdef WAVERT_EXAMPLE_CLASSIC_BUGS
    CHECK(port.live_mdls() == 1); /* the classic bug: the buffer MDL is leaked */
#else
    CHECK(port.live_mdls() == 0);
#endif
  }
#elif defined(WRT_TEST_DRIVER_CONTRACT)
  {
    FakePort port;
    Run run = run_case(port, "ok", 0, 4096);
    CHECK(run.allocate_stopped == 0 && run.free_stopped == 0 && port.bugchecks == 0);
    CHECK(port.live_mdls() == 0 && port.live_pool() == 0);
  }
  for (const char *mode : {"double-free", "pool-double-free", "dispatch", "paged-code-dispatch"}) {
    FakePort port;
    Run run = run_case(port, mode, 0, 4096);
    CHECK(run.allocate_stopped + run.free_stopped == 1); /* stopped by the bug check */
    CHECK(port.bugchecks == 1);
  }
  {
    FakePort port;
    g_port = &port;
    uint64_t out[WRTH_OUT_WORDS];
    CHECK(wrth_begin(port_callback, port.control) == 0);
    CHECK(wrth_create(&kFormat, "ok", out) == 0);
    CHECK(wrth_allocate(0, 8192, out) == 0 && out[WRTH_OUT_STATUS] == 0);
    CHECK(wrth_peek(out[WRTH_OUT_MDL], 0) == 0x5A && wrth_peek(out[WRTH_OUT_MDL], 8191) == 0x5A);
    CHECK(wrth_peek(out[WRTH_OUT_MDL], 8192) == 0x100);
    char text[256];
    CHECK(wrth_symbolize(WRTH_NO_SITE, text, sizeof text) > 0);
    CHECK(wrth_demangle("_ZN3Foo3barEi", text, sizeof text) == 13 &&
          strcmp(text, "Foo::bar(int)") == 0);
    CHECK(wrth_demangle("plain_c", text, sizeof text) == 7 && strcmp(text, "plain_c") == 0);
    CHECK(wrth_demangle("_ZN3Foo3barEi", text, 4) == 13 && strcmp(text, "Foo") == 0);
    wrth_end(); /* a case abandoned mid-way: everything native is still freed */
  }
#else
#error "define WRT_TEST_DRIVER_EXAMPLE or WRT_TEST_DRIVER_CONTRACT"
#endif
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
