/* GET /device-health (issue 9): what a planner or technician should act on — dying lock
 * batteries (from the locks' own signed battery events) by urgency, locks not heard from in
 * N days, silent stations, keys not synced, and lost keys whose block has not yet reached
 * every door. */
#include <stdio.h>
#include <string.h>

#include "portvakt/lock.h"
#include "portvakt/proto.h"
#include "../services/spread.h"
#include "planner_handlers.h"
#include "util.h"

/* A lock reports a low battery below 4,400 mV (PV_LOCK_LOW_BATTERY_MV); at 4,000 mV its
 * 4xAA pack is empty (docs/lock.md), so below 4,100 mV it is critical: visit today. */
#define BATTERY_CRITICAL_MV 4100
#define DAYS_DEFAULT 3
#define ROWS "200" /* per list: a day's work, not the whole city */

/* Installed locks the caller may see: all for central callers; for a provider the apartment
 * locks of its current recipients and the entrance and common doors of their buildings
 * (another provider's recipient in the same house stays unseen). Bound as (scope x3). */
#define CURRENT_RECIPIENTS \
    " FROM recipients rc2 JOIN recipient_providers rp ON rp.recipient_id = rc2.id" \
    " WHERE rp.provider_id = ? AND rp.valid_until IS NULL"
#define LOCK_SCOPE \
    " (? = 0 OR (l.kind = 'apartment' AND l.id IN (SELECT rc2.lock_id" CURRENT_RECIPIENTS "))" \
    "  OR (l.kind <> 'apartment' AND l.building_id IN (SELECT rc2.building_id" \
    CURRENT_RECIPIENTS ")))"
#define LOCK_COLS \
    "SELECT l.id, l.kind, l.label, b.address, COALESCE(rc.alarm_code, ''), l.battery_mv," \
    " l.battery_at, l.last_seen FROM locks l JOIN buildings b ON b.id = l.building_id" \
    " LEFT JOIN recipients rc ON rc.lock_id = l.id WHERE l.state = 'installed' AND"
#define LOCK_SPEC \
    "lock_id:i,kind:s,label:s,address:s,alarm_code:s,battery_mv:n,battery_at:n,last_seen:n"

static int rows(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                const char *spec, json_t *out)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW)
        json_array_append_new(out, pvd_row(&st, spec));
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

/* Batteries below the lock's warning level, emptiest first, each marked low or critical. */
static int batteries(pvs_db *db, int64_t scope, json_t *out)
{
    int rc = rows(db, LOCK_COLS " battery_mv < ? AND" LOCK_SCOPE
                      " ORDER BY l.battery_mv, l.id LIMIT " ROWS,
                  PVS_ARGS(PVS_I64(PV_LOCK_LOW_BATTERY_MV), PVS_I64(scope), PVS_I64(scope),
                           PVS_I64(scope)),
                  LOCK_SPEC, out);
    size_t i;
    json_t *o;
    json_array_foreach(out, i, o)
    {
        json_int_t mv = json_integer_value(json_object_get(o, "battery_mv"));
        json_object_set_new(o, "level", json_string(mv < BATTERY_CRITICAL_MV ? "critical" : "low"));
    }
    return rc;
}

/* Lost keys of the last two days (a credential lives at most 48 h) whose block has not yet
 * reached all their doors: the doors, how many know, the last credential's end. */
static int spreading(pvs_db *db, int64_t issuer, int64_t scope, int64_t now, json_t *out)
{
    json_t *ids = json_array();
    int rc = rows(db, "SELECT id, label FROM bearers WHERE state = 'lost' AND revoked_at >= ?"
                      " AND (? = 0 OR provider_id = ?) ORDER BY revoked_at DESC LIMIT 50",
                  PVS_ARGS(PVS_I64(now - (int64_t)PV_CRED_MAX_LIFETIME_S), PVS_I64(scope),
                           PVS_I64(scope)),
                  "bearer_id:i,label:s", ids);
    size_t i;
    json_t *k;
    json_array_foreach(ids, i, k)
    {
        pvs_spread s;
        if (rc == PVS_DB_OK)
            rc = pvs_spread_of(db, issuer, json_integer_value(json_object_get(k, "bearer_id")),
                               scope, now, &s, NULL, NULL);
        if (rc != PVS_DB_OK || s.doors_known >= s.doors)
            continue;
        json_object_set_new(k, "doors", json_integer(s.doors));
        json_object_set_new(k, "doors_known", json_integer(s.doors_known));
        json_object_set_new(k, "revoked_at", json_integer(s.revoked_at));
        json_object_set_new(k, "credential_expires_at", json_integer(s.credential_expires_at));
        json_array_append(out, k);
    }
    json_decref(ids);
    return rc;
}

/* The lists other than batteries and lost keys, into o. */
static int quiet_lists(pvs_db *db, int64_t scope, int64_t before, json_t *o)
{
    json_t *locks = json_array(), *stations = json_array(), *keys = json_array();
    json_object_set_new(o, "silent_locks", locks);
    json_object_set_new(o, "silent_stations", stations);
    json_object_set_new(o, "keys_not_synced", keys);
    int rc = rows(db, LOCK_COLS " (l.last_seen IS NULL OR l.last_seen < ?) AND" LOCK_SCOPE
                      " ORDER BY COALESCE(l.last_seen, 0), l.id LIMIT " ROWS,
                  PVS_ARGS(PVS_I64(before), PVS_I64(scope), PVS_I64(scope), PVS_I64(scope)),
                  LOCK_SPEC, locks);
    if (rc == PVS_DB_OK)
        rc = rows(db, "SELECT id, name, last_seen FROM stations WHERE state = 'active'"
                      " AND (last_seen IS NULL OR last_seen < ?) AND (? = 0 OR provider_id = ?)"
                      " ORDER BY COALESCE(last_seen, 0), id LIMIT " ROWS,
                  PVS_ARGS(PVS_I64(before), PVS_I64(scope), PVS_I64(scope)),
                  "station_id:i,name:s,last_seen:n", stations);
    if (rc == PVS_DB_OK)
        rc = rows(db, "SELECT b.id, b.label, s.display_name, b.last_sync_at FROM bearers b"
                      " JOIN staff s ON s.id = b.staff_id WHERE b.state = 'active'"
                      " AND (b.last_sync_at IS NULL OR b.last_sync_at < ?)"
                      " AND (? = 0 OR b.provider_id = ?)"
                      " ORDER BY COALESCE(b.last_sync_at, 0), b.id LIMIT " ROWS,
                  PVS_ARGS(PVS_I64(before), PVS_I64(scope), PVS_I64(scope)),
                  "bearer_id:i,label:s,staff:s,last_sync_at:n", keys);
    return rc;
}

void pvd_device_health(struct pvs_req *r)
{
    int64_t days = DAYS_DEFAULT, scope = pvs_scope_provider(r), now = pvs_now();
    if (!pvs_req_query_int(r, "days", 1, 365, DAYS_DEFAULT, &days) || !pvd_begin(r, false))
        return;
    json_t *o = json_pack("{s:I,s:I,s:I}", "days", (json_int_t)days, "low_mv",
                          (json_int_t)PV_LOCK_LOW_BATTERY_MV, "critical_mv",
                          (json_int_t)BATTERY_CRITICAL_MV);
    json_t *bat = json_array(), *lost = json_array();
    json_object_set_new(o, "batteries", bat);
    json_object_set_new(o, "lost_keys_spreading", lost);
    int rc = batteries(r->db, scope, bat);
    if (rc == PVS_DB_OK)
        rc = quiet_lists(r->db, scope, now - days * 86400, o);
    if (rc == PVS_DB_OK)
        rc = spreading(r->db, r->srv->issuer.issuer_id, scope, now, lost);
    pvs_tx_rollback(r->db);
    if (rc != PVS_DB_OK) {
        json_decref(o);
        pvs_problem_db(r, rc, "device health");
        return;
    }
    pvs_reply_json(r, 200, o);
}
