/* GET /bearers/{id}/spread: a lost key's block at each of its doors, for the planner and the
 * alarm centre (services/spread.h does the reading); doors that do not know yet first. */
#include "../services/spread.h"
#include "planner_handlers.h"
#include "util.h"

typedef struct doors_json {
    json_t *known, *unknown;
} doors_json;

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

static void add_door(void *ctx, const pvs_spread_door *d)
{
    doors_json *j = ctx;
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:I}", "lock_id",
                          (json_int_t)d->lock_id, "kind", d->kind, "label", d->label,
                          "address", d->address, "apartment", d->apartment, "alarm_code",
                          d->alarm_code, "revlist_version", (json_int_t)d->revlist_version,
                          "knows", d->knows, "opened_after_report",
                          (json_int_t)d->opened_after_report);
    json_object_set_new(o, "last_seen", time_or_null(d->last_seen));
    json_object_set_new(o, "known_since", time_or_null(d->known_since));
    json_array_append_new(d->knows ? j->known : j->unknown, o);
}

void pvd_bearers_spread(struct pvs_req *r)
{
    int64_t id;
    pvs_spread s;
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, false))
        return;
    doors_json j = {json_array(), json_array()};
    int rc = pvs_spread_of(r->db, r->srv->issuer.issuer_id, id, pvs_scope_provider(r),
                           pvs_now(), &s, add_door, &j);
    pvs_tx_rollback(r->db);
    json_array_extend(j.unknown, j.known);
    json_decref(j.known);
    if (rc != PVS_DB_OK) {
        json_decref(j.unknown);
        if (rc == PVS_DB_NOTFOUND)
            pvs_problem_ext(r, 404, "not-found", "Not found",
                            json_pack("{s:{s:s}}", "params", "object", "key"),
                            "Key %lld does not exist.", (long long)id);
        else
            pvs_problem_db(r, rc, "key");
        return;
    }
    json_t *o = json_pack("{s:I,s:I,s:s,s:I,s:I,s:I,s:o}", "bearer_id", (json_int_t)id,
                          "staff_id", (json_int_t)s.staff_id, "state", s.state, "doors",
                          (json_int_t)s.doors, "doors_known", (json_int_t)s.doors_known,
                          "list_version", (json_int_t)s.list_version, "locks", j.unknown);
    json_object_set_new(o, "revoked_at", time_or_null(s.revoked_at));
    json_object_set_new(o, "list_issued_at", time_or_null(s.list_issued_at));
    json_object_set_new(o, "credential_expires_at", time_or_null(s.credential_expires_at));
    pvs_reply_json(r, 200, o);
}
