/* Operational endpoints: /healthz, /metrics, the simulation clock and the issuer's public keys. */
#include <stdlib.h>

#include "core_handlers.h"
#include "pvs/clock.h"
#include "pvs/metrics.h"
#include "pvs/server.h"

void pvs_h_healthz(struct pvs_req *r)
{
    int64_t one = 0;
    int rc = pvs_query_i64(r->db, "SELECT 1", PVS_NOARGS, &one);
    if (rc != PVS_DB_OK || one != 1) {
        pvs_problem(r, 503, "unhealthy", "Unhealthy", "The database does not answer.");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:s, s:I}", "status", "ok", "time", (json_int_t)pvs_now()));
}

void pvs_h_metrics(struct pvs_req *r)
{
    size_t len = 0;
    char *text = pvs_metrics_render(pvs_store_errors(r->srv->store), &len);
    if (!text) {
        pvs_problem(r, 500, "internal", "Internal error", "Out of memory.");
        return;
    }
    pvs_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

void pvs_h_dev_clock(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"now", PVS_J_INT, PVS_JF_REQUIRED, 1, 253402300799}, /* up to year 9999 */
        {"sign_in", PVS_J_BOOL, 0, 0, 0}, /* move the sign-in clock too (tests) */
    };
    if (!pvs_clock_sim_enabled()) {
        pvs_problem(r, 404, "not-found", "Not found",
                    "The simulation clock is off; start the server with --sim-clock.");
        return;
    }
    json_t *body = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!body)
        return;
    int64_t now = pvs_jint(body, "now", 0);
    bool sign_in = pvs_jbool(body, "sign_in", false);
    json_decref(body);
    if (pvs_clock_set(now) != 0 || (sign_in && pvs_clock_set_sign_in(now) != 0)) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body", "now must be positive.");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:I}", "now", (json_int_t)pvs_now()));
}

void pvs_h_issuer_keys(struct pvs_req *r)
{
    pvs_stmt st;
    int rc = pvs_query(r->db, &st,
                       "SELECT key_id, issuer_id, public_key, created_at, retired_at"
                       " FROM issuer_keys ORDER BY key_id", PVS_NOARGS);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "issuer keys");
        return;
    }
    json_t *items = json_array();
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        size_t len = 0;
        const void *pk = pvs_col_blob(&st, 2, &len);
        json_array_append_new(items, json_pack("{s:I, s:I, s:o, s:I, s:o, s:b}",
            "key_id", (json_int_t)pvs_col_i64(&st, 0), "issuer_id", (json_int_t)pvs_col_i64(&st, 1),
            "public_key", pvs_json_hex(pk, len), "created_at", (json_int_t)pvs_col_i64(&st, 3),
            "retired_at", pvs_json_col_i64_or_null(&st, 4),
            "current", pvs_col_i64(&st, 0) == (int64_t)r->srv->issuer.key_id));
    }
    pvs_finalize(&st);
    if (rc < 0) {
        json_decref(items);
        pvs_problem_db(r, rc, "issuer keys");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", json_null()));
}
