/* Reads behind the access log, the overview and the revocation-list spread (see logs.h). */
#include "logs.h"

#include "alarm_flag.h"

#include <stdio.h>

int pvs_access_log(pvs_db *db, const struct pvs_log_filter *f, int64_t offset, int64_t limit,
                   const struct pvs_rows_out *out)
{
    return pvs_rows_all(
        db,
        "SELECT source, lock_id, seq, time, kind, reason, bearer_id, staff_id, provider_id, alarm FROM ("
        " SELECT 'lock' AS source, e.lock_id, e.seq, e.time,"
        "  CASE e.kind WHEN 1 THEN 'open' ELSE 'refused' END AS kind,"
        "  CAST(e.reason AS TEXT) AS reason, e.subject AS bearer_id, b.staff_id, b.provider_id,"
        "  " PVS_SQL_LOCK_ALARM("e") " AS alarm"
        "  FROM lock_events e LEFT JOIN bearers b ON b.id = e.subject WHERE e.kind IN (1, 2)"
        " UNION ALL"
        " SELECT 'key', v.lock_id, v.seq, v.time, v.kind, v.reason, v.bearer_id, b.staff_id,"
        "  b.provider_id, " PVS_SQL_KEY_ALARM("v")
        "  FROM bearer_events v JOIN bearers b ON b.id = v.bearer_id) AS log"
        " WHERE time >= ? AND time <= ? AND (? = 0 OR provider_id = ?) AND (? = 0 OR lock_id = ?)"
        " AND (? = 0 OR staff_id = ?) AND (? = 0 OR bearer_id = ?)"
        " AND (? = 0 OR lock_id = (SELECT lock_id FROM recipients WHERE id = ?))"
        /* a total order (key events are unique on bearer and seq), so OFFSET pages neither
         * repeat nor skip an event on a backend whose sort is not stable */
        " ORDER BY time, source, lock_id, seq, bearer_id LIMIT ? OFFSET ?",
        PVS_ARGS(PVS_I64(f->from), PVS_I64(f->to), PVS_I64(f->provider_id),
                 PVS_I64(f->provider_id), PVS_I64(f->lock_id), PVS_I64(f->lock_id),
                 PVS_I64(f->staff_id), PVS_I64(f->staff_id), PVS_I64(f->bearer_id),
                 PVS_I64(f->bearer_id), PVS_I64(f->recipient_id), PVS_I64(f->recipient_id),
                 PVS_I64(limit), PVS_I64(offset)),
        out);
}

int pvs_overview_keys(pvs_db *db, enum pvs_overview_keys which, int64_t scope,
                      int64_t day_start, const struct pvs_rows_out *out)
{
    static const char *const where[] = {
        [PVS_KEYS_SYNCED_TODAY] = "state = 'active' AND last_sync_at >= ?",
        [PVS_KEYS_NOT_SYNCED] = "state = 'active' AND (last_sync_at IS NULL OR last_sync_at < ?)",
        [PVS_KEYS_BLOCKED] = "state <> 'active' AND ? >= 0",
    };
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, label, staff_id, state, last_sync_at FROM bearers WHERE (? = 0 OR"
             " provider_id = ?) AND %s ORDER BY id LIMIT 500", where[which]);
    return pvs_rows_all(db, sql, PVS_ARGS(PVS_I64(scope), PVS_I64(scope), PVS_I64(day_start)),
                        out);
}

int pvs_refusals_since(pvs_db *db, int64_t scope, int64_t since, const struct pvs_rows_out *out)
{
    return pvs_rows_all(
        db,
        /* a lock's DENY record with aux > 0 sums up aux identical refusals (docs/lock.md,
         * "Coalesced refusals") */
        "SELECT reason, CAST(SUM(n) AS BIGINT) FROM ("
        " SELECT 'sync:' || s.result AS reason, 1 AS n FROM syncs s WHERE s.at >= ?"
        "  AND s.result <> 'ok' AND (? = 0 OR s.provider_id = ?)"
        " UNION ALL SELECT COALESCE(v.reason, 'unknown'), 1 FROM bearer_events v"
        "  JOIN bearers b ON b.id = v.bearer_id WHERE v.kind = 'refused'"
        "  AND v.time >= ? AND (? = 0 OR b.provider_id = ?)"
        " UNION ALL SELECT 'lock:' || e.reason, CASE WHEN e.aux > 0 THEN e.aux ELSE 1 END"
        "  FROM lock_events e"
        "  JOIN bearers b ON b.id = e.subject WHERE e.kind = 2 AND e.time >= ?"
        "  AND (? = 0 OR b.provider_id = ?)) AS refusal GROUP BY reason ORDER BY reason",
        PVS_ARGS(PVS_I64(since), PVS_I64(scope), PVS_I64(scope), PVS_I64(since), PVS_I64(scope),
                 PVS_I64(scope), PVS_I64(since), PVS_I64(scope), PVS_I64(scope)),
        out);
}

int pvs_revlist_newest(pvs_db *db, int64_t issuer, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db,
                        "SELECT issuer_id, version, issued_at, entries, truncated FROM revlists"
                        " WHERE issuer_id = ? ORDER BY version DESC LIMIT 1",
                        PVS_ARGS(PVS_I64(issuer)), out);
}

int pvs_revlist_spread(pvs_db *db, int64_t version, int64_t *installed, int64_t *current)
{
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM locks WHERE state = 'installed'",
                           PVS_NOARGS, installed);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "SELECT COUNT(*) FROM locks WHERE state = 'installed'"
                           " AND revlist_version >= ?",
                           PVS_ARGS(PVS_I64(version)), current);
    return rc;
}

int pvs_revlist_behind(pvs_db *db, int64_t version, const struct pvs_rows_out *out)
{
    return pvs_rows_all(db,
                        "SELECT id, kind, building_id, revlist_version, last_seen FROM locks"
                        " WHERE state = 'installed' AND revlist_version < ? ORDER BY id LIMIT 500",
                        PVS_ARGS(PVS_I64(version)), out);
}
