/* GET /device-health (issue 9): what a planner or technician should act on — dying lock
 * batteries (from the locks' own signed battery events) by urgency, locks not heard from in
 * N days, silent stations, keys not synced, and lost keys whose block has not yet reached
 * every door. The SQL: services/health.c. */
#include "portvakt/lock.h"
#include "../services/health.h"
#include "planner_handlers.h"
#include "util.h"

/* A lock reports a low battery below 4,400 mV (PV_LOCK_LOW_BATTERY_MV); at 4,000 mV its
 * 4xAA pack is empty (docs/lock.md), so below 4,100 mV it is critical: visit today. */
#define BATTERY_CRITICAL_MV 4100
#define DAYS_DEFAULT 3

/* A battery row, marked low or critical. */
static bool battery_row(pvs_stmt *st, void *ctx)
{
    json_t *o = pvd_row(st, PVS_HEALTH_LOCK_SHAPE);
    json_int_t mv = json_integer_value(json_object_get(o, "battery_mv"));
    json_object_set_new(o, "level", json_string(mv < BATTERY_CRITICAL_MV ? "critical" : "low"));
    json_array_append_new(ctx, o);
    return true;
}

/* A lost key still spreading: the doors, how many know, the last credential's end. */
static void lost_key(void *ctx, const struct pvs_health_lost *k)
{
    json_array_append_new(ctx, json_pack("{s:I,s:s,s:I,s:I,s:I,s:I}", "bearer_id",
                                         (json_int_t)k->bearer_id, "label", k->label, "doors",
                                         (json_int_t)k->spread.doors, "doors_known",
                                         (json_int_t)k->spread.doors_known, "revoked_at",
                                         (json_int_t)k->spread.revoked_at, "credential_expires_at",
                                         (json_int_t)k->spread.credential_expires_at));
}

void pvd_device_health(struct pvs_req *r)
{
    int64_t days = DAYS_DEFAULT, now = pvs_now();
    if (!pvs_req_query_int(r, "days", 1, 365, DAYS_DEFAULT, &days))
        return;
    json_t *o = json_pack("{s:I,s:I,s:I}", "days", (json_int_t)days, "low_mv",
                          (json_int_t)PV_LOCK_LOW_BATTERY_MV, "critical_mv",
                          (json_int_t)BATTERY_CRITICAL_MV);
    json_t *bat = json_array(), *lost = json_array();
    struct pvd_rows_json locks = {PVS_HEALTH_LOCK_SHAPE, json_array(), NULL},
                         stations = {PVS_HEALTH_STATION_SHAPE, json_array(), NULL},
                         keys = {PVS_HEALTH_KEY_SHAPE, json_array(), NULL};
    json_object_set_new(o, "batteries", bat);
    json_object_set_new(o, "lost_keys_spreading", lost);
    json_object_set_new(o, "silent_locks", locks.arr);
    json_object_set_new(o, "silent_stations", stations.arr);
    json_object_set_new(o, "keys_not_synced", keys.arr);
    struct pvs_health_req q = {pvs_scope_provider(r), r->srv->issuer.issuer_id, now,
                               now - days * 86400};
    struct pvs_health_out out = {{battery_row, bat}, *PVD_APPEND(&locks),
                                 *PVD_APPEND(&stations), *PVD_APPEND(&keys), lost_key, lost};
    int rc = pvs_device_health(r->db, &q, &out);
    if (rc != PVS_DB_OK) {
        json_decref(o);
        pvs_problem_db(r, rc, "device health");
        return;
    }
    pvs_reply_json(r, 200, o);
}
