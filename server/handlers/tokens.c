/* API tokens for integrations: /api/v1/tokens. A token carries one role and provider (the
 * same rules as users), is shown once, stored only as a hash, and can be revoked. The SQL,
 * transactions and audit entries: services/tokens.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/tokens.h"
#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/authz.h"
#include "pvs/core.h"

/* A row of services/tokens.h as JSON. */
static json_t *token_row(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:o, s:o}", "id",
                     (json_int_t)pvs_col_i64(st, 0), "name", pvs_col_text(st, 1), "role",
                     pvs_col_text(st, 2), "provider_id", pvs_json_col_i64_or_null(st, 3),
                     "created_by", pvs_json_col_i64_or_null(st, 4), "created_at",
                     (json_int_t)pvs_col_i64(st, 5), "revoked_at", pvs_json_col_i64_or_null(st, 6),
                     "last_used_at", pvs_json_col_i64_or_null(st, 7));
}

static bool keep_row(pvs_stmt *st, void *ctx)
{
    *(json_t **)ctx = token_row(st, NULL);
    return false;
}

void pvs_h_tokens_list(struct pvs_req *r)
{
    struct pvs_page_rows pr = {.row = token_row};
    if (!pvs_page_begin(r, &pr.pg))
        return;
    struct pvs_range rg = {pr.pg.after, pr.pg.limit + 1};
    int rc = pvs_tokens_list(r->db, pvs_scope_provider(r), &rg,
                             &(struct pvs_rows_out){pvs_page_rows_add, &pr});
    pvs_page_rows_reply(r, &pr, rc, "tokens");
}

/* Makes the secret, has the service store it, answers 201 with the token and the secret. */
static void create_token(struct pvs_req *r, const json_t *b, enum pvs_role role, int64_t provider)
{
    uint8_t raw[32], h[32];
    char secret[4 + 65];
    randombytes_buf(raw, sizeof raw);
    memcpy(secret, "pvt_", 4);
    sodium_bin2hex(secret + 4, 65, raw, sizeof raw);
    pvs_token_hash(secret, h);
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    struct pvs_token_new req = {pvs_jstr(b, "name", ""), pvs_role_name(role), provider, h,
                                pvs_audit_details(b)};
    int64_t id = 0;
    json_t *t = NULL;
    int rc = req.details ? pvs_token_create(r->db, &who, &req, &id) : PVS_DB_ERROR;
    if (rc == PVS_DB_OK && pvs_token_get(r->db, id, &(struct pvs_rows_out){keep_row, &t}) != PVS_DB_OK)
        rc = PVS_DB_ERROR;
    if (t)
        pvs_reply_json(r, 201, json_pack("{s:o, s:s}", "token", t, "secret", secret));
    else
        pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, "That token");
    free((char *)req.details);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(secret, sizeof secret);
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
    int64_t provider = 0;
    if (role == PVS_ROLE_NONE) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "role must be central_admin, installer, provider_admin, planner or auditor.");
    } else if (!pvs_may_grant(r, role)) {
        pvs_problem_ext(r, 403, "forbidden", "Not allowed for your role",
                        pvs_problem_role_params(r->who.role, role), "A %s cannot create a %s token.",
                        pvs_role_name(r->who.role), pvs_role_name(role));
    } else if (pvs_scope_target(r, pvs_jint(b, "provider_id", 0), true, &provider) &&
               pvs_role_provider_ok(r, role, provider) && pvs_check_provider_active(r, provider)) {
        create_token(r, b, role, provider);
    }
    json_decref(b);
}

void pvs_h_tokens_revoke(struct pvs_req *r)
{
    int64_t id, provider = 0;
    if (!pvs_req_id(r, 0, &id))
        return;
    int rc = pvs_token_provider(r->db, id, &provider);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "This token");
        return;
    }
    if (!pvs_scope_require(r, provider, "token", id))
        return;
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    rc = pvs_token_revoke(r->db, &who, id, provider);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "This token");
        return;
    }
    pvs_reply_empty(r);
}
