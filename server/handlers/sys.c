/* Operational endpoints: /healthz, /metrics, the simulation clock and the issuer's public keys
 * (their reads: services/system.c). */
#include <stdlib.h>

#include "../services/system.h"
#include "core_handlers.h"
#include "pvs/clock.h"
#include "pvs/metrics.h"
#include "pvs/server.h"

void pvs_h_healthz(struct pvs_req *r)
{
    if (pvs_system_ping(r->db) != PVS_DB_OK) {
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

struct keys {
    json_t *items;
    int64_t current;
};

/* A row of pvs_issuer_keys_list() into the reply's items. */
static bool key_row(pvs_stmt *st, void *ctx)
{
    struct keys *k = ctx;
    size_t len = 0;
    const void *pk = pvs_col_blob(st, 2, &len);
    json_array_append_new(k->items, json_pack("{s:I, s:I, s:o, s:I, s:o, s:b}",
        "key_id", (json_int_t)pvs_col_i64(st, 0), "issuer_id", (json_int_t)pvs_col_i64(st, 1),
        "public_key", pvs_json_hex(pk, len), "created_at", (json_int_t)pvs_col_i64(st, 3),
        "retired_at", pvs_json_col_i64_or_null(st, 4), "current", pvs_col_i64(st, 0) == k->current));
    return true;
}

void pvs_h_issuer_keys(struct pvs_req *r)
{
    struct keys k = {json_array(), (int64_t)r->srv->issuer.key_id};
    int rc = pvs_issuer_keys_list(r->db, &(struct pvs_rows_out){key_row, &k});
    if (rc != PVS_DB_OK) {
        json_decref(k.items);
        pvs_problem_db(r, rc, "issuer keys");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:o, s:o}", "items", k.items, "next_cursor", json_null()));
}
