/*
 * Windows console test of wavert_helper.dll on a machine without the WaveRT test driver (under
 * Wine in CI): loads the DLL by path the way Deno's FFI does (LoadLibrary + GetProcAddress),
 * checks every export is there, and that every call answers with a clear status instead of
 * crashing: WRT_E_DRIVER_NOT_FOUND with the install hint when it would need the driver,
 * WRT_E_INVALID_ARGUMENT for null buffers, the usual checks before any device access. It also
 * runs the helper's stream opener (wavert_stream_windows.c, linked in): with no test filter
 * present it must answer WRTW_E_NO_FILTER, and the DLL must name every Windows-only status.
 *
 * Usage: windows_helper_test.exe <path of wavert_helper.dll>
 * Prints "N passed, 0 failed" at the end; exits non-zero on the first failed check.
 */
#include "wavert_helper.h"
#include "wavert_helper_windows.h"
#include "wavert_protocol.h"
#include "wavert_status_windows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "test_check.h"

#define NOT_FOUND "WaveRT test driver not found: install it as described in README (Windows bridge)"

typedef uint32_t (*abi_version_fn)(void);
typedef uint64_t (*status_message_fn)(int32_t, uint8_t *, uint64_t);
typedef int32_t (*host_query_fn)(wrt_host_info *, uint8_t *, uint64_t);
typedef int32_t (*context_open_fn)(wrt_result *);
typedef int32_t (*with_context_fn)(uint64_t, wrt_result *);
typedef int32_t (*allocate_pages_fn)(uint64_t, uint64_t, uint64_t, uint64_t *, uint64_t,
                                     wrt_result *);
typedef int32_t (*allocate_contiguous_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t *,
                                          uint64_t, wrt_result *);
typedef int32_t (*map_fn)(uint64_t, uint64_t, uint32_t, wrt_result *);
typedef int32_t (*unmap_fn)(uint64_t, uint64_t, uint64_t, wrt_result *);
typedef int32_t (*free_fn)(uint64_t, uint64_t, wrt_result *);
typedef int32_t (*query_frames_fn)(uint64_t, uint64_t, uint64_t *, uint64_t, wrt_result *);
typedef int32_t (*process_locked_fn)(wrt_result *);
typedef int32_t (*host_ram_fn)(uint64_t *, uint64_t, wrt_result *);

static FARPROC need(HMODULE dll, const char *name) {
  FARPROC symbol = GetProcAddress(dll, name);
  if (symbol == NULL) fprintf(stderr, "missing export %s\n", name);
  CHECK(symbol != NULL);
  return symbol;
}

/* Casts through a generic function pointer: FARPROC to a typed one is what GetProcAddress is for. */
#define LOAD(type, name) ((type)(void (*)(void))need(dll, name))

static void check_message(status_message_fn message, int32_t status, const char *expected) {
  char text[256];
  uint64_t length = message(status, (uint8_t *)text, sizeof text);
  CHECK(length == strlen(expected) && strcmp(text, expected) == 0);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  HMODULE dll = LoadLibraryA(argv[1]);
  if (dll == NULL) fprintf(stderr, "LoadLibrary(%s) failed: %lu\n", argv[1], GetLastError());
  CHECK(dll != NULL);

  abi_version_fn abi_version = LOAD(abi_version_fn, "wrt_abi_version");
  status_message_fn message = LOAD(status_message_fn, "wrt_status_message");
  host_query_fn host_query = LOAD(host_query_fn, "wrt_host_query");
  context_open_fn context_open = LOAD(context_open_fn, "wrt_context_open");
  with_context_fn context_close = LOAD(with_context_fn, "wrt_context_close");
  with_context_fn context_stats = LOAD(with_context_fn, "wrt_context_stats");
  allocate_pages_fn allocate_pages = LOAD(allocate_pages_fn, "wrt_allocate_pages");
  allocate_contiguous_fn allocate_contiguous =
      LOAD(allocate_contiguous_fn, "wrt_allocate_contiguous");
  map_fn map = LOAD(map_fn, "wrt_map");
  unmap_fn unmap = LOAD(unmap_fn, "wrt_unmap");
  free_fn free_pages = LOAD(free_fn, "wrt_free");
  query_frames_fn query_frames = LOAD(query_frames_fn, "wrt_query_frames");
  process_locked_fn process_locked = LOAD(process_locked_fn, "wrt_process_locked");
  host_ram_fn host_ram = LOAD(host_ram_fn, "wrt_host_ram");

  CHECK(abi_version() == WRT_ABI_VERSION);
  check_message(message, WRT_E_DRIVER_NOT_FOUND, NOT_FOUND);
  check_message(message, -1, "unknown status code");
  check_message(message, WRT_STATUS_COUNT, "unknown status code");
  for (int32_t s = 0; s < WRT_STATUS_COUNT; s++) CHECK(message(s, NULL, 0) > 0);
  /* Windows-only statuses: each has a text that starts with its protocol or helper name. */
  static const char *const windows_names[] = {
      "WRTP_E_TABLE_FULL",   "WRTP_E_PAGE_INDEX",         "WRTP_E_HANDLE_BYTES",
      "WRTP_E_HANDLE_ALLOCATIONS", "WRTP_E_GLOBAL_BYTES", "WRTP_E_GLOBAL_ALLOCATIONS",
      "WRTW_E_NO_FILTER",    "WRTW_E_PIN",
  };
  CHECK(sizeof windows_names / sizeof windows_names[0] == WRTW_STATUS_END - WRTW_FIRST_STATUS);
  for (int32_t s = WRTW_FIRST_STATUS; s < WRTW_STATUS_END; s++) {
    char text[512];
    CHECK(message(s, (uint8_t *)text, sizeof text) > 0);
    const char *name = windows_names[s - WRTW_FIRST_STATUS];
    CHECK(strncmp(text, name, strlen(name)) == 0 && text[strlen(name)] == ':');
  }
  check_message(message, WRTW_STATUS_END, "unknown status code");
  check_message(message, WRTW_FIRST_STATUS - 1, "unknown status code");

  /* Every outcome the driver reports (WRTP_E_NO_STREAM on) reaches the caller by a name of its
   * own, never as WRT_E_PROTOCOL; only decode failures are protocol errors, with the WRTP code. */
  for (int32_t s = WRTP_E_NO_STREAM; s < WRTP_STATUS_COUNT; s++) {
    uint64_t error = 0;
    int32_t mapped = wrtw_status_of(s, &error);
    if (mapped == WRT_E_PROTOCOL) fprintf(stderr, "%s has no helper name\n", wrtp_status_name(s));
    CHECK(mapped != WRT_E_PROTOCOL && mapped != WRT_OK && error == 0);
  }
  static const int32_t windows_only[][2] = {
      {WRTP_E_TABLE_FULL, WRTW_E_TABLE_FULL},
      {WRTP_E_PAGE_INDEX, WRTW_E_PAGE_INDEX},
      {WRTP_E_HANDLE_BYTES, WRTW_E_HANDLE_BYTES},
      {WRTP_E_HANDLE_ALLOCATIONS, WRTW_E_HANDLE_ALLOCATIONS},
      {WRTP_E_GLOBAL_BYTES, WRTW_E_GLOBAL_BYTES},
      {WRTP_E_GLOBAL_ALLOCATIONS, WRTW_E_GLOBAL_ALLOCATIONS},
  };
  for (size_t i = 0; i < sizeof windows_only / sizeof windows_only[0]; i++) {
    uint64_t error = 0;
    CHECK(wrtw_status_of(windows_only[i][0], &error) == windows_only[i][1]);
  }
  for (int32_t s = WRTP_E_TRUNCATED; s < WRTP_E_NO_STREAM; s++) {
    uint64_t error = 0;
    CHECK(wrtw_status_of(s, &error) == WRT_E_PROTOCOL && error == (uint64_t)s);
  }

  /* The stream opener without the driver: no filter, a named status, no pin, no crash. */
  {
    HANDLE pin = INVALID_HANDLE_VALUE;
    uint64_t error = 0;
    CHECK(wrtw_open_stream(&pin, &error) == WRTW_E_NO_FILTER);
    CHECK(pin == NULL);
    printf("stream opener: WRTW_E_NO_FILTER, Win32 error %llu\n", (unsigned long long)error);
  }

  /* The host query still says what it can, and why the rest is missing. */
  wrt_host_info info;
  char reason[256];
  CHECK(host_query(NULL, (uint8_t *)reason, sizeof reason) == WRT_E_INVALID_ARGUMENT);
  CHECK(host_query(&info, NULL, 0) == WRT_E_INVALID_ARGUMENT);
  CHECK(host_query(&info, (uint8_t *)reason, sizeof reason) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(strcmp(reason, NOT_FOUND) == 0);
  CHECK(info.abi_version == WRT_ABI_VERSION && info.page_size >= 4096);
  CHECK((info.flags & WRT_HOST_FRAMES_READABLE) == 0);

  wrt_result out;
  CHECK(context_open(NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(context_open(&out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(out.sys_errno == ERROR_FILE_NOT_FOUND || out.sys_errno == ERROR_PATH_NOT_FOUND);
  CHECK(out.handle == 0);

  /* No context can exist without the driver: calls that need one say why. */
  uint64_t frames[4];
  uint64_t fake_context = 1;
  CHECK(allocate_pages(fake_context, 0xFFFFFFFFu, 1920, frames, 4, &out) ==
        WRT_E_DRIVER_NOT_FOUND);
  CHECK(allocate_pages(fake_context, 0xFFFFFFFFu, 0, frames, 4, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(allocate_contiguous(fake_context, 0, 0xFFFFFFFFu, 8192, frames, 4, &out) ==
        WRT_E_DRIVER_NOT_FOUND);
  CHECK(map(fake_context, 1, WRT_CACHE_WRITE_COMBINED, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(unmap(fake_context, 1, 0x1000, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(free_pages(fake_context, 1, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(query_frames(fake_context, 1, frames, 4, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(context_stats(fake_context, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(context_close(fake_context, &out) == WRT_E_DRIVER_NOT_FOUND);
  CHECK(process_locked(&out) == WRT_E_DRIVER_NOT_FOUND);

  /* Argument checks come first and need no device. */
  CHECK(allocate_pages(fake_context, 0xFFFFFFFFu, 4096, NULL, 4, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(allocate_pages(fake_context, 0xFFFFFFFFu, 4096, frames, 4, NULL) ==
        WRT_E_INVALID_ARGUMENT);
  CHECK(allocate_pages(fake_context, 0xFFFFFFFFu, 0x100000000ull, frames, 4, &out) ==
        WRT_E_TOO_LARGE);
  CHECK(allocate_pages(fake_context, 0xFFFFFFFFu, 5 * 4096, frames, 4, &out) ==
        WRT_E_BUFFER_TOO_SMALL);
  CHECK(allocate_contiguous(fake_context, 2, 1, 4096, frames, 4, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(map(fake_context, 1, WRT_CACHE_WRITE_COMBINED + 1, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(map(fake_context, 1, WRT_CACHE_CACHED, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(query_frames(fake_context, 1, NULL, 4, &out) == WRT_E_INVALID_ARGUMENT);
  CHECK(process_locked(NULL) == WRT_E_INVALID_ARGUMENT);

  /* RAM ranges are not offered: a clear status, whether or not the driver is there. */
  uint64_t ranges[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  CHECK(host_ram(ranges, 8, NULL) == WRT_E_INVALID_ARGUMENT);
  CHECK(host_ram(NULL, 8, &out) == WRT_E_INVALID_ARGUMENT);
  out.byte_count = 7;
  CHECK(host_ram(ranges, 8, &out) == WRT_E_UNSUPPORTED && out.byte_count == 0);
  CHECK(host_ram(NULL, 0, &out) == WRT_E_UNSUPPORTED);
  {
    char text[256];
    message(WRT_E_UNSUPPORTED, (uint8_t *)text, sizeof text);
    CHECK(strstr(text, "not supported by the Windows helper") != NULL);
  }

  CHECK(FreeLibrary(dll));
  printf("%d passed, 0 failed\n", passed);
  return 0;
}
