/* Read-only views over what keys and locks reported: the access log (lock-signed and
 * key-reported events, filtered and scoped), the planner's overview, and how far the
 * newest revocation list has spread among the locks. Their reads: services/logs.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "../services/logs.h"
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

/* One access-log row as JSON: a lock's reason (-pv_err as a number) becomes its name. */
static json_t *log_row(pvs_stmt *st)
{
    json_t *o = pvd_row(st, "source:s,lock_id:i,seq:i,time:i,kind:s,reason:s,bearer_id:n,"
                            "staff_id:n,provider_id:n,alarm:b");
    const char *src = pvs_col_text(st, 0), *reason = pvs_col_text(st, 5);
    if (src && strcmp(src, "lock") == 0)
        json_object_set_new(o, "reason", reason && atoi(reason)
                                             ? json_string(pv_errname(-atoi(reason)))
                                             : json_null());
    return o;
}

struct log_page {
    struct pvs_page pg;
    int64_t pos; /* the page cursor is a position in the log's total order */
};

static bool log_add(pvs_stmt *st, void *ctx)
{
    struct log_page *lp = ctx;
    return pvs_page_add(&lp->pg, ++lp->pos, log_row(st));
}

bool pvd_log_filters(struct pvs_req *r, int64_t f[7])
{
    return log_filters(r, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]);
}

/* GET /access-log?recipient_id|lock_id|staff_id|bearer_id|provider_id&from&to */
void pvd_access_log(struct pvs_req *r)
{
    struct pvs_log_filter f;
    if (pvd_passages_wanted(r)) { /* one row per passage, newest first (issue 9) */
        pvd_passages(r);
        return;
    }
    if (!log_filters(r, &f.provider_id, &f.recipient_id, &f.lock_id, &f.staff_id, &f.bearer_id,
                     &f.from, &f.to))
        return;
    struct log_page lp;
    if (!pvs_page_begin(r, &lp.pg))
        return;
    int64_t scope = pvs_scope_provider(r);
    if (scope)
        f.provider_id = scope; /* a provider caller sees its own keys' events only */
    lp.pos = lp.pg.after;
    int rc = pvs_access_log(r->db, &f, lp.pg.after, lp.pg.limit + 1,
                            &(struct pvs_rows_out){log_add, &lp});
    if (rc != PVS_DB_OK) {
        pvs_page_free(&lp.pg);
        pvs_problem_db(r, rc, "access log");
        return;
    }
    pvs_page_reply(r, &lp.pg);
}

static json_t *keys_json(pvs_db *db, enum pvs_overview_keys which, int64_t scope, int64_t t0)
{
    struct pvd_rows_json j = {"id:i,label:s,staff_id:i,state:s,last_sync_at:n", json_array(), NULL};
    /* a group that cannot be read shows what was read of it */
    int rc = pvs_overview_keys(db, which, scope, t0, &(struct pvs_rows_out){pvd_rows_append, &j});
    (void)rc;
    return j.arr;
}

static bool refusal_add(pvs_stmt *st, void *ctx)
{
    const char *k = pvs_col_text(st, 0);
    char name[64];
    if (k && strncmp(k, "lock:", 5) == 0) { /* a lock's -pv_err byte */
        snprintf(name, sizeof name, "%s", pv_errname(-atoi(k + 5)));
        k = name;
    }
    json_object_set_new(ctx, k ? k : "unknown", json_integer(pvs_col_i64(st, 1)));
    return true;
}

/* GET /overview: keys synced today, not synced, blocked; refusals in the last 24 h. */
void pvd_overview(struct pvs_req *r)
{
    int64_t scope = pvs_scope_provider(r), now = pvs_now();
    int64_t t0 = pvs_local_time(pvd_today(), 0), since = now - 86400;
    json_t *synced = keys_json(r->db, PVS_KEYS_SYNCED_TODAY, scope, t0);
    json_t *not_synced = keys_json(r->db, PVS_KEYS_NOT_SYNCED, scope, t0);
    json_t *blocked = keys_json(r->db, PVS_KEYS_BLOCKED, scope, t0);
    json_t *refusals = json_object();
    /* counts that cannot be read show what was read of them */
    int rc = pvs_refusals_since(r->db, scope, since, &(struct pvs_rows_out){refusal_add, refusals});
    (void)rc;
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
    struct pvd_rows_json j = {"issuer_id:i,version:i,issued_at:i,entries:i,truncated:b", NULL, NULL};
    int rc = pvs_revlist_newest(r->db, issuer, &(struct pvs_rows_out){pvd_rows_first, &j});
    json_t *o = j.obj;
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND) {
        json_decref(o);
        pvs_problem_db(r, rc, "revocation list");
        return;
    }
    if (!o)
        o = json_pack("{s:I,s:i,s:n,s:i,s:b}", "issuer_id", (json_int_t)issuer, "version", 0,
                      "issued_at", "entries", 0, "truncated", 0);
    int64_t version = json_integer_value(json_object_get(o, "version")), total = 0, current = 0;
    if (pvs_revlist_spread(r->db, version, &total, &current) != PVS_DB_OK) {
        json_decref(o);
        pvs_problem(r, 503, "busy", "Busy", "The database is busy; try again in a second.");
        return;
    }
    struct pvd_rows_json behind = {"id:i,kind:s,building_id:i,revlist_version:i,last_seen:n",
                                   json_array(), NULL};
    /* locks that cannot be read are left out, as the counts above still tell */
    rc = pvs_revlist_behind(r->db, version, &(struct pvs_rows_out){pvd_rows_append, &behind});
    (void)rc;
    json_object_set_new(o, "locks_installed", json_integer(total));
    json_object_set_new(o, "locks_current", json_integer(current));
    json_object_set_new(o, "locks_behind", behind.arr);
    pvs_reply_json(r, 200, o);
}
