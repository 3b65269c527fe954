/* Alarm grants: grant, end early, and add to a responder's credential (see alarm.h). */
#include "alarm.h"

#include <string.h>

int pvs_alarm_grant(pvs_db *db, const pvs_alarm_req *req, int64_t now, int64_t *id,
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

int pvs_alarm_end(pvs_db *db, int64_t id, const char *by, int64_t now, int *was_running)
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
