/*
 * The Windows helper's link to the test driver: opening \\.\WaveRtTest, one request/answer
 * exchange, and the exports that need the driver but no context (wrt_host_query, wrt_host_ram,
 * wrt_abi_version). Contexts and allocations are wavert_helper_windows.c.
 */
#include "wavert_helper.h"
#include "wavert_helper_windows.h"
#include "wavert_protocol.h"
#include "wavert_status_windows.h"

#define WRT_EXPORT __declspec(dllexport)

uint64_t wrtw_page_size(void) {
  SYSTEM_INFO info;
  GetSystemInfo(&info);
  return info.dwPageSize;
}

/* Opens the driver's device; the error says whether it is missing or refused us. */
int32_t wrtw_open_device(HANDLE *device, uint64_t *error) {
  *device = CreateFileW(WRTP_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                        FILE_ATTRIBUTE_NORMAL, NULL);
  if (*device != INVALID_HANDLE_VALUE) return WRT_OK;
  DWORD last = GetLastError();
  *error = last;
  return last == ERROR_FILE_NOT_FOUND || last == ERROR_PATH_NOT_FOUND ? WRT_E_DRIVER_NOT_FOUND
                                                                      : WRT_E_SYSTEM;
}

/* Sends one request and validates the answer; *response then holds the driver's own status. */
int32_t wrtw_exchange(HANDLE device, const wrtp_request *request, wrtp_response *response,
                        uint64_t *error) {
  wrtp_response raw;
  DWORD returned = 0;
  ZeroMemory(&raw, sizeof raw);
  if (!DeviceIoControl(device, WRTP_IOCTL(request->operation), (LPVOID)request,
                       (DWORD)sizeof *request, &raw, (DWORD)sizeof raw, &returned, NULL)) {
    *error = GetLastError();
    return WRT_E_SYSTEM;
  }
  int32_t decoded = wrtp_decode_response(&raw, returned, request->operation, response);
  if (decoded != WRTP_OK) {
    *error = (uint64_t)decoded;
    return WRT_E_PROTOCOL;
  }
  return WRT_OK;
}

/* Windows keeps its RAM ranges in the registry (RESOURCEMAP), not read here: the report then
 * draws the hardware map without RAM ranges, as it does for an unprivileged Linux run. */
WRT_EXPORT int32_t wrt_host_ram(uint64_t *ranges, uint64_t capacity, wrt_result *out) {
  if (out == NULL || (ranges == NULL && capacity != 0)) return WRT_E_INVALID_ARGUMENT;
  ZeroMemory(out, sizeof *out);
  return WRT_E_UNSUPPORTED;
}

WRT_EXPORT uint32_t wrt_abi_version(void) { return WRT_ABI_VERSION; }

WRT_EXPORT int32_t wrt_host_query(wrt_host_info *info, uint8_t *reason,
                                  uint64_t reason_capacity) {
  if (info == NULL || reason == NULL || reason_capacity == 0) return WRT_E_INVALID_ARGUMENT;
  ZeroMemory(info, sizeof *info);
  reason[0] = '\0';
  info->abi_version = WRT_ABI_VERSION;
  info->page_size = wrtw_page_size();
  info->huge_page_size = GetLargePageMinimum();
  HANDLE device;
  uint64_t error = 0;
  int32_t status = wrtw_open_device(&device, &error);
  if (status != WRT_OK) {
    wrtw_copy_text(wrtw_message(status), reason, reason_capacity);
    return status;
  }
  wrtp_request request;
  wrtp_response response;
  wrtp_request_init(&request, WRTP_OP_CAPABILITIES);
  status = wrtw_exchange(device, &request, &response, &error);
  if (status == WRT_OK) status = wrtw_status_of(response.status, &error);
  CloseHandle(device);
  if (status != WRT_OK) {
    wrtw_copy_text(wrtw_message(status), reason, reason_capacity);
    return status;
  }
  if (response.capability_flags & WRTP_CAP_STREAM_OPEN) {
    info->flags |= WRT_HOST_FRAMES_READABLE;
  } else {
    wrtw_copy_text(wrtw_message(WRT_E_NO_STREAM), reason, reason_capacity);
  }
  /* Pages locked by the driver are not charged to this process's working-set quota. */
  info->flags |= WRT_HOST_CAN_LOCK_UNLIMITED;
  info->memlock_limit = UINT64_MAX;
  uint64_t tick_ns = response.tick_frequency == 0
                         ? 0
                         : (UINT64_C(1000000000) + response.tick_frequency - 1) /
                               response.tick_frequency;
  info->clock_resolution_ns = tick_ns;
  info->clock_measured_ns = tick_ns;
  return WRT_OK;
}
