/* Route handlers for a provider's people and devices: staff, their bearers (fob or phone,
 * with report-lost and retire) and sync stations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "../services/issue.h"

#define STAFF_COLS "id, provider_id, display_name, employee_ref, active, created_at"
#define STAFF_SPEC "id:i,provider_id:i,display_name:s,employee_ref:s,active:b,created_at:i"
#define BEARER_COLS \
    "id, staff_id, provider_id, kind, label, public_key, state, revoked_at, last_sync_at, created_at"
#define BEARER_SPEC \
    "id:i,staff_id:i,provider_id:i,kind:s,label:s,public_key:h,state:s,revoked_at:n," \
    "last_sync_at:n,created_at:i"
#define STATION_COLS "id, provider_id, name, public_key, state, last_seen, created_at"
#define STATION_SPEC "id:i,provider_id:i,name:s,public_key:h,state:s,last_seen:n,created_at:i"

/* ------------------------------------------------------------------ staff */

void pvd_staff_list(struct pvs_req *r)
{
    int64_t p = pvs_scope_provider(r);
    pvd_list(r, "SELECT " STAFF_COLS " FROM staff WHERE (? = 0 OR provider_id = ?)"
                " AND id > ? ORDER BY id LIMIT ?",
             PVS_ARGS(PVS_I64(p), PVS_I64(p)), STAFF_SPEC);
}

static json_t *staff_json(pvs_db *db, int64_t id, int64_t scope, int *rc)
{
    return pvd_one(db, "SELECT " STAFF_COLS " FROM staff WHERE id = ? AND (? = 0 OR provider_id = ?)",
                   PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), STAFF_SPEC, rc);
}

void pvd_staff_get(struct pvs_req *r)
{
    int64_t id, p = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id))
        return;
    pvd_get(r, "SELECT " STAFF_COLS " FROM staff WHERE id = ? AND (? = 0 OR provider_id = ?)",
            PVS_ARGS(PVS_I64(id), PVS_I64(p), PVS_I64(p)), STAFF_SPEC, "Staff member", id);
}

/* Reply 201/200 with an object read inside the transaction, then commit. */
static void finish_with(struct pvs_req *r, int status, json_t *o, int rc, const char *what)
{
    if (!o) {
        pvd_fail(r, rc, what);
        return;
    }
    if (!pvd_commit(r)) {
        json_decref(o);
        return;
    }
    pvs_reply_json(r, status, o);
}

void pvd_staff_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"display_name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 120},
        {"employee_ref", PVS_J_STRING, PVS_JF_NULLABLE, 0, 64},
        {"provider_id", PVS_J_ID, 0, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    int64_t prov;
    if (!b)
        return;
    if (!pvs_scope_target(r, pvs_jint(b, "provider_id", 0), false, &prov) || !pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int64_t id = 0;
    int rc = pvs_query_i64(r->db,
                           "INSERT INTO staff (provider_id, display_name, employee_ref, created_at)"
                           " VALUES (?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(prov), PVS_TEXT(pvs_jstr(b, "display_name", "")),
                                    PVS_TEXT_OR_NULL(pvs_jstr(b, "employee_ref", NULL)),
                                    PVS_I64(pvs_now())),
                           &id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, prov, "staff.create", "staff", id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "provider");
        return;
    }
    json_t *o = staff_json(r->db, id, 0, &rc);
    finish_with(r, 201, o, rc, "staff member");
}

void pvd_staff_patch(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"display_name", PVS_J_STRING, 0, 1, 120},
        {"employee_ref", PVS_J_STRING, PVS_JF_NULLABLE, 0, 64},
        {"active", PVS_J_BOOL, 0, 0, 0},
    };
    int64_t id, scope = pvs_scope_provider(r), prov = 0;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    if (!pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int rc = pvs_query_i64(r->db, "SELECT provider_id FROM staff WHERE id = ? AND (? = 0 OR provider_id = ?)",
                           PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), &prov);
    if (rc == PVS_DB_OK)
        rc = (int)pvs_exec(r->db,
                           "UPDATE staff SET display_name = COALESCE(?, display_name),"
                           " employee_ref = CASE WHEN ? = 1 THEN ? ELSE employee_ref END,"
                           " active = COALESCE(?, active) WHERE id = ?",
                           PVS_ARGS(PVS_TEXT_OR_NULL(pvs_jstr(b, "display_name", NULL)),
                                    PVS_I64(pvs_jhas(b, "employee_ref")),
                                    PVS_TEXT_OR_NULL(pvs_jstr(b, "employee_ref", NULL)),
                                    pvs_jhas(b, "active") ? PVS_I64(pvs_jbool(b, "active", true))
                                                          : PVS_NULL,
                                    PVS_I64(id)));
    if (rc >= 0)
        rc = pvs_audit_append_tenant(r, prov, "staff.update", "staff", id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "Staff member");
        return;
    }
    json_t *o = staff_json(r->db, id, 0, &rc);
    finish_with(r, 200, o, rc, "staff member");
}

/* ------------------------------------------------------------------ bearers */

void pvd_bearers_list(struct pvs_req *r)
{
    int64_t p = pvs_scope_provider(r);
    int64_t sid;
    if (!PVS_QUERY_ID(r, "staff_id", &sid))
        return;
    pvd_list(r, "SELECT " BEARER_COLS " FROM bearers WHERE (? = 0 OR provider_id = ?)"
                " AND (? = 0 OR staff_id = ?) AND id > ? ORDER BY id LIMIT ?",
             PVS_ARGS(PVS_I64(p), PVS_I64(p), PVS_I64(sid), PVS_I64(sid)), BEARER_SPEC);
}

static json_t *bearer_json(pvs_db *db, int64_t id, int *rc)
{
    return pvd_one(db, "SELECT " BEARER_COLS " FROM bearers WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                   BEARER_SPEC, rc);
}

void pvd_bearers_get(struct pvs_req *r)
{
    int64_t id, p = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id))
        return;
    pvd_get(r, "SELECT " BEARER_COLS " FROM bearers WHERE id = ? AND (? = 0 OR provider_id = ?)",
            PVS_ARGS(PVS_I64(id), PVS_I64(p), PVS_I64(p)), BEARER_SPEC, "Key", id);
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
    const char *kind = pvs_jstr(b, "kind", "");
    uint8_t pk[32], x[32];
    if (strcmp(kind, "fob") != 0 && strcmp(kind, "phone") != 0) {
        json_decref(b);
        pvd_invalid(r, "kind must be \"fob\" or \"phone\".");
        return;
    }
    if (!pvs_jhex(b, "public_key", pk, 32) || pv_bearer_x_pk(pk, x) != PV_OK) {
        json_decref(b);
        pvd_invalid(r, "public_key is not a valid Ed25519 public key.");
        return;
    }
    int64_t staff = pvs_jint(b, "staff_id", 0), prov = 0, id = 0;
    if (!pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int rc = pvs_query_i64(r->db, "SELECT provider_id FROM staff WHERE id = ?",
                           PVS_ARGS(PVS_I64(staff)), &prov);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && !pvs_scope_allows(r, prov))) {
        json_decref(b);
        pvs_tx_rollback(r->db);
        pvs_problem(r, 404, "not-found", "Not found", "Staff member %lld does not exist.",
                    (long long)staff);
        return;
    }
    if (rc == PVS_DB_OK && pvd_label_refused(r, prov, pvs_jstr(b, "label", ""))) {
        json_decref(b); /* one label, one key per provider (issue 9) */
        return;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(r->db,
                           "INSERT INTO bearers (staff_id, provider_id, kind, label, public_key,"
                           " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(staff), PVS_I64(prov), PVS_TEXT(kind),
                                    PVS_TEXT(pvs_jstr(b, "label", "")), PVS_BLOB(pk, 32),
                                    PVS_I64(pvs_now())),
                           &id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, prov, "bearer.create", "bearer", id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key with this public key");
        return;
    }
    json_t *o = bearer_json(r->db, id, &rc);
    finish_with(r, 201, o, rc, "key");
}

/* Loads a bearer in the caller's scope inside the open transaction; 404 otherwise. */
static bool bearer_in_scope(struct pvs_req *r, int64_t id, int64_t *prov, char state[16])
{
    pvs_stmt st;
    int rc = pvs_query(r->db, &st, "SELECT provider_id, state FROM bearers WHERE id = ?",
                       PVS_ARGS(PVS_I64(id)));
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key");
        return false;
    }
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        *prov = pvs_col_i64(&st, 0);
        snprintf(state, 16, "%s", pvs_col_text(&st, 1) ? pvs_col_text(&st, 1) : "");
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_ROW || !pvs_scope_allows(r, *prov)) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 404, "not-found", "Not found", "Key %lld does not exist.", (long long)id);
        return false;
    }
    return true;
}

/* report-lost: blocked for sync at once, and a new signed revocation list is built in the
 * same transaction, so the next key that syncs carries the block to the locks. */
void pvd_bearers_report_lost(struct pvs_req *r)
{
    int64_t id, prov = 0;
    char state[16];
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true) || !bearer_in_scope(r, id, &prov, state))
        return;
    if (strcmp(state, "active") != 0) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "bearer-not-active", "Key is not active",
                    "Key %lld is already %s; nothing to block.", (long long)id, state);
        return;
    }
    int64_t now = pvs_now();
    uint64_t version = 0;
    int rc = (int)pvs_exec(r->db, "UPDATE bearers SET state = 'lost', revoked_at = ? WHERE id = ?",
                           PVS_ARGS(PVS_I64(now), PVS_I64(id)));
    if (rc >= 0)
        rc = pvs_revlist_rebuild(r->db, &r->srv->issuer, now, &version);
    json_t *d = json_pack("{s:I}", "revlist_version", (json_int_t)version);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, prov, "bearer.report_lost", "bearer", id, d);
    json_decref(d);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key");
        return;
    }
    json_t *o = bearer_json(r->db, id, &rc);
    if (o)
        json_object_set_new(o, "revlist_version", json_integer((json_int_t)version));
    finish_with(r, 200, o, rc, "key");
}

void pvd_bearers_retire(struct pvs_req *r)
{
    int64_t id, prov = 0;
    char state[16];
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true) || !bearer_in_scope(r, id, &prov, state))
        return;
    int rc = (int)pvs_exec(r->db, "UPDATE bearers SET state = 'retired' WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)));
    if (rc >= 0)
        rc = pvs_audit_append_tenant(r, prov, "bearer.retire", "bearer", id, NULL);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key");
        return;
    }
    json_t *o = bearer_json(r->db, id, &rc);
    finish_with(r, 200, o, rc, "key");
}

/* ------------------------------------------------------------------ stations */

void pvd_stations_list(struct pvs_req *r)
{
    int64_t p = pvs_scope_provider(r);
    pvd_list(r, "SELECT " STATION_COLS " FROM stations WHERE (? = 0 OR provider_id = ?)"
                " AND id > ? ORDER BY id LIMIT ?",
             PVS_ARGS(PVS_I64(p), PVS_I64(p)), STATION_SPEC);
}

void pvd_stations_get(struct pvs_req *r)
{
    int64_t id, p = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id))
        return;
    pvd_get(r, "SELECT " STATION_COLS " FROM stations WHERE id = ? AND (? = 0 OR provider_id = ?)",
            PVS_ARGS(PVS_I64(id), PVS_I64(p), PVS_I64(p)), STATION_SPEC, "Station", id);
}

void pvd_stations_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 120},
        {"public_key", PVS_J_HEX, PVS_JF_REQUIRED, 32, 32},
        {"provider_id", PVS_J_ID, 0, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    int64_t prov, id = 0;
    uint8_t pk[32];
    if (!b)
        return;
    if (!pvs_jhex(b, "public_key", pk, 32) ||
        !pvs_scope_target(r, pvs_jint(b, "provider_id", 0), false, &prov) || !pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int rc = pvs_query_i64(r->db,
                           "INSERT INTO stations (provider_id, name, public_key, created_at)"
                           " VALUES (?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(prov), PVS_TEXT(pvs_jstr(b, "name", "")),
                                    PVS_BLOB(pk, 32), PVS_I64(pvs_now())),
                           &id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, prov, "station.create", "station", id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "station with this public key");
        return;
    }
    json_t *o = pvd_one(r->db, "SELECT " STATION_COLS " FROM stations WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), STATION_SPEC, &rc);
    finish_with(r, 201, o, rc, "station");
}

void pvd_stations_retire(struct pvs_req *r)
{
    int64_t id, prov = 0, scope = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true))
        return;
    int rc = pvs_query_i64(r->db, "SELECT provider_id FROM stations WHERE id = ? AND (? = 0 OR provider_id = ?)",
                           PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), &prov);
    if (rc == PVS_DB_OK)
        rc = (int)pvs_exec(r->db, "UPDATE stations SET state = 'retired' WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)));
    if (rc >= 0)
        rc = pvs_audit_append_tenant(r, prov, "station.retire", "station", id, NULL);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "Station");
        return;
    }
    json_t *o = pvd_one(r->db, "SELECT " STATION_COLS " FROM stations WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), STATION_SPEC, &rc);
    finish_with(r, 200, o, rc, "station");
}
