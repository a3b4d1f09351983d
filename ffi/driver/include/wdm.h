/* Forwarding header: drivers that include <wdm.h> compile unchanged. */
#include "wrt_wdm.h"
