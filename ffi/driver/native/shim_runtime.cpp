/*
 * The kernel routines of wrt_wdm.h as the harness provides them: pool blocks (each one known to
 * the harness, with its tag and call site, and kept until the case ends once freed, so a double
 * free is recognised rather than corrupting the heap), the IRQL, PAGED_CODE, DbgPrint, the
 * symbolizer for call sites, and the crash reporter: a fault inside a driver call prints
 * "wrt-driver-crash: SIGSEGV at <symbol>+0xNN (library+0xSITE)" to stderr, then lets the signal
 * take its course (the isolated runner turns it into a driver-crash finding).
 */
#include <cxxabi.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <ucontext.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>
#include <unordered_map>

#include "shim_internal.h"

namespace wrt_shim {
namespace {

std::unordered_map<void *, uint32_t> g_pool; /* live and freed blocks -> block id */
std::string g_log;
const size_t LOG_LIMIT = 1 << 20;

PVOID allocate_pool(POOL_FLAGS flags, SIZE_T bytes, ULONG tag, uint32_t site) {
  const int64_t id = call_port(WRTH_OP_POOL_ALLOCATE, 0, bytes, tag, flags, site);
  if (id <= 0) return nullptr;
  void *block = nullptr;
  if (posix_memalign(&block, 16, bytes == 0 ? 1 : bytes) != 0) abort();
  if ((flags & POOL_FLAG_UNINITIALIZED) == 0) memset(block, 0, bytes);
  g_pool[block] = (uint32_t)id;
  return block;
}

void free_pool(PVOID block, uint64_t tag, uint32_t site) {
  auto it = g_pool.find(block);
  call_port(WRTH_OP_POOL_FREE, it == g_pool.end() ? 0 : it->second, tag, 0, 0, site);
  /* The block stays allocated (quarantined) until the case ends. */
}

}  // namespace

namespace {

const int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_previous[sizeof kCrashSignals / sizeof kCrashSignals[0]];
bool g_crash_handler_installed = false;

uintptr_t faulting_pc(void *context) {
  const ucontext_t *uc = static_cast<const ucontext_t *>(context);
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.pc;
#else
  (void)uc;
  return 0;
#endif
}

/* Only a driver call in progress is reported; the process is going down either way, so the
 * symbolizer's snprintf is acceptable here. The previous handler is restored and the faulting
 * instruction runs again, so the signal ends the process as it would have. */
void on_crash(int signal, siginfo_t *info, void *context) {
  for (size_t i = 0; i < sizeof kCrashSignals / sizeof kCrashSignals[0]; i++) {
    if (kCrashSignals[i] == signal) sigaction(signal, &g_previous[i], nullptr);
  }
  if (g_bugcheck == nullptr) return;
  char where[512], line[700];
  const uint32_t site = site_of(reinterpret_cast<void *>(faulting_pc(context) + 1));
  wrth_symbolize(site, where, sizeof where);
  const int n = snprintf(line, sizeof line, "wrt-driver-crash: %s at %s address %p\n",
                         strsignal(signal), where, info->si_addr);
  if (n > 0 && write(2, line, (size_t)n) < 0) _exit(128 + signal);
}

}  // namespace

void install_crash_handler() {
  if (g_crash_handler_installed) return;
  g_crash_handler_installed = true;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_crash;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < sizeof kCrashSignals / sizeof kCrashSignals[0]; i++) {
    sigaction(kCrashSignals[i], &action, &g_previous[i]);
  }
}

void release_pool() {
  for (auto &entry : g_pool) free(entry.first);
  g_pool.clear();
}

void clear_log() { g_log.clear(); }

}  // namespace wrt_shim

using namespace wrt_shim;

extern "C" {

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag) {
  return allocate_pool(Flags, NumberOfBytes, Tag, site_of(__builtin_return_address(0)));
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) {
  const POOL_FLAGS flags = POOL_FLAG_UNINITIALIZED |
                           (PoolType == PagedPool ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED);
  return allocate_pool(flags, NumberOfBytes, Tag, site_of(__builtin_return_address(0)));
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag) {
  free_pool(P, Tag, site_of(__builtin_return_address(0)));
}

VOID ExFreePool(PVOID P) { free_pool(P, WRTH_ANY_TAG, site_of(__builtin_return_address(0))); }

KIRQL KeGetCurrentIrql(void) { return g_irql; }

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql) {
  if (NewIrql < g_irql) {
    call_port(WRTH_OP_CHECK, 0, WRTH_CHECK_RAISE_IRQL, NewIrql, 0,
              site_of(__builtin_return_address(0)));
  }
  *OldIrql = g_irql;
  g_irql = NewIrql;
}

VOID KeLowerIrql(KIRQL NewIrql) {
  if (NewIrql > g_irql) {
    call_port(WRTH_OP_CHECK, 0, WRTH_CHECK_LOWER_IRQL, NewIrql, 0,
              site_of(__builtin_return_address(0)));
  }
  g_irql = NewIrql;
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql) {
  *SpinLock = 1;
  *OldIrql = g_irql;
  if (g_irql < DISPATCH_LEVEL) g_irql = DISPATCH_LEVEL;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) {
  *SpinLock = 0;
  g_irql = NewIrql;
}

VOID WrtPagedCodeCheck(void) {
  if (g_irql > APC_LEVEL) {
    call_port(WRTH_OP_CHECK, 0, WRTH_CHECK_PAGED_CODE, g_irql, 0,
              site_of(__builtin_return_address(0)));
  }
}

ULONG DbgPrint(PCSTR Format, ...) {
  char line[512];
  va_list args;
  va_start(args, Format);
  const int length = vsnprintf(line, sizeof line, Format, args);
  va_end(args);
  if (length < 0) return (ULONG)STATUS_UNSUCCESSFUL;
  if (g_log.size() < LOG_LIMIT) g_log.append(line);
  if (getenv("WRT_DRIVER_ECHO_LOG") != nullptr) fputs(line, stderr);
  return STATUS_SUCCESS;
}

__attribute__((visibility("default"))) uint32_t wrth_log(char *buffer, uint32_t capacity) {
  if (capacity > 0) {
    const size_t n = g_log.size() < capacity - 1 ? g_log.size() : capacity - 1;
    memcpy(buffer, g_log.data(), n);
    buffer[n] = '\0';
  }
  return (uint32_t)g_log.size();
}

__attribute__((visibility("default"))) uint32_t wrth_demangle(const char *symbol, char *buffer,
                                                              uint32_t capacity) {
  int status = 0;
  char *demangled = abi::__cxa_demangle(symbol, nullptr, nullptr, &status);
  const char *name = status == 0 && demangled != nullptr ? demangled : symbol;
  const size_t length = strlen(name);
  if (capacity > 0) {
    const size_t n = length < capacity - 1 ? length : capacity - 1;
    memcpy(buffer, name, n);
    buffer[n] = '\0';
  }
  free(demangled);
  return (uint32_t)length;
}

__attribute__((visibility("default"))) uint32_t wrth_symbolize(uint32_t site, char *buffer,
                                                               uint32_t capacity) {
  if (capacity == 0) return 0;
  Dl_info self;
  if (site == WRTH_NO_SITE || dladdr(reinterpret_cast<void *>(&wrth_symbolize), &self) == 0) {
    return (uint32_t)snprintf(buffer, capacity, "unknown site");
  }
  const uintptr_t address = (uintptr_t)self.dli_fbase + site;
  const char *library = self.dli_fname == nullptr ? "?" : self.dli_fname;
  const char *slash = strrchr(library, '/');
  library = slash == nullptr ? library : slash + 1;
  Dl_info info;
  /* A return address: the call itself is one byte earlier, possibly in the same function. */
  if (dladdr(reinterpret_cast<void *>(address - 1), &info) == 0 || info.dli_sname == nullptr) {
    return (uint32_t)snprintf(buffer, capacity, "%s+0x%X", library, site);
  }
  int status = 0;
  char *demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
  const int n = snprintf(buffer, capacity, "%s+0x%lX (%s+0x%X)",
                         status == 0 && demangled != nullptr ? demangled : info.dli_sname,
                         (unsigned long)(address - (uintptr_t)info.dli_saddr), library, site);
  free(demangled);
  return n < 0 ? 0 : (uint32_t)n;
}

}  // extern "C"
