/* Handlers of the planner's and alarm centre's views added for issue 9 (listed in
 * server/handlers/routes_domain.c): keys enrolled by code, how far a lost key's block has
 * spread, and the devices that need a visit. */
#ifndef PVS_PLANNER_HANDLERS_H
#define PVS_PLANNER_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/http.h"
#include "../services/sync.h"

void pvd_enrolments_offer(struct pvs_req *r);
void pvd_enrolments_list(struct pvs_req *r);
void pvd_enrolments_redeem(struct pvs_req *r);
void pvd_bearers_spread(struct pvs_req *r);
void pvd_device_health(struct pvs_req *r);

/* The station's signed request headers (server/handlers/sync.c); sends 401 on failure. */
bool pvd_station_verify(struct pvs_req *r, bool need, pvs_station_auth *sa);

/* 409 label-taken (params.label): `label` already names another key of the provider. The
 * one wording for every way of registering a key. */
void pvd_label_taken(struct pvs_req *r, const char *label);

/* A right ending (inclusive day number `until`, PVS_DAY_OPEN for none) before today:
 * answers 400 right-in-past (params.until) and returns true; else false. */
bool pvd_right_in_past(struct pvs_req *r, int32_t until);

/* GET /access-log with ?view=passages or ?order= (server/handlers/passages.c): true when
 * the request asks for it; pvd_passages answers it. */
bool pvd_passages_wanted(struct pvs_req *r);
void pvd_passages(struct pvs_req *r);
/* The access log's filters (server/handlers/logs.c), strictly parsed into f = provider,
 * recipient, lock, staff, bearer, from, to; false with 400 invalid-query sent. */
bool pvd_log_filters(struct pvs_req *r, int64_t f[7]);

#endif
