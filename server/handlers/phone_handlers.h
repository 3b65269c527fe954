/* Handlers of the phone key and alarm access routes (listed in routes_phone.c). */
#ifndef PVS_PHONE_HANDLERS_H
#define PVS_PHONE_HANDLERS_H

#include "pvs/http.h"

void pvp_staff_phone_login(struct pvs_req *r);
void pvp_login(struct pvs_req *r);
void pvp_enrol(struct pvs_req *r);
void pvp_secret(struct pvs_req *r);
void pvp_changes(struct pvs_req *r);

void pvp_alarm_list(struct pvs_req *r);
void pvp_alarm_get(struct pvs_req *r);
void pvp_alarm_create(struct pvs_req *r);
void pvp_alarm_end(struct pvs_req *r);
void pvp_alarm_token_create(struct pvs_req *r);

#endif
