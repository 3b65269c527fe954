/* Alarm grants: grant, end early, and add to a responder's credential (see alarm.h). */
#include "alarm.h"

#include <string.h>

#include "pvs/clock.h"

/* One grant with its state and the number of flagged openings under it; `?` = now.
 * Columns: PVS_ALARM_GRANT_SHAPE. */
#define GRANT_SELECT                                                                            \
    "SELECT g.id, g.alarm_ref, g.recipient_id, c.alarm_code, g.bearer_id, b.label,"             \
    " g.starts_at, g.ends_at, g.ended_at, g.created_by, g.ended_by,"                            \
    " CASE WHEN g.ended_at IS NULL AND g.ends_at > ? THEN 1 ELSE 0 END,"                        \
    " (SELECT COUNT(*) FROM lock_events e WHERE e.kind = 1 AND e.subject = g.bearer_id"         \
    "  AND (e.aux & 8) <> 0 AND e.time >= g.starts_at"                                          \
    "  AND e.time <= COALESCE(g.ended_at, g.ends_at))"                                          \
    " FROM alarm_grants g JOIN recipients c ON c.id = g.recipient_id"                           \
    " JOIN bearers b ON b.id = g.bearer_id"

/* The grant itself, inside the open write transaction. */
static int grant(pvs_db *db, const pvs_alarm_req *req, int64_t now, int64_t *id,
                 enum pvs_alarm_refusal *why)
{
    int64_t v = 0;
    *why = PVS_ALARM_OK;
    int rc = pvs_query_i64(db, "SELECT id FROM recipients WHERE id = ?",
                           PVS_ARGS(PVS_I64(req->recipient_id)), &v);
    if (rc == PVS_DB_NOTFOUND) {
        *why = PVS_ALARM_NO_RECIPIENT;
        return PVS_DB_OK;
    }
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_query_i64(db,
                       "SELECT CASE WHEN b.state = 'active' AND s.active = 1 THEN 1 ELSE 0 END"
                       " FROM bearers b JOIN staff s ON s.id = b.staff_id WHERE b.id = ?",
                       PVS_ARGS(PVS_I64(req->bearer_id)), &v);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && v == 0)) {
        *why = rc == PVS_DB_NOTFOUND ? PVS_ALARM_NO_BEARER : PVS_ALARM_BEARER_BLOCKED;
        return PVS_DB_OK;
    }
    if (rc != PVS_DB_OK)
        return rc;
    /* from the current whole minute: credentials count in minutes from a whole minute, so a
     * grant starting mid-minute would begin only at the next one, after the call-out began */
    int64_t start = now - now % 60;
    return pvs_query_i64(db,
                         "INSERT INTO alarm_grants (alarm_ref, recipient_id, bearer_id, starts_at,"
                         " ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         PVS_ARGS(PVS_TEXT(req->alarm_ref), PVS_I64(req->recipient_id),
                                  PVS_I64(req->bearer_id), PVS_I64(start),
                                  PVS_I64(start + req->minutes * 60), PVS_TEXT(req->by), PVS_I64(now)),
                         id);
}

/* Ends a running grant inside the open write transaction: PVS_DB_NOTFOUND when there is no
 * such grant; *was_running tells whether it was still running. */
static int end_grant(pvs_db *db, int64_t id, const char *by, int64_t now, int *was_running)
{
    int64_t v = 0;
    *was_running = 0;
    int rc = pvs_query_i64(db,
                           "SELECT CASE WHEN ended_at IS NULL AND ends_at > ? THEN 1 ELSE 0 END"
                           " FROM alarm_grants WHERE id = ?",
                           PVS_ARGS(PVS_I64(now), PVS_I64(id)), &v);
    if (rc != PVS_DB_OK || v == 0)
        return rc;
    int64_t n = pvs_exec(db, "UPDATE alarm_grants SET ended_at = ?, ended_by = ? WHERE id = ?",
                         PVS_ARGS(PVS_I64(now), PVS_TEXT(by), PVS_I64(id)));
    *was_running = n > 0;
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_alarm_apply(pvs_db *db, uint32_t bearer_id, pvs_rights *r)
{
    pvs_stmt st;
    /* every installed door of the recipient's building that the grant reaches: the
     * recipient's own apartment lock, and the building's entrance and common locks */
    int rc = pvs_query(db, &st,
                       "SELECT l.id, l.building_id, l.kind, g.starts_at,"
                       " COALESCE(g.ended_at, g.ends_at) FROM alarm_grants g"
                       " JOIN recipients c ON c.id = g.recipient_id"
                       " JOIN locks l ON l.building_id = c.building_id AND l.state = 'installed'"
                       "  AND (l.kind <> 'apartment' OR l.id = c.lock_id)"
                       " WHERE g.bearer_id = ? AND COALESCE(g.ended_at, g.ends_at) > ?"
                       "  AND g.starts_at < ? ORDER BY l.id",
                       PVS_ARGS(PVS_I64(bearer_id), PVS_I64(r->not_before), PVS_I64(r->not_after)));
    if (rc != PVS_DB_OK)
        return rc;
    int prc = PV_OK;
    while (prc == PV_OK && (rc = pvs_next(&st)) == PVS_DB_ROW) {
        const char *kind = pvs_col_text(&st, 2);
        uint16_t f = strcmp(kind, "apartment") == 0  ? PV_ENTRY_F_APARTMENT
                     : strcmp(kind, "entrance") == 0 ? PV_ENTRY_F_ENTRANCE
                                                     : PV_ENTRY_F_COMMON;
        prc = pvs_rights_add_span(r, (uint32_t)pvs_col_i64(&st, 0), (uint32_t)pvs_col_i64(&st, 1),
                                  (uint16_t)(f | PV_ENTRY_F_ALARM), pvs_col_i64(&st, 3),
                                  pvs_col_i64(&st, 4));
    }
    pvs_finalize(&st);
    if (prc != PV_OK)
        return prc;
    return rc == PVS_DB_DONE || rc == PVS_DB_ROW ? PVS_DB_OK : rc;
}

int pvs_alarm_list(pvs_db *db, int64_t scope, int64_t now, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    return pvs_rows_range(db, GRANT_SELECT " WHERE (? = 0 OR b.provider_id = ?) AND g.id > ?"
                                           " ORDER BY g.id LIMIT ?",
                          PVS_ARGS(PVS_I64(now), PVS_I64(scope), PVS_I64(scope)), rg, out);
}

int pvs_alarm_get(pvs_db *db, int64_t id, int64_t scope, int64_t now,
                  const struct pvs_rows_out *grant, const struct pvs_rows_out *openings)
{
    int rc = pvs_tx_begin(db, false);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_rows_one(db, GRANT_SELECT " WHERE g.id = ? AND (? = 0 OR b.provider_id = ?)",
                      PVS_ARGS(PVS_I64(now), PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), grant);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db,
                          "SELECT e.lock_id, l.kind, e.seq, e.time, e.aux FROM alarm_grants g"
                          " JOIN lock_events e ON e.subject = g.bearer_id AND e.kind = 1"
                          "  AND (e.aux & 8) <> 0 AND e.time >= g.starts_at"
                          "  AND e.time <= COALESCE(g.ended_at, g.ends_at)"
                          " LEFT JOIN locks l ON l.id = e.lock_id WHERE g.id = ?"
                          " ORDER BY e.time, e.lock_id",
                          PVS_ARGS(PVS_I64(id)), openings);
    pvs_tx_rollback(db); /* read only */
    return rc;
}

/* Grant `id` as it is now, to `row`. */
static int grant_row(pvs_db *db, int64_t id, int64_t now, const struct pvs_rows_out *row)
{
    return pvs_rows_one(db, GRANT_SELECT " WHERE g.id = ?", PVS_ARGS(PVS_I64(now), PVS_I64(id)),
                        row);
}

int pvs_alarm_create(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider,
                     const pvs_alarm_req *req, const char *details, int64_t now,
                     enum pvs_alarm_refusal *why, const struct pvs_rows_out *row)
{
    int64_t id = 0;
    *why = PVS_ALARM_OK;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = grant(db, req, now, &id, why);
    if (rc == PVS_DB_OK && *why != PVS_ALARM_OK) {
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, "alarm.grant", "alarm_grant", id, details);
    if (rc == PVS_DB_OK)
        rc = grant_row(db, id, now, row);
    return pvs_tx_finish(db, rc);
}

int pvs_alarm_stop(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider, int64_t id,
                   const char *by, int64_t now, const struct pvs_rows_out *row)
{
    int running = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = end_grant(db, id, by, now, &running);
    if (rc == PVS_DB_OK && running)
        rc = pvs_audit_record(db, who, provider, "alarm.end", "alarm_grant", id, NULL);
    if (rc == PVS_DB_OK)
        rc = grant_row(db, id, now, row);
    return pvs_tx_finish(db, rc);
}

int pvs_token_scope(pvs_db *db, int64_t id, char scope[16])
{
    return pvs_query_text(db, "SELECT scope FROM api_tokens WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                          scope, 16);
}

int pvs_alarm_token_create(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider,
                           const char *name, const uint8_t *hash, const char *details,
                           int64_t *id)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "INSERT INTO api_tokens (name, token_hash, role, provider_id, created_by,"
                           " created_at, scope) VALUES (?, ?, 'central_admin', NULL, ?, ?, 'alarm')"
                           " RETURNING id",
                           PVS_ARGS(PVS_TEXT(name), PVS_BLOB(hash, 32),
                                    PVS_ID_OR_NULL(who->user_id), PVS_I64(pvs_now())), id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, "token.create_alarm", "api_token", *id, details);
    return pvs_tx_finish(db, rc);
}
