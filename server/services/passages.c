/* The access log's passages view (passages.h): one query, filters bound in order. */
#include "passages.h"

#include "alarm_flag.h"

#define EVENTS \
    " SELECT 'lock' AS source, e.lock_id, e.seq, e.time," \
    "  CASE e.kind WHEN 1 THEN 'open' ELSE 'refused' END AS kind," \
    "  CAST(e.reason AS TEXT) AS reason, e.subject AS bearer_id, b.staff_id, b.provider_id," \
    "  " PVS_SQL_LOCK_ALARM("e") " AS alarm" \
    "  FROM lock_events e LEFT JOIN bearers b ON b.id = e.subject WHERE e.kind IN (1, 2)" \
    " UNION ALL" \
    " SELECT 'key', v.lock_id, v.seq, v.time, v.kind, v.reason, v.bearer_id, b.staff_id," \
    "  b.provider_id, " PVS_SQL_KEY_ALARM("v") \
    "  FROM bearer_events v JOIN bearers b ON b.id = v.bearer_id"
/* the recipient's own door, and its building's shared doors used by staff with a right to it */
#define RECIPIENT_DOORS \
    " AND (? = 0 OR g.lock_id = (SELECT lock_id FROM recipients WHERE id = ?)" \
    "  OR (g.staff_id IN (SELECT staff_id FROM rights WHERE recipient_id = ?)" \
    "   AND g.lock_id IN (SELECT l2.id FROM locks l2 JOIN recipients r2" \
    "    ON r2.building_id = l2.building_id WHERE r2.id = ? AND l2.kind <> 'apartment')))"
#define SQL_HEAD \
    "SELECT g.source, g.lock_id, g.seq, g.time, g.kind, g.reason, g.bearer_id, g.staff_id," \
    " g.provider_id, l.kind, l.label, g.alarm FROM (" EVENTS ") AS g LEFT JOIN locks l ON l.id = g.lock_id" \
    " WHERE g.time >= ? AND g.time <= ? AND (? = 0 OR g.provider_id = ?)" \
    " AND (? = 0 OR g.lock_id = ?) AND (? = 0 OR g.staff_id = ?) AND (? = 0 OR g.bearer_id = ?)" \
    RECIPIENT_DOORS
#define ORDER_DESC \
    " ORDER BY g.time DESC, g.source DESC, g.lock_id DESC, g.seq DESC, g.bearer_id DESC LIMIT ?"
#define ORDER_ASC " ORDER BY g.time, g.source, g.lock_id, g.seq, g.bearer_id LIMIT ?"

int pvs_passages_rows(pvs_db *db, const int64_t f[7], bool desc, int64_t rows,
                      const struct pvs_rows_out *out)
{
    const int64_t prov = f[0], rec = f[1], lock = f[2], staff = f[3], bearer = f[4];
    return pvs_rows_all(
        db, desc ? SQL_HEAD ORDER_DESC : SQL_HEAD ORDER_ASC,
        PVS_ARGS(PVS_I64(f[5]), PVS_I64(f[6]), PVS_I64(prov), PVS_I64(prov), PVS_I64(lock),
                 PVS_I64(lock), PVS_I64(staff), PVS_I64(staff), PVS_I64(bearer), PVS_I64(bearer),
                 PVS_I64(rec), PVS_I64(rec), PVS_I64(rec), PVS_I64(rec), PVS_I64(rows)),
        out);
}
