/* Route handlers for a provider's people and devices: staff, their bearers (fob or phone,
 * with report-lost and retire) and sync stations. The SQL, transactions and audit entries:
 * services/people.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"
#include "util.h"
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "../services/people.h"

/* ------------------------------------------------------------------ staff */

void pvd_staff_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_STAFF_SHAPE))
        pvd_page_end(r, &p, pvs_staff_list(r->db, pvs_scope_provider(r), &p.range, &p.out),
                     "list");
}

void pvd_staff_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_STAFF_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_staff_get(r->db, id, pvs_scope_provider(r), PVD_FIRST(&j)), &j,
                      "Staff member", id);
}

void pvd_staff_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"display_name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 120},
        {"employee_ref", PVS_J_STRING, PVS_JF_NULLABLE, 0, 64},
        {"provider_id", PVS_J_ID, 0, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvs_staff_new s = {0};
    struct pvd_change c;
    if (b && pvs_scope_target(r, pvs_jint(b, "provider_id", 0), false, &s.provider_id) &&
        pvd_change_begin(r, &c, b, PVS_STAFF_SHAPE)) {
        s.display_name = pvs_jstr(b, "display_name", "");
        s.employee_ref = pvs_jstr(b, "employee_ref", NULL);
        pvd_change_end(r, &c, pvs_staff_create(r->db, &c.who, &s, c.details, PVD_FIRST(&c.row)),
                       "provider", 201);
    }
    json_decref(b);
}

void pvd_staff_patch(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"display_name", PVS_J_STRING, 0, 1, 120},
        {"employee_ref", PVS_J_STRING, PVS_JF_NULLABLE, 0, 64},
        {"active", PVS_J_BOOL, 0, 0, 0},
    };
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_STAFF_SHAPE)) {
        struct pvs_staff_change ch = {
            pvs_jstr(b, "display_name", NULL), pvs_jhas(b, "employee_ref"),
            pvs_jstr(b, "employee_ref", NULL),
            pvs_jhas(b, "active") ? (int)pvs_jbool(b, "active", true) : -1};
        int rc = pvs_staff_update(r->db, &c.who, id, pvs_scope_provider(r), &ch, c.details,
                                  PVD_FIRST(&c.row));
        pvd_change_end(r, &c, rc, "Staff member", 200);
    }
    json_decref(b);
}

/* ------------------------------------------------------------------ bearers */

void pvd_bearers_list(struct pvs_req *r)
{
    int64_t sid;
    struct pvd_page p;
    if (PVS_QUERY_ID(r, "staff_id", &sid) && pvd_page_begin(r, &p, PVS_BEARER_SHAPE))
        pvd_page_end(r, &p,
                     pvs_bearers_list(r->db, pvs_scope_provider(r), sid, &p.range, &p.out),
                     "list");
}

void pvd_bearers_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_BEARER_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_bearer_get(r->db, id, pvs_scope_provider(r), PVD_FIRST(&j)), &j,
                      "Key", id);
}

/* The answer to a key change: the key as it is now (with `extra` members), the refusal,
 * or the problem (what: the store error's subject). */
static void key_reply(struct pvs_req *r, struct pvd_change *c, int rc,
                      const struct pvs_people_outcome *o, int64_t id, const char *label,
                      const char *what, int status)
{
    if (rc == PVS_DB_OK && o->refused) {
        free(c->details);
        if (o->refused == PVS_PEOPLE_NO_STAFF || o->refused == PVS_PEOPLE_NO_KEY)
            pvs_problem(r, 404, "not-found", "Not found", "%s %lld does not exist.",
                        o->refused == PVS_PEOPLE_NO_STAFF ? "Staff member" : "Key",
                        (long long)id);
        else if (o->refused == PVS_PEOPLE_LABEL)
            pvs_problem_ext(r, 409, "label-taken", "Label taken",
                            json_pack("{s:{s:s}}", "params", "label", label),
                            "Another key of this provider is already called %s; choose "
                            "another label.", label);
        else
            pvs_problem(r, 409, "bearer-not-active", "Key is not active",
                        "Key %lld is already %s; nothing to block.", (long long)id, o->state);
        return;
    }
    pvd_change_end(r, c, rc, what, status);
}

void pvd_bearers_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"staff_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"kind", PVS_J_STRING, PVS_JF_REQUIRED, 3, 5},
        {"label", PVS_J_STRING, PVS_JF_REQUIRED, 1, 40},
        {"public_key", PVS_J_HEX, PVS_JF_REQUIRED, 32, 32},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    uint8_t pk[32], x[32];
    struct pvs_bearer_new n = {pvs_jint(b, "staff_id", 0), pvs_jstr(b, "kind", ""),
                               pvs_jstr(b, "label", ""), pk};
    struct pvd_change c;
    if (strcmp(n.kind, "fob") != 0 && strcmp(n.kind, "phone") != 0)
        pvd_invalid(r, "kind must be \"fob\" or \"phone\".");
    else if (!pvs_jhex(b, "public_key", pk, 32) || pv_bearer_x_pk(pk, x) != PV_OK)
        pvd_invalid(r, "public_key is not a valid Ed25519 public key.");
    else if (pvd_change_begin(r, &c, b, PVS_BEARER_SHAPE)) {
        struct pvs_people_outcome o;
        int rc = pvs_bearer_create(r->db, &c.who, pvs_scope_provider(r), &n, c.details, &o,
                                   PVD_FIRST(&c.row));
        key_reply(r, &c, rc, &o, n.staff_id, n.label, "key with this public key", 201);
    }
    json_decref(b);
}

/* report-lost: blocked for sync at once, and a new signed revocation list is built in the
 * same transaction, so the next key that syncs carries the block to the locks. */
void pvd_bearers_report_lost(struct pvs_req *r)
{
    int64_t id;
    struct pvd_change c;
    if (!pvs_req_id(r, 0, &id) || !pvd_change_begin(r, &c, NULL, PVS_BEARER_SHAPE))
        return;
    struct pvs_people_outcome o;
    int rc = pvs_bearer_report_lost(r->db, &c.who, &r->srv->issuer, id, pvs_scope_provider(r),
                                    &o, PVD_FIRST(&c.row));
    if (rc == PVS_DB_OK && !o.refused && c.row.obj)
        json_object_set_new(c.row.obj, "revlist_version",
                            json_integer((json_int_t)o.revlist_version));
    key_reply(r, &c, rc, &o, id, NULL, "key", 200);
}

void pvd_bearers_retire(struct pvs_req *r)
{
    int64_t id;
    struct pvd_change c;
    if (!pvs_req_id(r, 0, &id) || !pvd_change_begin(r, &c, NULL, PVS_BEARER_SHAPE))
        return;
    struct pvs_people_outcome o;
    int rc = pvs_bearer_retire(r->db, &c.who, id, pvs_scope_provider(r), &o, PVD_FIRST(&c.row));
    key_reply(r, &c, rc, &o, id, NULL, "key", 200);
}

/* ------------------------------------------------------------------ stations */

void pvd_stations_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_STATION_SHAPE))
        pvd_page_end(r, &p, pvs_stations_list(r->db, pvs_scope_provider(r), &p.range, &p.out),
                     "list");
}

void pvd_stations_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_STATION_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_station_get(r->db, id, pvs_scope_provider(r), PVD_FIRST(&j)), &j,
                      "Station", id);
}

void pvd_stations_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 120},
        {"public_key", PVS_J_HEX, PVS_JF_REQUIRED, 32, 32},
        {"provider_id", PVS_J_ID, 0, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    uint8_t pk[32];
    struct pvs_station_new s = {0, NULL, pk};
    struct pvd_change c;
    if (b && pvs_jhex(b, "public_key", pk, 32) &&
        pvs_scope_target(r, pvs_jint(b, "provider_id", 0), false, &s.provider_id) &&
        pvd_change_begin(r, &c, b, PVS_STATION_SHAPE)) {
        s.name = pvs_jstr(b, "name", "");
        pvd_change_end(r, &c, pvs_station_create(r->db, &c.who, &s, c.details, PVD_FIRST(&c.row)),
                       "station with this public key", 201);
    }
    json_decref(b);
}

void pvd_stations_retire(struct pvs_req *r)
{
    int64_t id;
    struct pvd_change c;
    if (!pvs_req_id(r, 0, &id) || !pvd_change_begin(r, &c, NULL, PVS_STATION_SHAPE))
        return;
    int rc = pvs_station_retire(r->db, &c.who, id, pvs_scope_provider(r), PVD_FIRST(&c.row));
    pvd_change_end(r, &c, rc, "Station", 200);
}
