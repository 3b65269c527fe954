/* A lost key's block at its doors (spread.h): the key, the first list naming it, and each
 * door's own signed word (its REVLIST events) about holding that list. */
#include <stdio.h>
#include <string.h>

#include "portvakt/proto.h"
#include "spread.h"
#include "../rules/calendar.h"

static int load_bearer(pvs_db *db, int64_t id, int64_t scope, pvs_spread *s)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT staff_id, provider_id, state, COALESCE(revoked_at, 0) FROM bearers"
                       " WHERE id = ? AND (? = 0 OR provider_id = ?)",
                       PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        s->bearer_id = id;
        s->staff_id = pvs_col_i64(&st, 0);
        s->provider_id = pvs_col_i64(&st, 1);
        snprintf(s->state, sizeof s->state, "%s", pvs_col_text(&st, 2) ? pvs_col_text(&st, 2) : "");
        s->revoked_at = pvs_col_i64(&st, 3);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

/* The first list signed at or after the report, and the key's last credential's end. */
static int load_list(pvs_db *db, int64_t issuer, pvs_spread *s)
{
    pvs_stmt st;
    int rc = pvs_query_i64(db, "SELECT COALESCE(MAX(not_after), 0) FROM syncs"
                               " WHERE bearer_id = ? AND result = 'ok'",
                           PVS_ARGS(PVS_I64(s->bearer_id)), &s->credential_expires_at);
    if (rc != PVS_DB_OK || !s->revoked_at)
        return rc;
    rc = pvs_query(db, &st,
                   "SELECT version, issued_at FROM revlists WHERE issuer_id = ? AND issued_at >= ?"
                   " ORDER BY version LIMIT 1",
                   PVS_ARGS(PVS_I64(issuer), PVS_I64(s->revoked_at)));
    if (rc != PVS_DB_OK)
        return rc;
    if (pvs_next(&st) == PVS_DB_ROW) {
        s->list_version = pvs_col_i64(&st, 0);
        s->list_issued_at = pvs_col_i64(&st, 1);
    }
    pvs_finalize(&st);
    return PVS_DB_OK;
}

/* Doors of the staff member's rights that were valid on the day of the report (or today
 * for a key not reported): apartment locks, and the entrance and common doors of the
 * recipients' buildings. Each with what its signed log says. */
static const char DOORS_SQL[] =
    "SELECT l.id, l.kind, l.label, b.address, COALESCE(rc.apartment, ''),"
    " COALESCE(rc.alarm_code, ''), l.revlist_version, l.last_seen,"
    " (SELECT MIN(e.time) FROM lock_events e WHERE e.lock_id = l.id AND e.kind = ?"
    "   AND e.subject >= ?),"
    " (SELECT COUNT(*) FROM lock_events e WHERE e.lock_id = l.id AND e.kind = ?"
    "   AND e.subject = ? AND e.time >= ?)"
    " FROM locks l JOIN buildings b ON b.id = l.building_id"
    " LEFT JOIN recipients rc ON rc.lock_id = l.id"
    " WHERE l.state = 'installed' AND l.id IN ("
    "  SELECT r.lock_id FROM rights r WHERE r.staff_id = ? AND r.lock_id IS NOT NULL"
    "   AND r.valid_from <= ? AND (r.valid_until IS NULL OR r.valid_until >= ?)"
    "  UNION SELECT l2.id FROM locks l2 JOIN rights r ON r.building_id = l2.building_id"
    "   WHERE r.staff_id = ? AND l2.kind IN ('entrance', 'common')"
    "   AND r.valid_from <= ? AND (r.valid_until IS NULL OR r.valid_until >= ?))"
    " ORDER BY l.id";

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void read_door(pvs_stmt *st, const pvs_spread *s, pvs_spread_door *d)
{
    memset(d, 0, sizeof *d);
    d->lock_id = pvs_col_i64(st, 0);
    copy_text(d->kind, sizeof d->kind, pvs_col_text(st, 1));
    copy_text(d->label, sizeof d->label, pvs_col_text(st, 2));
    copy_text(d->address, sizeof d->address, pvs_col_text(st, 3));
    copy_text(d->apartment, sizeof d->apartment, pvs_col_text(st, 4));
    copy_text(d->alarm_code, sizeof d->alarm_code, pvs_col_text(st, 5));
    d->revlist_version = pvs_col_i64(st, 6);
    d->last_seen = pvs_col_i64(st, 7);
    d->knows = s->list_version > 0 && d->revlist_version >= s->list_version;
    d->known_since = d->knows ? pvs_col_i64(st, 8) : 0;
    d->opened_after_report = pvs_col_i64(st, 9);
}

static int load_doors(pvs_db *db, pvs_spread *s, int64_t now, pvs_spread_door_fn each,
                      void *ctx)
{
    char from[PVS_DATE_LEN], until[PVS_DATE_LEN];
    int64_t at = s->revoked_at ? s->revoked_at : now;
    pvs_date_format(pvs_local_day(at), from);
    pvs_date_format(pvs_local_day(at) - 1, until); /* yesterday's shift may run past midnight */
    int64_t since = s->list_version ? s->list_version : INT64_MAX;
    pvs_stmt st;
    int rc = pvs_query(db, &st, DOORS_SQL,
                       PVS_ARGS(PVS_I64(PV_EV_REVLIST), PVS_I64(since), PVS_I64(PV_EV_OPEN),
                                PVS_I64(s->bearer_id), PVS_I64(at), PVS_I64(s->staff_id),
                                PVS_TEXT(from), PVS_TEXT(until), PVS_I64(s->staff_id),
                                PVS_TEXT(from), PVS_TEXT(until)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        pvs_spread_door d;
        read_door(&st, s, &d);
        s->doors++;
        s->doors_known += d.knows;
        if (each)
            each(ctx, &d);
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

int pvs_spread_of(pvs_db *db, int64_t issuer, int64_t id, int64_t scope, int64_t now,
                  pvs_spread *out, pvs_spread_door_fn each, void *ctx)
{
    memset(out, 0, sizeof *out);
    int rc = load_bearer(db, id, scope, out);
    if (rc == PVS_DB_OK)
        rc = load_list(db, issuer, out);
    if (rc == PVS_DB_OK)
        rc = load_doors(db, out, now, each, ctx);
    return rc;
}
