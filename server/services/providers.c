/* Providers (see providers.h): the SQL and transactions behind /api/v1/providers. */
#include "providers.h"

#include "pvs/clock.h"

#define PROVIDER_COLS "id, name, org_number, active, created_at"

int pvs_providers_list(pvs_db *db, int64_t only, const struct pvs_range *rg,
                       const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT " PROVIDER_COLS " FROM providers WHERE (? = 0 OR id = ?)"
                          " AND id > ? ORDER BY id LIMIT ?",
                          PVS_ARGS(PVS_I64(only), PVS_I64(only)), rg, out);
}

int pvs_provider_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " PROVIDER_COLS " FROM providers WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), out);
}

int pvs_provider_is_active(pvs_db *db, int64_t id, bool *active)
{
    int64_t a = 0;
    int rc = pvs_query_i64(db, "SELECT active FROM providers WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)), &a);
    *active = rc == PVS_DB_OK && a;
    return rc == PVS_DB_NOTFOUND ? PVS_DB_OK : rc;
}

int pvs_provider_create(pvs_db *db, const struct pvs_audit_actor *who,
                        const struct pvs_provider_change *c, int64_t *id)
{
    int64_t now = pvs_now();
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "INSERT INTO providers (name, org_number, active, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_TEXT(c->name), PVS_TEXT_OR_NULL(c->org_number),
                                    PVS_I64(c->has_active ? c->active : true), PVS_I64(now),
                                    PVS_I64(now)),
                           id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, *id, "provider.create", "provider", *id, c->details);
    return pvs_tx_finish(db, rc);
}

int pvs_provider_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                        const struct pvs_provider_change *c)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(
            db,
            "UPDATE providers SET name = COALESCE(?, name),"
            " org_number = CASE WHEN ? = 1 THEN ? ELSE org_number END,"
            " active = COALESCE(?, active), updated_at = ? WHERE id = ?",
            PVS_ARGS(PVS_TEXT_OR_NULL(c->name), PVS_I64(c->has_org_number),
                     PVS_TEXT_OR_NULL(c->org_number),
                     c->has_active ? PVS_I64(c->active) : PVS_NULL, PVS_I64(pvs_now()),
                     PVS_I64(id))));
    /* a deactivated provider's users are signed out; they cannot sign in again */
    if (rc == PVS_DB_OK && c->has_active && !c->active) {
        int64_t k = pvs_exec(db, "DELETE FROM sessions WHERE user_id IN"
                                 " (SELECT id FROM users WHERE provider_id = ?)",
                             PVS_ARGS(PVS_I64(id)));
        rc = k < 0 ? (int)k : PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, id, "provider.update", "provider", id, c->details);
    return pvs_tx_finish(db, rc);
}
