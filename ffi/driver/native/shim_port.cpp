/*
 * The harness's IPortWaveRTStream: each method calls the simulator through the harness callback
 * and materialises what it returns in native memory. An MDL is wdm.h's header followed by its
 * frame numbers; a mapping is real, zeroed, page-aligned memory of the MDL's size that lives
 * until the MDL is freed (the pages keep their contents across unmap and map, as physical pages
 * do). Freed MDL headers stay allocated until the case ends, so a double free or a use after free
 * is still recognised as this stream's MDL and reported by the simulator instead of corrupting
 * the heap. Also the wrth_* entries: each runs one driver method under setjmp.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include <unordered_map>
#include <vector>

#include "../include/wrt_driver_abi.h"
#include "shim_internal.h"

namespace wrt_shim {

jmp_buf *g_bugcheck = nullptr;
KIRQL g_irql = PASSIVE_LEVEL;

namespace {

wrth_port_callback g_port = nullptr;
uint64_t *g_control = nullptr;
uintptr_t g_base = 0;

struct MdlEntry {
  PMDL mdl = nullptr;
  void *memory = nullptr; /* the mapping's backing, from the first map until the free */
  bool freed = false;
};
std::vector<MdlEntry> g_mdls(1); /* index = handle; 0 is never used */
std::unordered_map<PMDL, uint32_t> g_handles;
void *g_stream = nullptr;

uint32_t handle_of(PMDL mdl) {
  auto it = g_handles.find(mdl);
  return it == g_handles.end() ? 0 : it->second;
}

/* Copies ByteCount, MdlFlags and the mapping state the harness wrote into the native MDL. */
void sync_fields(MdlEntry &entry) {
  entry.mdl->ByteCount = (ULONG)g_control[0];
  entry.mdl->MdlFlags = (CSHORT)g_control[1];
  entry.mdl->MappedSystemVa =
      (entry.mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) != 0 ? entry.memory : nullptr;
}

PMDL materialise(int64_t handle) {
  if (handle <= 0) return nullptr;
  const uint64_t pages = g_control[2];
  const uint64_t *pfns = reinterpret_cast<const uint64_t *>(g_control[3]);
  PMDL mdl = static_cast<PMDL>(calloc(1, sizeof(MDL) + pages * sizeof(PFN_NUMBER)));
  if (mdl == nullptr) abort(); /* the harness process itself is out of memory */
  mdl->Size = (CSHORT)(sizeof(MDL) + pages * sizeof(PFN_NUMBER));
  PPFN_NUMBER array = MmGetMdlPfnArray(mdl);
  for (uint64_t i = 0; i < pages; i++) array[i] = (PFN_NUMBER)pfns[i];
  if ((size_t)handle >= g_mdls.size()) g_mdls.resize((size_t)handle + 1);
  MdlEntry &entry = g_mdls[(size_t)handle];
  entry.mdl = mdl;
  sync_fields(entry);
  g_handles[mdl] = (uint32_t)handle;
  return mdl;
}

class HarnessPortStream final : public IPortWaveRTStream {
public:
  NTSTATUS QueryInterface(REFIID, PVOID *Interface) override {
    if (Interface != nullptr) *Interface = nullptr;
    return STATUS_NOT_IMPLEMENTED;
  }
  ULONG AddRef() override { return 1; }
  ULONG Release() override { return 1; }

  PMDL AllocatePagesForMdl(PHYSICAL_ADDRESS HighAddress, SIZE_T TotalBytes) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    return materialise(call_port(WRTH_OP_ALLOCATE, 0, (uint64_t)HighAddress.QuadPart, 0,
                                 TotalBytes, site));
  }

  PMDL AllocateContiguousPagesForMdl(PHYSICAL_ADDRESS LowAddress, PHYSICAL_ADDRESS HighAddress,
                                     SIZE_T TotalBytes) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    return materialise(call_port(WRTH_OP_ALLOCATE_CONTIG, 0, (uint64_t)LowAddress.QuadPart,
                                 (uint64_t)HighAddress.QuadPart, TotalBytes, site));
  }

  PVOID MapAllocatedPages(PMDL Mdl, MEMORY_CACHING_TYPE CacheType) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    const uint32_t handle = handle_of(Mdl);
    if (call_port(WRTH_OP_MAP, handle, (uint64_t)(uint32_t)CacheType, 0, 0, site) != 1) {
      return nullptr;
    }
    if (handle == 0) abort(); /* the harness never maps a foreign MDL */
    MdlEntry &entry = g_mdls[handle];
    if (entry.memory == nullptr) {
      const size_t bytes = ROUND_TO_PAGES(g_control[0]);
      if (posix_memalign(&entry.memory, PAGE_SIZE, bytes) != 0) abort();
      memset(entry.memory, 0, bytes);
    }
    sync_fields(entry);
    return entry.memory;
  }

  VOID UnmapAllocatedPages(PVOID BaseAddress, PMDL Mdl) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    const uint32_t handle = handle_of(Mdl);
    const bool same = handle != 0 && g_mdls[handle].memory != nullptr &&
                      BaseAddress == g_mdls[handle].memory;
    call_port(WRTH_OP_UNMAP, handle, same ? 1 : 0, 0, 0, site);
    if (handle != 0) sync_fields(g_mdls[handle]);
  }

  VOID FreePagesFromMdl(PMDL Mdl) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    const uint32_t handle = handle_of(Mdl);
    call_port(WRTH_OP_FREE, handle, 0, 0, 0, site);
    if (handle == 0) return; /* the harness reports a foreign MDL before this */
    MdlEntry &entry = g_mdls[handle];
    free(entry.memory);
    entry.memory = nullptr;
    entry.freed = true;
  }

  ULONG GetPhysicalPagesCount(PMDL Mdl) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    return (ULONG)call_port(WRTH_OP_PAGE_COUNT, handle_of(Mdl), 0, 0, 0, site);
  }

  PHYSICAL_ADDRESS GetPhysicalPageAddress(PMDL Mdl, ULONG Index) override {
    const uint32_t site = site_of(__builtin_return_address(0));
    PHYSICAL_ADDRESS address;
    address.QuadPart = call_port(WRTH_OP_PAGE_ADDRESS, handle_of(Mdl), Index, 0, 0, site);
    return address;
  }
};

HarnessPortStream g_port_stream;

void clear_out(uint64_t *out) {
  for (int i = 0; i < WRTH_OUT_WORDS; i++) out[i] = 0;
}

void release_mdls() {
  for (MdlEntry &entry : g_mdls) {
    free(entry.memory);
    free(entry.mdl);
  }
  g_mdls.assign(1, MdlEntry{});
  g_handles.clear();
}

/* Fills the buffer outputs of an allocation. */
void report_buffer(uint64_t *out, NTSTATUS status, PMDL mdl, ULONG actual, ULONG offset,
                   MEMORY_CACHING_TYPE cache) {
  out[WRTH_OUT_STATUS] = (uint64_t)(uint32_t)status;
  out[WRTH_OUT_MDL] = (uint64_t)(uintptr_t)mdl;
  out[WRTH_OUT_MDL_HANDLE] = handle_of(mdl);
  out[WRTH_OUT_ACTUAL] = actual;
  out[WRTH_OUT_OFFSET] = offset;
  out[WRTH_OUT_CACHE] = (uint64_t)(uint32_t)cache;
}

}  // namespace

uint32_t site_of(const void *return_address) {
  const uintptr_t address = (uintptr_t)return_address;
  if (address < g_base || address - g_base >= WRTH_NO_SITE) return WRTH_NO_SITE;
  return (uint32_t)(address - g_base);
}

int64_t call_port(uint32_t op, uint32_t handle, uint64_t a, uint64_t b, uint64_t c,
                  uint32_t site) {
  if (g_port == nullptr || g_bugcheck == nullptr) abort(); /* called outside a wrth_* entry */
  const int64_t result = g_port(op | ((uint32_t)g_irql << 8), handle, a, b, c, site);
  if (result == WRTH_BUGCHECK) longjmp(*g_bugcheck, 1);
  return result;
}

}  // namespace wrt_shim

using namespace wrt_shim;

/* Runs one driver call; `body` may be stopped by a bug check (a longjmp back to here). */
template <typename Body>
static int32_t run_entry(uint64_t *out, Body body) {
  clear_out(out);
  g_irql = PASSIVE_LEVEL; /* PortCls calls every buffer method at PASSIVE_LEVEL */
  jmp_buf stop;
  if (setjmp(stop) != 0) {
    g_bugcheck = nullptr;
    out[WRTH_OUT_IRQL] = g_irql;
    return 1;
  }
  g_bugcheck = &stop;
  body();
  g_bugcheck = nullptr;
  out[WRTH_OUT_IRQL] = g_irql;
  return 0;
}

extern "C" {

__attribute__((visibility("default"))) uint32_t wrth_abi_version(void) {
  return WRTH_ABI_VERSION;
}

__attribute__((visibility("default"))) int32_t wrth_begin(wrth_port_callback port,
                                                          uint64_t *control) {
  wrth_end();
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&wrth_begin), &info) == 0) return -1;
  g_base = (uintptr_t)info.dli_fbase;
  install_crash_handler();
  g_port = port;
  g_control = control;
  return 0;
}

__attribute__((visibility("default"))) int32_t wrth_create(const void *format,
                                                           const char *parameters,
                                                           uint64_t *out) {
  return run_entry(out, [&] {
    void *stream = nullptr;
    const NTSTATUS status =
        wrt_driver_create_stream(&g_port_stream, static_cast<const WAVEFORMATEX *>(format),
                                 parameters == nullptr ? "" : parameters, &stream);
    g_stream = NT_SUCCESS(status) ? stream : nullptr;
    out[WRTH_OUT_STATUS] = (uint64_t)(uint32_t)status;
  });
}

__attribute__((visibility("default"))) int32_t wrth_allocate(uint32_t notification_count,
                                                             uint32_t requested_size,
                                                             uint64_t *out) {
  return run_entry(out, [&] {
    PMDL mdl = nullptr;
    ULONG actual = 0, offset = 0;
    MEMORY_CACHING_TYPE cache = MmNotMapped;
    const NTSTATUS status =
        notification_count == 0
            ? wrt_driver_allocate_audio_buffer(g_stream, requested_size, &mdl, &actual, &offset,
                                               &cache)
            : wrt_driver_allocate_buffer_with_notification(g_stream, notification_count,
                                                           requested_size, &mdl, &actual,
                                                           &offset, &cache);
    report_buffer(out, status, mdl, actual, offset, cache);
  });
}

__attribute__((visibility("default"))) int32_t wrth_free(uint32_t with_notification,
                                                         uint64_t mdl, uint32_t buffer_size,
                                                         uint64_t *out) {
  return run_entry(out, [&] {
    PMDL pointer = reinterpret_cast<PMDL>((uintptr_t)mdl);
    if (with_notification != 0) {
      wrt_driver_free_buffer_with_notification(g_stream, pointer, buffer_size);
    } else {
      wrt_driver_free_audio_buffer(g_stream, pointer, buffer_size);
    }
  });
}

__attribute__((visibility("default"))) int32_t wrth_destroy(uint64_t *out) {
  return run_entry(out, [&] {
    if (g_stream != nullptr) wrt_driver_destroy_stream(g_stream);
    g_stream = nullptr;
  });
}

__attribute__((visibility("default"))) void wrth_end(void) {
  release_mdls();
  release_pool();
  clear_log();
  g_stream = nullptr;
  g_bugcheck = nullptr;
  g_irql = PASSIVE_LEVEL;
  g_port = nullptr;
  g_control = nullptr;
}

__attribute__((visibility("default"))) uint32_t wrth_peek(uint64_t mdl, uint32_t offset) {
  const uint32_t handle = handle_of(reinterpret_cast<PMDL>((uintptr_t)mdl));
  if (handle == 0 || g_mdls[handle].memory == nullptr) return 0x100;
  if (offset >= ROUND_TO_PAGES(g_mdls[handle].mdl->ByteCount)) return 0x100;
  return static_cast<const UCHAR *>(g_mdls[handle].memory)[offset];
}

}  // extern "C"
