/* Forwarding header: drivers that include <portcls.h> compile unchanged. */
#include "wrt_portcls.h"
