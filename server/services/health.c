/* Device health (see health.h): the SQL behind GET /device-health. */
#include "health.h"

#include <stdio.h>
#include <stdlib.h>

#include "portvakt/lock.h"
#include "portvakt/proto.h"

#define ROWS_TEXT "200" /* PVS_HEALTH_ROWS in SQL */
#define LOST_TEXT "50" /* PVS_HEALTH_LOST_MAX in SQL */

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
/* Columns: PVS_HEALTH_LOCK_SHAPE. */
#define LOCK_COLS \
    "SELECT l.id, l.kind, l.label, b.address, COALESCE(rc.alarm_code, ''), l.battery_mv," \
    " l.battery_at, l.last_seen FROM locks l JOIN buildings b ON b.id = l.building_id" \
    " LEFT JOIN recipients rc ON rc.lock_id = l.id WHERE l.state = 'installed' AND"

_Static_assert(PVS_HEALTH_ROWS == 200, "ROWS_TEXT follows PVS_HEALTH_ROWS");
_Static_assert(PVS_HEALTH_LOST_MAX == 50, "LOST_TEXT follows PVS_HEALTH_LOST_MAX");

/* Batteries below the lock's warning level, then the locks, stations and keys silent since
 * q->before. */
static int quiet_lists(pvs_db *db, const struct pvs_health_req *q, const struct pvs_health_out *out)
{
    int64_t s = q->scope;
    int rc = pvs_rows_all(db, LOCK_COLS " battery_mv < ? AND" LOCK_SCOPE
                              " ORDER BY l.battery_mv, l.id LIMIT " ROWS_TEXT,
                          PVS_ARGS(PVS_I64(PV_LOCK_LOW_BATTERY_MV), PVS_I64(s), PVS_I64(s),
                                   PVS_I64(s)),
                          &out->batteries);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db, LOCK_COLS " (l.last_seen IS NULL OR l.last_seen < ?) AND" LOCK_SCOPE
                              " ORDER BY COALESCE(l.last_seen, 0), l.id LIMIT " ROWS_TEXT,
                          PVS_ARGS(PVS_I64(q->before), PVS_I64(s), PVS_I64(s), PVS_I64(s)),
                          &out->silent_locks);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db, "SELECT id, name, last_seen FROM stations WHERE state = 'active'"
                              " AND (last_seen IS NULL OR last_seen < ?) AND (? = 0 OR provider_id = ?)"
                              " ORDER BY COALESCE(last_seen, 0), id LIMIT " ROWS_TEXT,
                          PVS_ARGS(PVS_I64(q->before), PVS_I64(s), PVS_I64(s)),
                          &out->silent_stations);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db, "SELECT b.id, b.label, s.display_name, b.last_sync_at FROM bearers b"
                              " JOIN staff s ON s.id = b.staff_id WHERE b.state = 'active'"
                              " AND (b.last_sync_at IS NULL OR b.last_sync_at < ?)"
                              " AND (? = 0 OR b.provider_id = ?)"
                              " ORDER BY COALESCE(b.last_sync_at, 0), b.id LIMIT " ROWS_TEXT,
                          PVS_ARGS(PVS_I64(q->before), PVS_I64(s), PVS_I64(s)),
                          &out->keys_not_synced);
    return rc;
}

struct lost_keys {
    struct pvs_health_lost k[PVS_HEALTH_LOST_MAX];
    size_t n;
};

static bool lost_row(pvs_stmt *st, void *ctx)
{
    struct lost_keys *l = ctx;
    struct pvs_health_lost *k = &l->k[l->n++];
    k->bearer_id = pvs_col_i64(st, 0);
    snprintf(k->label, sizeof k->label, "%s", pvs_col_text(st, 1));
    return l->n < PVS_HEALTH_LOST_MAX;
}

/* Lost keys of the last two days (a credential lives at most 48 h) whose block has not yet
 * reached all their doors: the doors, how many know, the last credential's end. */
static int spreading(pvs_db *db, const struct pvs_health_req *q, const struct pvs_health_out *out)
{
    struct lost_keys *l = malloc(sizeof *l);
    if (!l)
        return PVS_DB_ERROR;
    l->n = 0;
    int rc = pvs_rows_all(db, "SELECT id, label FROM bearers WHERE state = 'lost' AND revoked_at >= ?"
                              " AND (? = 0 OR provider_id = ?) ORDER BY revoked_at DESC LIMIT " LOST_TEXT,
                          PVS_ARGS(PVS_I64(q->now - (int64_t)PV_CRED_MAX_LIFETIME_S),
                                   PVS_I64(q->scope), PVS_I64(q->scope)),
                          &(struct pvs_rows_out){lost_row, l});
    for (size_t i = 0; rc == PVS_DB_OK && i < l->n; i++) {
        struct pvs_health_lost *k = &l->k[i];
        rc = pvs_spread_of(db, q->issuer, k->bearer_id, q->scope, q->now, &k->spread, NULL, NULL);
        if (rc == PVS_DB_OK && k->spread.doors_known < k->spread.doors)
            out->lost(out->lost_ctx, k);
    }
    free(l);
    return rc;
}

int pvs_device_health(pvs_db *db, const struct pvs_health_req *q, const struct pvs_health_out *out)
{
    int rc = pvs_tx_begin(db, false);
    if (rc != PVS_DB_OK)
        return rc;
    rc = quiet_lists(db, q, out);
    if (rc == PVS_DB_OK)
        rc = spreading(db, q, out);
    pvs_tx_rollback(db); /* read only */
    return rc;
}
