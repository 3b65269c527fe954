/* Handler of the phone's push by long poll (handlers/push.c, listed in routes_phone.c). */
#ifndef PVS_PUSH_HANDLERS_H
#define PVS_PUSH_HANDLERS_H

#include "pvs/http.h"

void pvp_wait(struct pvs_req *r);

#endif
