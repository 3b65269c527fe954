/* GET /api/v1/audit (scoped to the caller's provider unless central) and
 * GET /api/v1/audit/verify (the whole chain). Reading: services/audit_trail.c. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/audit_trail.h"
#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/audit_seal.h"
#include "pvs/authz.h"

/* A subject's key columns (id, sealed key) of a row. */
static struct pvs_audit_key key_cols(pvs_stmt *st, int c)
{
    struct pvs_audit_key k = {pvs_col_is_null(st, c) ? 0 : pvs_col_i64(st, c), NULL, 0};
    k.sealed = pvs_col_blob(st, c + 1, &k.len);
    return k;
}

/* A row of services/audit_trail.h as JSON: sealed values opened for this reader (the route
 * is scoped to the records the caller may read), a pseudonymous actor named again. */
static json_t *audit_row(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    size_t hlen = 0;
    const void *hash = pvs_col_blob(st, 12, &hlen);
    struct pvs_audit_key okey = key_cols(st, 13), akey = key_cols(st, 15);
    int64_t actor = pvs_col_i64(st, 2);
    json_t *details = pvs_audit_reveal_details(pvs_col_text(st, 11), &okey, pvs_col_text(st, 9),
                                               pvs_col_i64(st, 10));
    char *addr = pvs_audit_reveal_addr(pvs_col_text(st, 6), &akey, actor);
    const char *name = pvs_col_text(st, 3), *current = pvs_col_text(st, 17);
    if (actor && current && name && strncmp(name, "user:", 5) == 0)
        name = current; /* a pseudonym: the user's name now (erased users have none) */
    json_t *row = json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
                     "seq", (json_int_t)pvs_col_i64(st, 0), "at", (json_int_t)pvs_col_i64(st, 1),
                     "actor_user_id", pvs_json_col_i64_or_null(st, 2), "actor_name",
                     name, "actor_role", pvs_col_text(st, 4), "provider_id",
                     pvs_json_col_i64_or_null(st, 5), "client_addr", addr ? addr : "",
                     "request_id", pvs_col_text(st, 7), "action", pvs_col_text(st, 8),
                     "object_type", pvs_col_text(st, 9), "object_id",
                     pvs_json_col_i64_or_null(st, 10), "details", details ? details : json_null(),
                     "hash", pvs_json_hex(hash, hlen));
    free(addr);
    return row;
}

void pvs_h_audit_list(struct pvs_req *r)
{
    struct pvs_page_rows pr = {.row = audit_row};
    if (!pvs_page_begin(r, &pr.pg))
        return;
    /* optional filters: object_type and object_id */
    struct pvs_audit_query q = {pvs_scope_provider(r), pvs_req_query(r, "object_type"), 0};
    if (!PVS_QUERY_ID(r, "object_id", &q.object_id)) {
        pvs_page_free(&pr.pg);
        return;
    }
    struct pvs_range rg = {pr.pg.after, pr.pg.limit + 1};
    int rc = pvs_audit_list(r->db, &q, &rg, &(struct pvs_rows_out){pvs_page_rows_add, &pr});
    pvs_page_rows_reply(r, &pr, rc, "audit trail");
}

void pvs_h_audit_verify(struct pvs_req *r)
{
    struct pvs_audit_verify v;
    if (!pvs_is_central(r)) { /* the verdict covers every tenant's records */
        pvs_problem_ext(r, 403, "forbidden", "Central auditors only",
                        json_pack("{s:{s:s}}", "params", "object", "audit-verify"),
                        "Verifying the whole chain is for central auditors and administrators.");
        return;
    }
    int rc = pvs_audit_verify(r->db, &v);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "audit trail");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:b, s:I, s:o, s:o, s:o}", "ok", v.ok, "records",
                                     (json_int_t)v.records, "first_bad_seq",
                                     pvs_json_id_or_null(v.first_bad_seq), "reason",
                                     v.ok ? json_null() : json_string(v.reason), "head",
                                     pvs_json_hex(v.head, 32)));
}
