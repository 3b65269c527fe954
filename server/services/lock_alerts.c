/* Lock events for the outbox: a log gap opened, a battery that became low (lock_alerts.h). */
#include <stdio.h>

#include "portvakt/lock.h"
#include "lock_alerts.h"
#include "outbox.h"

static int gap_event(pvs_db *db, uint32_t lock, uint64_t from, uint32_t to, int64_t now)
{
    char key[96], data[160];
    snprintf(key, sizeof key, "%s/%u-%llu-%u", PVS_EV_LOG_GAP, lock, (unsigned long long)from, to);
    snprintf(data, sizeof data, "{\"from_seq\":%llu,\"lock_id\":%u,\"to_seq\":%u}",
             (unsigned long long)from, lock, to);
    return pvs_outbox_add(db, PVS_EV_LOG_GAP, key, data, now);
}

/* The last battery reading in the batch: *mv = -1 when there is none. */
static void last_battery(const pv_logbatch *b, int64_t *mv, int64_t *pct, int64_t *at)
{
    *mv = -1;
    for (unsigned i = 0; i < b->count; i++) {
        pv_event ev;
        if (pv_event_decode(b->events + (size_t)i * PV_EVENT_SIZE, &ev) == PV_OK &&
            ev.kind == PV_EV_BATTERY) {
            *mv = ev.subject;
            *pct = ev.aux;
            *at = ev.time;
        }
    }
}

static int battery_event(pvs_db *db, const pv_logbatch *b, int64_t now)
{
    int64_t mv, pct = 0, at = 0, old = -1;
    last_battery(b, &mv, &pct, &at);
    if (mv < 0 || mv >= PV_LOCK_LOW_BATTERY_MV)
        return PVS_DB_OK;
    int rc = pvs_query_i64(db, "SELECT COALESCE(battery_mv, -1) FROM locks WHERE id = ?",
                           PVS_ARGS(PVS_I64(b->lock_id)), &old);
    if (rc != PVS_DB_OK)
        return rc;
    if (old >= 0 && old < PV_LOCK_LOW_BATTERY_MV)
        return PVS_DB_OK; /* already low: reported when it crossed */
    char key[96], data[160];
    snprintf(key, sizeof key, "%s/%u-%lld", PVS_EV_BATTERY_LOW, b->lock_id, (long long)at);
    snprintf(data, sizeof data, "{\"battery_mv\":%lld,\"battery_pct\":%lld,\"lock_id\":%u,\"measured_at\":%lld}",
             (long long)mv, (long long)pct, b->lock_id, (long long)at);
    return pvs_outbox_add(db, PVS_EV_BATTERY_LOW, key, data, now);
}

int pvs_lock_alerts(pvs_db *db, const pv_logbatch *b, uint32_t first, uint64_t expected,
                    int64_t now)
{
    int rc = PVS_DB_OK;
    if ((uint64_t)first > expected)
        rc = gap_event(db, b->lock_id, expected, first - 1u, now);
    if (rc == PVS_DB_OK)
        rc = battery_event(db, b, now);
    return rc;
}

int pvs_lock_silent_scan(pvs_db *db, int64_t now)
{
    int64_t ids[PVS_LOCK_SILENT_BATCH], seen[PVS_LOCK_SILENT_BATCH];
    size_t n = 0;
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT l.id, l.last_seen FROM locks l WHERE l.state <> 'removed'"
                       " AND l.last_seen IS NOT NULL AND l.last_seen < ? AND NOT EXISTS"
                       " (SELECT 1 FROM outbox_events e WHERE e.event_key ="
                       "  'lock.silent/' || CAST(l.id AS TEXT) || '-' || CAST(l.last_seen AS TEXT))"
                       " ORDER BY l.id LIMIT ?",
                       PVS_ARGS(PVS_I64(now - PVS_LOCK_SILENT_DAYS * 86400LL),
                                PVS_I64(PVS_LOCK_SILENT_BATCH)));
    if (rc != PVS_DB_OK)
        return rc;
    while (n < PVS_LOCK_SILENT_BATCH && (rc = pvs_next(&st)) == PVS_DB_ROW) {
        ids[n] = pvs_col_i64(&st, 0);
        seen[n++] = pvs_col_i64(&st, 1);
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE && rc != PVS_DB_ROW)
        return rc;
    rc = PVS_DB_OK;
    for (size_t i = 0; i < n && rc == PVS_DB_OK; i++) {
        char key[96], data[128];
        snprintf(key, sizeof key, "%s/%lld-%lld", PVS_EV_LOCK_SILENT, (long long)ids[i], (long long)seen[i]);
        snprintf(data, sizeof data, "{\"days\":%d,\"last_seen\":%lld,\"lock_id\":%lld}",
                 PVS_LOCK_SILENT_DAYS, (long long)seen[i], (long long)ids[i]);
        rc = pvs_outbox_add(db, PVS_EV_LOCK_SILENT, key, data, now);
    }
    return rc;
}
