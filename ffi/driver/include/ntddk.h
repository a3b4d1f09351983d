/* Forwarding header: drivers that include <ntddk.h> compile unchanged. */
#include "wrt_wdm.h"
