/* API tokens for integrations: /api/v1/tokens. A token carries one role and provider (the
 * same rules as users), is shown once, stored only as a hash, and can be revoked. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/authz.h"
#include "pvs/clock.h"
#include "pvs/core.h"

#define TOKEN_COLS "id, name, role, provider_id, created_by, created_at, revoked_at, last_used_at"

static json_t *token_row(pvs_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:o, s:o}", "id",
                     (json_int_t)pvs_col_i64(st, 0), "name", pvs_col_text(st, 1), "role",
                     pvs_col_text(st, 2), "provider_id", pvs_json_col_i64_or_null(st, 3),
                     "created_by", pvs_json_col_i64_or_null(st, 4), "created_at",
                     (json_int_t)pvs_col_i64(st, 5), "revoked_at", pvs_json_col_i64_or_null(st, 6),
                     "last_used_at", pvs_json_col_i64_or_null(st, 7));
}

static json_t *token_json(pvs_db *db, int64_t id)
{
    pvs_stmt st;
    if (pvs_query(db, &st, "SELECT " TOKEN_COLS " FROM api_tokens WHERE id = ?",
                  PVS_ARGS(PVS_I64(id))) != PVS_DB_OK)
        return NULL;
    json_t *o = pvs_next(&st) == PVS_DB_ROW ? token_row(&st) : NULL;
    pvs_finalize(&st);
    return o;
}

static json_t *token_row_cb(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    return token_row(st);
}

void pvs_h_tokens_list(struct pvs_req *r)
{
    int64_t scope = pvs_scope_provider(r);
    pvs_page_list(r,
                  "SELECT " TOKEN_COLS " FROM api_tokens WHERE (? = 0 OR provider_id = ?) AND id > ?"
                  " ORDER BY id LIMIT ?",
                  PVS_ARGS(PVS_I64(scope), PVS_I64(scope)), token_row_cb, NULL, "tokens");
}

void pvs_h_tokens_create(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 100},
        {"role", PVS_J_STRING, PVS_JF_REQUIRED, 1, 32},
        {"provider_id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    enum pvs_role role = pvs_role_parse(pvs_jstr(b, "role", ""));
    int64_t provider = 0, id = 0;
    if (role == PVS_ROLE_NONE) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "role must be central_admin, installer, provider_admin, planner or auditor.");
    } else if (!pvs_may_grant(r, role)) {
        pvs_problem(r, 403, "forbidden", "Not allowed for your role",
                    "A %s cannot create a %s token.", pvs_role_name(r->who.role), pvs_role_name(role));
    } else if (pvs_scope_target(r, pvs_jint(b, "provider_id", 0), true, &provider) &&
               pvs_role_provider_ok(r, role, provider) && pvs_check_provider_active(r, provider)) {
        uint8_t raw[32], h[32];
        char secret[4 + 65];
        randombytes_buf(raw, sizeof raw);
        memcpy(secret, "pvt_", 4);
        sodium_bin2hex(secret + 4, 65, raw, sizeof raw);
        pvs_token_hash(secret, h);
        int rc = pvs_tx_begin(r->db, true);
        if (rc == PVS_DB_OK)
            rc = pvs_query_i64(r->db,
                               "INSERT INTO api_tokens (name, token_hash, role, provider_id, created_by,"
                               " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                               PVS_ARGS(PVS_TEXT(pvs_jstr(b, "name", "")), PVS_BLOB(h, 32),
                                        PVS_TEXT(pvs_role_name(role)), PVS_ID_OR_NULL(provider),
                                        PVS_ID_OR_NULL(r->who.user_id), PVS_I64(pvs_now())), &id);
        if (rc == PVS_DB_OK)
            rc = pvs_audit_append_tenant(r, provider, "token.create", "api_token", id, b);
        if (rc == PVS_DB_OK)
            rc = pvs_tx_commit(r->db);
        json_t *t = rc == PVS_DB_OK ? token_json(r->db, id) : NULL;
        if (t)
            pvs_reply_json(r, 201, json_pack("{s:o, s:s}", "token", t, "secret", secret));
        else {
            pvs_tx_rollback(r->db);
            pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, "That token");
        }
        sodium_memzero(raw, sizeof raw);
        sodium_memzero(secret, sizeof secret);
    }
    json_decref(b);
}

void pvs_h_tokens_revoke(struct pvs_req *r)
{
    int64_t id, provider = 0;
    if (!pvs_req_id(r, 0, &id))
        return;
    int rc = pvs_query_i64(r->db, "SELECT COALESCE(provider_id, 0) FROM api_tokens WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)), &provider);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "This token");
        return;
    }
    if (!pvs_scope_require(r, provider, "token", id))
        return;
    rc = pvs_tx_begin(r->db, true);
    if (rc == PVS_DB_OK) {
        int64_t n = pvs_exec(r->db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                             PVS_ARGS(PVS_I64(pvs_now()), PVS_I64(id)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, provider, "token.revoke", "api_token", id, NULL);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(r->db);
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(r->db);
        pvs_problem_db(r, rc, "This token");
        return;
    }
    pvs_reply_empty(r);
}
