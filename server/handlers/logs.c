/* Read-only views over what keys and locks reported: the access log (lock-signed and
 * key-reported events, filtered and scoped), the planner's overview, and how far the
 * newest revocation list has spread among the locks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "../rules/calendar.h"
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "portvakt/error.h"

/* The access log's filters, each strictly parsed (400 invalid-query otherwise). */
static bool log_filters(struct pvs_req *r, int64_t *prov, int64_t *rec, int64_t *lock,
                        int64_t *staff, int64_t *bearer, int64_t *from, int64_t *to)
{
    return PVS_QUERY_ID(r, "provider_id", prov) && PVS_QUERY_ID(r, "recipient_id", rec) &&
           PVS_QUERY_ID(r, "lock_id", lock) && PVS_QUERY_ID(r, "staff_id", staff) &&
           PVS_QUERY_ID(r, "bearer_id", bearer) &&
           pvs_req_query_int(r, "from", 0, INT64_MAX / 2, 0, from) &&
           pvs_req_query_int(r, "to", 0, INT64_MAX / 2, INT64_MAX / 2, to);
}

bool pvd_log_filters(struct pvs_req *r, int64_t f[7])
{
    return log_filters(r, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]);
}

/* GET /access-log?recipient_id|lock_id|staff_id|bearer_id|provider_id&from&to */
void pvd_access_log(struct pvs_req *r)
{
    int64_t prov, rec, lock, staff, bearer, from, to;
    if (pvd_passages_wanted(r)) { /* one row per passage, newest first (issue 9) */
        pvd_passages(r);
        return;
    }
    if (!log_filters(r, &prov, &rec, &lock, &staff, &bearer, &from, &to))
        return;
    struct pvs_page pg;
    if (!pvs_page_begin(r, &pg))
        return;
    int64_t scope = pvs_scope_provider(r);
    if (scope)
        prov = scope; /* a provider caller sees its own keys' events only */
    pvs_stmt st;
    int rc = pvs_query(
        r->db, &st,
        "SELECT source, lock_id, seq, time, kind, reason, bearer_id, staff_id, provider_id FROM ("
        " SELECT 'lock' AS source, e.lock_id, e.seq, e.time,"
        "  CASE e.kind WHEN 1 THEN 'open' ELSE 'refused' END AS kind,"
        "  CAST(e.reason AS TEXT) AS reason, e.subject AS bearer_id, b.staff_id, b.provider_id"
        "  FROM lock_events e LEFT JOIN bearers b ON b.id = e.subject WHERE e.kind IN (1, 2)"
        " UNION ALL"
        " SELECT 'key', v.lock_id, v.seq, v.time, v.kind, v.reason, v.bearer_id, b.staff_id,"
        "  b.provider_id FROM bearer_events v JOIN bearers b ON b.id = v.bearer_id) AS log"
        " WHERE time >= ? AND time <= ? AND (? = 0 OR provider_id = ?) AND (? = 0 OR lock_id = ?)"
        " AND (? = 0 OR staff_id = ?) AND (? = 0 OR bearer_id = ?)"
        " AND (? = 0 OR lock_id = (SELECT lock_id FROM recipients WHERE id = ?))"
        /* a total order (key events are unique on bearer and seq), so OFFSET pages neither
         * repeat nor skip an event on a backend whose sort is not stable */
        " ORDER BY time, source, lock_id, seq, bearer_id LIMIT ? OFFSET ?",
        PVS_ARGS(PVS_I64(from), PVS_I64(to), PVS_I64(prov), PVS_I64(prov), PVS_I64(lock),
                 PVS_I64(lock), PVS_I64(staff), PVS_I64(staff), PVS_I64(bearer), PVS_I64(bearer),
                 PVS_I64(rec), PVS_I64(rec), PVS_I64(pg.limit + 1), PVS_I64(pg.after)));
    if (rc != PVS_DB_OK) {
        pvs_page_free(&pg);
        pvs_problem_db(r, rc, "access log");
        return;
    }
    int64_t pos = pg.after;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        json_t *o = pvd_row(&st, "source:s,lock_id:i,seq:i,time:i,kind:s,reason:s,bearer_id:n,"
                                 "staff_id:n,provider_id:n");
        const char *src = pvs_col_text(&st, 0), *reason = pvs_col_text(&st, 5);
        if (src && strcmp(src, "lock") == 0) /* locks report -pv_err as a number */
            json_object_set_new(o, "reason",
                                reason && atoi(reason) ? json_string(pv_errname(-atoi(reason)))
                                                       : json_null());
        if (!pvs_page_add(&pg, ++pos, o))
            break;
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_ROW && rc != PVS_DB_DONE) {
        pvs_page_free(&pg);
        pvs_problem_db(r, rc, "access log");
        return;
    }
    pvs_page_reply(r, &pg);
}

static json_t *bearer_list(pvs_db *db, const char *where, int64_t scope, int64_t t0)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, label, staff_id, state, last_sync_at FROM bearers WHERE (? = 0 OR"
             " provider_id = ?) AND %s ORDER BY id LIMIT 500", where);
    json_t *arr = json_array();
    pvs_stmt st;
    if (pvs_query(db, &st, sql, PVS_ARGS(PVS_I64(scope), PVS_I64(scope), PVS_I64(t0))) == PVS_DB_OK) {
        while (pvs_next(&st) == PVS_DB_ROW)
            json_array_append_new(arr, pvd_row(&st, "id:i,label:s,staff_id:i,state:s,last_sync_at:n"));
        pvs_finalize(&st);
    }
    return arr;
}

/* GET /overview: keys synced today, not synced, blocked; refusals in the last 24 h. */
void pvd_overview(struct pvs_req *r)
{
    int64_t scope = pvs_scope_provider(r), now = pvs_now();
    int64_t t0 = pvs_local_time(pvd_today(), 0), since = now - 86400;
    json_t *synced = bearer_list(r->db, "state = 'active' AND last_sync_at >= ?", scope, t0);
    json_t *not_synced = bearer_list(
        r->db, "state = 'active' AND (last_sync_at IS NULL OR last_sync_at < ?)", scope, t0);
    json_t *blocked = bearer_list(r->db, "state <> 'active' AND ? >= 0", scope, t0);
    json_t *refusals = json_object();
    pvs_stmt st;
    if (pvs_query(r->db, &st,
                  "SELECT reason, COUNT(*) FROM ("
                  " SELECT 'sync:' || s.result AS reason FROM syncs s WHERE s.at >= ?"
                  "  AND s.result <> 'ok' AND (? = 0 OR s.provider_id = ?)"
                  " UNION ALL SELECT COALESCE(v.reason, 'unknown') FROM bearer_events v"
                  "  JOIN bearers b ON b.id = v.bearer_id WHERE v.kind = 'refused'"
                  "  AND v.time >= ? AND (? = 0 OR b.provider_id = ?)"
                  " UNION ALL SELECT 'lock:' || e.reason FROM lock_events e"
                  "  JOIN bearers b ON b.id = e.subject WHERE e.kind = 2 AND e.time >= ?"
                  "  AND (? = 0 OR b.provider_id = ?)) AS refusal GROUP BY reason ORDER BY reason",
                  PVS_ARGS(PVS_I64(since), PVS_I64(scope), PVS_I64(scope), PVS_I64(since),
                           PVS_I64(scope), PVS_I64(scope), PVS_I64(since), PVS_I64(scope),
                           PVS_I64(scope))) == PVS_DB_OK) {
        while (pvs_next(&st) == PVS_DB_ROW) {
            const char *k = pvs_col_text(&st, 0);
            char name[64];
            if (k && strncmp(k, "lock:", 5) == 0) { /* a lock's -pv_err byte */
                snprintf(name, sizeof name, "%s", pv_errname(-atoi(k + 5)));
                k = name;
            }
            json_object_set_new(refusals, k ? k : "unknown", json_integer(pvs_col_i64(&st, 1)));
        }
        pvs_finalize(&st);
    }
    pvs_reply_json(r, 200, json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "synced_today_count",
                                     (json_int_t)json_array_size(synced), "not_synced_count",
                                     (json_int_t)json_array_size(not_synced), "blocked_count",
                                     (json_int_t)json_array_size(blocked), "synced_today", synced,
                                     "not_synced", not_synced, "blocked", blocked,
                                     "refusals_24h", refusals));
}

/* GET /revocation/status: the newest list, and which installed locks report holding it
 * (through REVLIST events in their signed logs). */
void pvd_revocation_status(struct pvs_req *r)
{
    int64_t issuer = r->srv->issuer.issuer_id;
    int rc;
    json_t *o = pvd_one(r->db,
                        "SELECT issuer_id, version, issued_at, entries, truncated FROM revlists"
                        " WHERE issuer_id = ? ORDER BY version DESC LIMIT 1",
                        PVS_ARGS(PVS_I64(issuer)),
                        "issuer_id:i,version:i,issued_at:i,entries:i,truncated:b", &rc);
    if (!o && rc != PVS_DB_NOTFOUND) {
        pvs_problem_db(r, rc, "revocation list");
        return;
    }
    if (!o)
        o = json_pack("{s:I,s:i,s:n,s:i,s:b}", "issuer_id", (json_int_t)issuer, "version", 0,
                      "issued_at", "entries", 0, "truncated", 0);
    int64_t version = json_integer_value(json_object_get(o, "version")), total = 0, current = 0;
    if (pvs_query_i64(r->db, "SELECT COUNT(*) FROM locks WHERE state = 'installed'", PVS_NOARGS,
                      &total) != PVS_DB_OK ||
        pvs_query_i64(r->db,
                      "SELECT COUNT(*) FROM locks WHERE state = 'installed' AND revlist_version >= ?",
                      PVS_ARGS(PVS_I64(version)), &current) != PVS_DB_OK) {
        json_decref(o);
        pvs_problem(r, 503, "busy", "Busy", "The database is busy; try again in a second.");
        return;
    }
    json_t *behind = json_array();
    pvs_stmt st;
    if (pvs_query(r->db, &st,
                  "SELECT id, kind, building_id, revlist_version, last_seen FROM locks"
                  " WHERE state = 'installed' AND revlist_version < ? ORDER BY id LIMIT 500",
                  PVS_ARGS(PVS_I64(version))) == PVS_DB_OK) {
        while (pvs_next(&st) == PVS_DB_ROW)
            json_array_append_new(behind, pvd_row(&st, "id:i,kind:s,building_id:i,"
                                                       "revlist_version:i,last_seen:n"));
        pvs_finalize(&st);
    }
    json_object_set_new(o, "locks_installed", json_integer(total));
    json_object_set_new(o, "locks_current", json_integer(current));
    json_object_set_new(o, "locks_behind", behind);
    pvs_reply_json(r, 200, o);
}
