/* API tokens (see tokens.h): the SQL and transactions behind /api/v1/tokens. */
#include "tokens.h"

#include "pvs/clock.h"

#define TOKEN_COLS "id, name, role, provider_id, created_by, created_at, revoked_at, last_used_at"

int pvs_tokens_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                    const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT " TOKEN_COLS " FROM api_tokens WHERE (? = 0 OR provider_id = ?)"
                          " AND id > ? ORDER BY id LIMIT ?",
                          PVS_ARGS(PVS_I64(scope), PVS_I64(scope)), rg, out);
}

int pvs_token_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), out);
}

int pvs_token_provider(pvs_db *db, int64_t id, int64_t *provider)
{
    return pvs_query_i64(db, "SELECT COALESCE(provider_id, 0) FROM api_tokens WHERE id = ?",
                         PVS_ARGS(PVS_I64(id)), provider);
}

int pvs_token_create(pvs_db *db, const struct pvs_audit_actor *who,
                     const struct pvs_token_new *req, int64_t *id)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "INSERT INTO api_tokens (name, token_hash, role, provider_id, created_by,"
                           " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_TEXT(req->name), PVS_BLOB(req->hash, 32),
                                    PVS_TEXT(req->role), PVS_ID_OR_NULL(req->provider_id),
                                    PVS_ID_OR_NULL(who->user_id), PVS_I64(pvs_now())), id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, req->provider_id, "token.create", "api_token", *id,
                              req->details);
    return pvs_tx_finish(db, rc);
}

int pvs_token_revoke(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                     int64_t provider)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK) {
        int64_t n = pvs_exec(db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?"
                                 " AND revoked_at IS NULL",
                             PVS_ARGS(PVS_I64(pvs_now()), PVS_I64(id)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, "token.revoke", "api_token", id, NULL);
    return pvs_tx_finish(db, rc);
}
