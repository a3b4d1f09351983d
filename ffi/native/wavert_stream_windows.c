/*
 * wavert_helper_windows.h's stream opener: the helper opens the test filter's render pin itself,
 * so the driver holds an IPortWaveRTStream without anything playing audio to its endpoint.
 * User mode only (SetupAPI, ksuser.dll); linked into the DLL and into windows_helper_test.exe,
 * which checks its no-driver answer under Wine.
 */
#include "wavert_helper_windows.h"

#include <mmreg.h>
#include <setupapi.h>
#include <ks.h>
#include <ksmedia.h>

#include "wavert_guids.h"

static const GUID category_render = WRT_GUID_KSCATEGORY_RENDER;
static const GUID category_realtime = WRT_GUID_KSCATEGORY_REALTIME;

#define HARDWARE_ID L"Root\\WaveRtTest"
#define REFERENCE L"\\wave" /* PcRegisterSubdevice's "Wave", as the path's last component */

/* Whether `path` ends with the reference string, ignoring case as the PnP manager does. */
static BOOL has_reference(const WCHAR *path) {
  int length = lstrlenW(path), tail = lstrlenW(REFERENCE);
  return length >= tail && lstrcmpiW(path + length - tail, REFERENCE) == 0;
}

/* The device interface path of the test filter, into `path` (MAX_PATH characters). */
static int32_t find_filter(WCHAR *path, uint64_t *error) {
  HDEVINFO set = SetupDiGetClassDevsW(&category_render, NULL, NULL,
                                      DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
  if (set == INVALID_HANDLE_VALUE) {
    *error = GetLastError();
    return WRTW_E_NO_FILTER;
  }
  int32_t status = WRTW_E_NO_FILTER;
  for (DWORD i = 0; status != WRT_OK; i++) {
    SP_DEVICE_INTERFACE_DATA item = {.cbSize = sizeof item};
    if (!SetupDiEnumDeviceInterfaces(set, NULL, &category_render, i, &item)) {
      *error = GetLastError(); /* ERROR_NO_MORE_ITEMS when none is ours */
      break;
    }
    SP_DEVICE_INTERFACE_DATA alias = {.cbSize = sizeof alias};
    if (!SetupDiGetDeviceInterfaceAlias(set, &item, &category_realtime, &alias)) continue;
    union {
      SP_DEVICE_INTERFACE_DETAIL_DATA_W detail;
      BYTE bytes[sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) + MAX_PATH * sizeof(WCHAR)];
    } buffer;
    buffer.detail.cbSize = sizeof buffer.detail;
    SP_DEVINFO_DATA device = {.cbSize = sizeof device};
    if (!SetupDiGetDeviceInterfaceDetailW(set, &item, &buffer.detail, sizeof buffer, NULL,
                                          &device) ||
        !has_reference(buffer.detail.DevicePath)) {
      continue;
    }
    WCHAR ids[256] = {0}; /* REG_MULTI_SZ: the first ID is the one the INF matched */
    if (!SetupDiGetDeviceRegistryPropertyW(set, &device, SPDRP_HARDWAREID, NULL, (BYTE *)ids,
                                           sizeof ids - sizeof(WCHAR), NULL) ||
        lstrcmpiW(ids, HARDWARE_ID) != 0) {
      continue;
    }
    lstrcpynW(path, buffer.detail.DevicePath, MAX_PATH);
    status = WRT_OK;
  }
  SetupDiDestroyDeviceInfoList(set);
  return status;
}

/* KsCreatePin with the interface `id` of KSINTERFACESETID_Standard. */
static DWORD create_pin(HANDLE filter, ULONG id, HANDLE *pin) {
  struct {
    KSPIN_CONNECT connect;
    KSDATAFORMAT_WAVEFORMATEX format;
  } request;
  ZeroMemory(&request, sizeof request);
  request.connect.Interface.Set = (GUID)WRT_GUID_KSINTERFACESETID_STANDARD;
  request.connect.Interface.Id = id;
  request.connect.Medium.Set = (GUID)WRT_GUID_KSMEDIUMSETID_STANDARD;
  request.connect.Medium.Id = KSMEDIUM_TYPE_ANYINSTANCE;
  request.connect.PinId = 0; /* the one render pin */
  request.connect.PinToHandle = NULL;
  request.connect.Priority.PriorityClass = KSPRIORITY_NORMAL;
  request.connect.Priority.PrioritySubClass = 1;
  KSDATAFORMAT *format = &request.format.DataFormat;
  format->FormatSize = sizeof request.format;
  format->SampleSize = 4;
  format->MajorFormat = (GUID)WRT_GUID_KSDATAFORMAT_TYPE_AUDIO;
  format->SubFormat = (GUID)WRT_GUID_KSDATAFORMAT_SUBTYPE_PCM;
  format->Specifier = (GUID)WRT_GUID_KSDATAFORMAT_SPECIFIER_WAVEFORMATEX;
  WAVEFORMATEX *wave = &request.format.WaveFormatEx;
  wave->wFormatTag = WAVE_FORMAT_PCM;
  wave->nChannels = 2;
  wave->nSamplesPerSec = 48000;
  wave->wBitsPerSample = 16;
  wave->nBlockAlign = 4;
  wave->nAvgBytesPerSec = 48000 * 4;
  wave->cbSize = 0;
  return KsCreatePin(filter, &request.connect, GENERIC_WRITE, pin);
}

int32_t wrtw_open_stream(HANDLE *pin, uint64_t *error) {
  *pin = NULL;
  WCHAR path[MAX_PATH];
  int32_t status = find_filter(path, error);
  if (status != WRT_OK) return status;
  HANDLE filter = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED, NULL);
  if (filter == INVALID_HANDLE_VALUE) {
    *error = GetLastError();
    return WRTW_E_PIN;
  }
  /* A pin without an interface list offers KS's default, standard streaming; WaveRT clients
   * (the audio engine) ask for looped streaming, so that is tried second. Neither has been
   * tried on Windows yet (see docs/windows-runbook.md). */
  DWORD result = create_pin(filter, KSINTERFACE_STANDARD_STREAMING, pin);
  if (result != ERROR_SUCCESS) result = create_pin(filter, KSINTERFACE_STANDARD_LOOPED_STREAMING, pin);
  CloseHandle(filter); /* the pin keeps its filter alive */
  if (result == ERROR_SUCCESS) return WRT_OK;
  *pin = NULL;
  *error = result;
  return WRTW_E_PIN;
}
