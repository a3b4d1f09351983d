/*
 * The Linux helper's host facts (page and huge page sizes, RLIMIT_MEMLOCK, CAP_IPC_LOCK, clock
 * resolution, whether frame numbers are readable), the process's locked and available memory,
 * the physical RAM ranges of /proc/iomem, and the status texts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wavert_linux.h"
#include "wavert_status.h"

/* Texts of the statuses the Linux helper words its own way; wavert_status.c has the rest. */
static const char *const linux_messages[WRT_STATUS_COUNT] = {
    [WRT_E_NO_MEMORY] = "no page could be allocated and locked",
    [WRT_E_FRAMES_UNAVAILABLE] = "frame numbers are unavailable (reading them needs "
                                 "CAP_SYS_ADMIN), so contiguity cannot be verified",
    [WRT_E_SYSTEM] = "a system call failed unexpectedly",
    /* Codes of the Windows helper, never returned here; named so every code has a message. */
    [WRT_E_DRIVER_NOT_FOUND] = "WaveRT test driver not found (Windows helper only)",
    [WRT_E_NO_STREAM] = "no WaveRT stream is open on the test driver (Windows helper only)",
    [WRT_E_PROTOCOL] = "the WaveRT test driver refused a request (Windows helper only)",
    [WRT_E_ADDRESSES_HIDDEN] = "physical addresses are hidden: /proc/iomem shows zeros, reading "
                               "it needs CAP_SYS_ADMIN",
    [WRT_E_UNSUPPORTED] = "physical RAM ranges are unavailable here: /proc/iomem is missing or "
                          "lists no whole page of System RAM",
};

uint32_t wrt_abi_version(void) { return WRT_ABI_VERSION; }
uint64_t wrt_status_message(int32_t status, uint8_t *buffer, uint64_t capacity) {
  const char *text = wrt_status_text(status, linux_messages);
  return wrt_copy_text(text != NULL ? text : "unknown status code", buffer, capacity);
}

/* Smallest non-zero step between consecutive clock reads: the resolution callers really get. */
static uint64_t measured_clock_step(void) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 10000; i++) {
    uint64_t a = now_ns();
    uint64_t b = now_ns();
    while (b == a) b = now_ns();
    if (b - a < best) best = b - a;
  }
  return best;
}

/* Allocates, locks and reads one page to learn whether frame numbers are real here. */
static void probe_frames(wrt_host_info *info, char *reason, size_t capacity) {
  reason[0] = '\0';
  if (open_pagemap() < 0) {
    snprintf(reason, capacity, "cannot open /proc/self/pagemap: %s", strerror(errno));
    return;
  }
  uint8_t *page = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
  if (page == MAP_FAILED) {
    snprintf(reason, capacity, "cannot map a probe page: %s", strerror(errno));
    return;
  }
  page[0] = 1; /* make it resident even when mlock is not allowed */
  uint64_t frame = 0;
  bool valid = false;
  int error = read_frames(page, 1, &frame, &valid);
  munmap(page, page_size());
  if (error != 0) {
    snprintf(reason, capacity, "cannot read /proc/self/pagemap: %s", strerror(error));
  } else if (!valid) {
    snprintf(reason, capacity,
             "/proc/self/pagemap reports frame number 0 for resident pages: the process lacks "
             "CAP_SYS_ADMIN, which reading physical frame numbers needs");
  } else {
    info->flags |= WRT_HOST_FRAMES_READABLE;
  }
}

/* CAP_IPC_LOCK in the effective set lifts RLIMIT_MEMLOCK for mlock. */
static bool has_ipc_lock(void) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32))) != 0;
}

static uint64_t thp_mode_flags(void) {
  char text[128] = {0};
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL) return 0;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  if (strstr(text, "[always]") != NULL) return WRT_HOST_THP_ALWAYS;
  if (strstr(text, "[madvise]") != NULL) return WRT_HOST_THP_MADVISE;
  return 0;
}

int32_t wrt_host_query(wrt_host_info *info, uint8_t *reason, uint64_t reason_capacity) {
  if (info == NULL || reason == NULL || reason_capacity == 0) return WRT_E_INVALID_ARGUMENT;
  memset(info, 0, sizeof *info);
  info->abi_version = WRT_ABI_VERSION;
  info->page_size = page_size();
  struct rlimit limit;
  if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
    info->memlock_limit = limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)limit.rlim_cur;
  }
  struct timespec resolution;
  clock_getres(CLOCK_MONOTONIC_RAW, &resolution);
  info->clock_resolution_ns =
      (uint64_t)resolution.tv_sec * UINT64_C(1000000000) + (uint64_t)resolution.tv_nsec;
  info->clock_measured_ns = measured_clock_step();
  info->huge_page_size = huge_page_size();
  info->flags |= thp_mode_flags();

  pthread_mutex_lock(&wrtl_lock);
  char text[256];
  probe_frames(info, text, sizeof text);
  if (info->memlock_limit == UINT64_MAX || has_ipc_lock()) {
    info->flags |= WRT_HOST_CAN_LOCK_UNLIMITED;
  }
  pthread_mutex_unlock(&wrtl_lock);
  wrt_copy_text(text, reason, reason_capacity);
  return WRT_OK;
}

/* Reads `count` (at most 8) "Name: N kB" fields of a /proc file, each scanned with its format
 * in `formats`, into `bytes`. WRT_E_SYSTEM with out->sys_errno when the file cannot be opened
 * (its errno) or a field is missing (ENOENT). */
static int32_t read_proc_kib(const char *path, const char *const formats[], uint64_t bytes[],
                             size_t count, wrt_result *out) {
  FILE *f = fopen(path, "re");
  if (f == NULL) {
    out->sys_errno = (uint64_t)errno;
    return WRT_E_SYSTEM;
  }
  const unsigned all = (1u << count) - 1;
  unsigned found = 0;
  char line[256];
  while (found != all && fgets(line, sizeof line, f) != NULL) {
    for (size_t i = 0; i < count; i++) {
      unsigned long long kib;
      if ((found & 1u << i) == 0 && sscanf(line, formats[i], &kib) == 1) {
        bytes[i] = (uint64_t)kib * 1024;
        found |= 1u << i;
      }
    }
  }
  fclose(f);
  if (found != all) {
    out->sys_errno = ENOENT;
    return WRT_E_SYSTEM;
  }
  return WRT_OK;
}

int32_t wrt_process_locked(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  static const char *const fields[] = {"VmLck: %llu kB"};
  return read_proc_kib("/proc/self/status", fields, &out->byte_count, 1, out);
}

int32_t wrt_memory_available(wrt_result *out) {
  if (out == NULL) return WRT_E_INVALID_ARGUMENT;
  clear_result(out);
  static const char *const fields[] = {"MemAvailable: %llu kB", "MemTotal: %llu kB"};
  uint64_t bytes[2];
  int32_t status = read_proc_kib("/proc/meminfo", fields, bytes, 2, out);
  if (status == WRT_OK) {
    out->byte_count = bytes[0];
    out->address = bytes[1];
  }
  return status;
}

/* What one line of /proc/iomem says about RAM. */
typedef enum iomem_line { IOMEM_OTHER, IOMEM_RAM, IOMEM_HIDDEN } iomem_line;

/* Parses a hexadecimal number; *end is where it stopped. False when no digit is there or it
 * does not fit in 64 bits. */
static bool parse_hex(const char *text, const char **end, uint64_t *value) {
  uint64_t v = 0;
  const char *p = text;
  for (;; p++) {
    unsigned digit;
    if (*p >= '0' && *p <= '9') {
      digit = (unsigned)(*p - '0');
    } else if (*p >= 'a' && *p <= 'f') {
      digit = (unsigned)(*p - 'a' + 10);
    } else if (*p >= 'A' && *p <= 'F') {
      digit = (unsigned)(*p - 'A' + 10);
    } else {
      break;
    }
    if (v > UINT64_MAX >> 4) return false;
    v = v << 4 | digit;
  }
  *end = p;
  *value = v;
  return p > text;
}

/*
 * A top-level "start-end : System RAM" line (end inclusive), trimmed inward to whole pages: the
 * same rule as core/machine.ts parseProcIomem. Nested lines (kernel code, data) start with spaces
 * and lie inside their RAM range. A range with no whole page in it yields *length 0.
 */
static iomem_line parse_iomem_line(const char *line, uint64_t page, uint64_t *base,
                                   uint64_t *length) {
  uint64_t start, end;
  const char *p;
  if (!parse_hex(line, &p, &start) || *p != '-') return IOMEM_OTHER;
  if (!parse_hex(p + 1, &p, &end) || strncmp(p, " : System RAM", 13) != 0) return IOMEM_OTHER;
  for (p += 13; *p != '\0'; p++) {
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return IOMEM_OTHER;
  }
  if (end == 0) return IOMEM_HIDDEN; /* a real range never ends at byte 0 */
  /* In page numbers, so nothing overflows: the first whole page, and one past the last. */
  uint64_t first = start / page + (start % page != 0);
  uint64_t past = end / page + (end % page == page - 1);
  *length = 0;
  if (past > first && past <= UINT64_MAX / page) {
    *base = first * page;
    *length = (past - first) * page;
  }
  return IOMEM_RAM;
}

/*
 * wrt_host_ram on any file in /proc/iomem's format. Not exported from the shared library (every
 * helper exports the same symbols); abi_test.c, built with these sources, feeds it crafted files.
 */
__attribute__((visibility("hidden"))) int32_t wrt_host_ram_from(const char *path,
                                                                 uint64_t *ranges,
                                                                 uint64_t capacity,
                                                                 wrt_result *out) {
  if (path == NULL || out == NULL || (ranges == NULL && capacity != 0)) {
    return WRT_E_INVALID_ARGUMENT;
  }
  clear_result(out);
  FILE *f = fopen(path, "re");
  if (f == NULL) {
    int error = errno;
    out->sys_errno = (uint64_t)error;
    return error == ENOENT ? WRT_E_UNSUPPORTED : WRT_E_SYSTEM;
  }
  uint64_t page = page_size();
  uint64_t found = 0;
  bool hidden = false;
  bool line_start = true; /* a line longer than the buffer arrives in pieces: skip the rest */
  char line[256];
  while (!hidden && fgets(line, sizeof line, f) != NULL) {
    bool top_level = line_start && line[0] != ' ';
    line_start = strchr(line, '\n') != NULL;
    if (!top_level) continue;
    uint64_t base = 0, length = 0;
    iomem_line kind = parse_iomem_line(line, page, &base, &length);
    hidden = kind == IOMEM_HIDDEN;
    if (kind != IOMEM_RAM || length == 0) continue;
    if (2 * found + 1 < capacity) {
      ranges[2 * found] = base;
      ranges[2 * found + 1] = length;
    }
    found++;
  }
  bool read_failed = ferror(f) != 0;
  fclose(f);
  if (read_failed) {
    out->sys_errno = EIO;
    return WRT_E_SYSTEM;
  }
  if (hidden) return WRT_E_ADDRESSES_HIDDEN;
  if (found == 0) return WRT_E_UNSUPPORTED;
  out->byte_count = found;
  return capacity / 2 < found ? WRT_E_BUFFER_TOO_SMALL : WRT_OK;
}

int32_t wrt_host_ram(uint64_t *ranges, uint64_t capacity, wrt_result *out) {
  return wrt_host_ram_from("/proc/iomem", ranges, capacity, out);
}
