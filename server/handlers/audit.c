/* GET /api/v1/audit (scoped to the caller's provider unless central) and
 * GET /api/v1/audit/verify (the whole chain). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/authz.h"

static json_t *audit_row(pvs_stmt *st)
{
    json_error_t err;
    const char *dtext = pvs_col_text(st, 11);
    json_t *details = dtext ? json_loads(dtext, 0, &err) : NULL;
    size_t hlen = 0;
    const void *hash = pvs_col_blob(st, 12, &hlen);
    return json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
                     "seq", (json_int_t)pvs_col_i64(st, 0), "at", (json_int_t)pvs_col_i64(st, 1),
                     "actor_user_id", pvs_json_col_i64_or_null(st, 2), "actor_name",
                     pvs_col_text(st, 3), "actor_role", pvs_col_text(st, 4), "provider_id",
                     pvs_json_col_i64_or_null(st, 5), "client_addr", pvs_col_text(st, 6),
                     "request_id", pvs_col_text(st, 7), "action", pvs_col_text(st, 8),
                     "object_type", pvs_col_text(st, 9), "object_id",
                     pvs_json_col_i64_or_null(st, 10), "details", details ? details : json_null(),
                     "hash", pvs_json_hex(hash, hlen));
}

void pvs_h_audit_list(struct pvs_req *r)
{
    struct pvs_page pg;
    if (!pvs_page_begin(r, &pg))
        return;
    /* optional filters: object_type and object_id */
    const char *otype = pvs_req_query(r, "object_type");
    int64_t object_id = 0;
    if (!PVS_QUERY_ID(r, "object_id", &object_id)) {
        pvs_page_free(&pg);
        return;
    }
    int64_t scope = pvs_scope_provider(r);
    pvs_stmt st;
    int rc = pvs_query(r->db, &st,
                       "SELECT seq, at, actor_user_id, actor_name, actor_role, provider_id, client_addr,"
                       " request_id, action, object_type, object_id, details, hash FROM audit_log"
                       " WHERE seq > ? AND (? = 0 OR provider_id = ?)"
                       " AND (? = '' OR object_type = ?) AND (? = 0 OR object_id = ?)"
                       " ORDER BY seq LIMIT ?",
                       /* '' for "any": a NULL parameter has no type for PostgreSQL to infer */
                       PVS_ARGS(PVS_I64(pg.after), PVS_I64(scope), PVS_I64(scope),
                                PVS_TEXT(otype ? otype : ""), PVS_TEXT(otype ? otype : ""),
                                PVS_I64(object_id), PVS_I64(object_id), PVS_I64(pg.limit + 1)));
    if (rc == PVS_DB_OK)
        while ((rc = pvs_next(&st)) == PVS_DB_ROW)
            pvs_page_add(&pg, pvs_col_i64(&st, 0), audit_row(&st));
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE) {
        pvs_page_free(&pg);
        pvs_problem_db(r, rc, "audit trail");
        return;
    }
    pvs_page_reply(r, &pg);
}

void pvs_h_audit_verify(struct pvs_req *r)
{
    struct pvs_audit_verify v;
    if (!pvs_is_central(r)) { /* the verdict covers every tenant's records */
        pvs_problem(r, 403, "forbidden", "Central auditors only",
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
