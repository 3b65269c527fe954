/* Providers (tenants): /api/v1/providers. Central administrators create and change them;
 * every other user reads only its own provider (central readers see all). The SQL,
 * transactions and audit entries: services/providers.c. */
#include <stdlib.h>
#include <string.h>

#include "../services/providers.h"
#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/authz.h"

/* A row of services/providers.h as JSON. */
static json_t *provider_row(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:o, s:b, s:I}", "id", (json_int_t)pvs_col_i64(st, 0), "name",
                     pvs_col_text(st, 1), "org_number", pvs_json_col_text_or_null(st, 2), "active",
                     pvs_col_i64(st, 3) != 0, "created_at", (json_int_t)pvs_col_i64(st, 4));
}

static bool keep_row(pvs_stmt *st, void *ctx)
{
    *(json_t **)ctx = provider_row(st, NULL);
    return false;
}

static json_t *provider_json(pvs_db *db, int64_t id)
{
    json_t *o = NULL;
    if (pvs_provider_get(db, id, &(struct pvs_rows_out){keep_row, &o}) != PVS_DB_OK && o) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

void pvs_h_providers_list(struct pvs_req *r)
{
    struct pvs_page_rows pr = {.row = provider_row};
    if (!pvs_page_begin(r, &pr.pg))
        return;
    struct pvs_range rg = {pr.pg.after, pr.pg.limit + 1};
    int rc = pvs_providers_list(r->db, pvs_scope_provider(r), &rg,
                                &(struct pvs_rows_out){pvs_page_rows_add, &pr});
    pvs_page_rows_reply(r, &pr, rc, "providers");
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

/* Body to change request (details: the body as the audit trail keeps it; free() it). */
static struct pvs_provider_change provider_change(const json_t *b)
{
    return (struct pvs_provider_change){
        .name = pvs_jstr(b, "name", NULL),
        .has_org_number = pvs_jhas(b, "org_number"),
        .org_number = pvs_jstr(b, "org_number", NULL),
        .has_active = pvs_jhas(b, "active"),
        .active = pvs_jbool(b, "active", true),
        .details = pvs_audit_details(b),
    };
}

/* Runs the create (id == 0) or change of provider id, answers with the provider as it is now
 * with `status`, or the problem. Consumes b. */
static void save_reply(struct pvs_req *r, json_t *b, int64_t id, int status)
{
    struct pvs_provider_change c = provider_change(b);
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int rc = !c.details ? PVS_DB_ERROR
             : id       ? pvs_provider_update(r->db, &who, id, &c)
                        : pvs_provider_create(r->db, &who, &c, &id);
    free((char *)c.details);
    json_decref(b);
    json_t *p = rc == PVS_DB_OK ? provider_json(r->db, id) : NULL;
    if (!p) {
        pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc,
                       rc == PVS_DB_NOTFOUND ? "This provider" : "A provider with that name");
        return;
    }
    pvs_reply_json(r, status, p);
}

void pvs_h_providers_create(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 200},
        {"org_number", PVS_J_STRING, PVS_JF_NULLABLE, 1, 32},
        {"active", PVS_J_BOOL, 0, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (b)
        save_reply(r, b, 0, 201);
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
    if (b)
        save_reply(r, b, id, 200);
}
