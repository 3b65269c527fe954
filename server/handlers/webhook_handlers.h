/* Handlers of the outgoing-event routes (listed in routes_webhooks.c). */
#ifndef PVS_WEBHOOK_HANDLERS_H
#define PVS_WEBHOOK_HANDLERS_H

#include "pvs/http.h"

void pvs_h_webhooks_list(struct pvs_req *r);
void pvs_h_webhooks_create(struct pvs_req *r);
void pvs_h_webhooks_disable(struct pvs_req *r);
void pvs_h_dead_letters_list(struct pvs_req *r);
void pvs_h_dead_letters_retry(struct pvs_req *r);

#endif
