/* Providers (tenants): /api/v1/providers. Central administrators create and change them;
 * every other user reads only its own provider (central readers see all). */
#include <string.h>

#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/authz.h"
#include "pvs/clock.h"

#define PROVIDER_COLS "id, name, org_number, active, created_at"

static json_t *provider_row(pvs_stmt *st)
{
    return json_pack("{s:I, s:s, s:o, s:b, s:I}", "id", (json_int_t)pvs_col_i64(st, 0), "name",
                     pvs_col_text(st, 1), "org_number", pvs_json_col_text_or_null(st, 2), "active",
                     pvs_col_i64(st, 3) != 0, "created_at", (json_int_t)pvs_col_i64(st, 4));
}

static json_t *provider_json(pvs_db *db, int64_t id)
{
    pvs_stmt st;
    if (pvs_query(db, &st, "SELECT " PROVIDER_COLS " FROM providers WHERE id = ?",
                  PVS_ARGS(PVS_I64(id))) != PVS_DB_OK)
        return NULL;
    json_t *o = pvs_next(&st) == PVS_DB_ROW ? provider_row(&st) : NULL;
    pvs_finalize(&st);
    return o;
}

static json_t *provider_row_cb(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    return provider_row(st);
}

void pvs_h_providers_list(struct pvs_req *r)
{
    int64_t scope = pvs_scope_provider(r);
    pvs_page_list(r,
                  "SELECT " PROVIDER_COLS " FROM providers WHERE (? = 0 OR id = ?) AND id > ?"
                  " ORDER BY id LIMIT ?",
                  PVS_ARGS(PVS_I64(scope), PVS_I64(scope)), provider_row_cb, NULL, "providers");
}

void pvs_h_providers_get(struct pvs_req *r)
{
    int64_t id;
    if (!pvs_req_id(r, 0, &id) || !pvs_scope_require(r, id, "provider", id))
        return;
    json_t *p = provider_json(r->db, id);
    if (p)
        pvs_reply_json(r, 200, p);
    else
        pvs_problem_db(r, PVS_DB_NOTFOUND, "This provider");
}

/* After a create or change (rc so far): the audit entry, commit, and the provider as it is
 * now with `status`; or the problem. Consumes b. */
static void audit_commit_reply(struct pvs_req *r, json_t *b, int rc, int64_t id,
                               const char *action, int status)
{
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, id, action, "provider", id, b);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(r->db);
    json_decref(b);
    json_t *p = rc == PVS_DB_OK ? provider_json(r->db, id) : NULL;
    if (!p) {
        pvs_tx_rollback(r->db);
        pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc,
                       rc == PVS_DB_NOTFOUND ? "This provider" : "A provider with that name");
        return;
    }
    pvs_reply_json(r, status, p);
}

static const struct pvs_jfield provider_fields[] = {
    {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 200},
    {"org_number", PVS_J_STRING, PVS_JF_NULLABLE, 1, 32},
    {"active", PVS_J_BOOL, 0, 0, 0},
};

void pvs_h_providers_create(struct pvs_req *r)
{
    json_t *b = pvs_body_json(r, PVS_JFIELDS(provider_fields));
    if (!b)
        return;
    int64_t id = 0, now = pvs_now();
    int rc = pvs_tx_begin(r->db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(r->db,
                           "INSERT INTO providers (name, org_number, active, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_TEXT(pvs_jstr(b, "name", "")),
                                    PVS_TEXT_OR_NULL(pvs_jstr(b, "org_number", NULL)),
                                    PVS_I64(pvs_jbool(b, "active", true)), PVS_I64(now), PVS_I64(now)),
                           &id);
    audit_commit_reply(r, b, rc, id, "provider.create", 201);
}

void pvs_h_providers_patch(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"name", PVS_J_STRING, 0, 1, 200},
        {"org_number", PVS_J_STRING, PVS_JF_NULLABLE, 1, 32},
        {"active", PVS_J_BOOL, 0, 0, 0},
    };
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    int64_t now = pvs_now(), n = 0;
    int rc = pvs_tx_begin(r->db, true);
    if (rc == PVS_DB_OK)
        n = pvs_exec(r->db,
                     "UPDATE providers SET name = COALESCE(?, name),"
                     " org_number = CASE WHEN ? = 1 THEN ? ELSE org_number END,"
                     " active = COALESCE(?, active), updated_at = ? WHERE id = ?",
                     PVS_ARGS(PVS_TEXT_OR_NULL(pvs_jstr(b, "name", NULL)),
                              PVS_I64(pvs_jhas(b, "org_number")),
                              PVS_TEXT_OR_NULL(pvs_jstr(b, "org_number", NULL)),
                              pvs_jhas(b, "active") ? PVS_I64(pvs_jbool(b, "active", true)) : PVS_NULL,
                              PVS_I64(now), PVS_I64(id)));
    if (rc == PVS_DB_OK)
        rc = n < 0 ? (int)n : n == 1 ? PVS_DB_OK : PVS_DB_NOTFOUND;
    /* a deactivated provider's users are signed out; they cannot sign in again */
    if (rc == PVS_DB_OK && pvs_jhas(b, "active") && !pvs_jbool(b, "active", true)) {
        int64_t k = pvs_exec(r->db, "DELETE FROM sessions WHERE user_id IN"
                                    " (SELECT id FROM users WHERE provider_id = ?)",
                             PVS_ARGS(PVS_I64(id)));
        rc = k < 0 ? (int)k : PVS_DB_OK;
    }
    audit_commit_reply(r, b, rc, id, "provider.update", 200);
}
