/* Route handlers for places and hardware: property owners, buildings, locks (register,
 * commission with the consent it needs, move, remove, who can open) and consents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/issue.h"
#include "util.h"
#include "domain_handlers.h"

#define OWNER_COLS "id, name, org_number, created_at"
#define OWNER_SPEC "id:i,name:s,org_number:s,created_at:i"
#define BUILDING_COLS "id, owner_id, address, property_ref, created_at"
#define BUILDING_SPEC "id:i,owner_id:i,address:s,property_ref:s,created_at:i"
#define LOCK_COLS                                                                          \
    "id, kind, building_id, label, lock_public_key, issuer_id, state, installed_at,"       \
    " battery_mv, battery_pct, last_seen, revlist_version, created_at"
#define LOCK_SPEC                                                                          \
    "id:i,kind:s,building_id:i,label:s,lock_public_key:h,issuer_id:i,state:s,"             \
    "installed_at:n,battery_mv:n,battery_pct:n,last_seen:n,revlist_version:i,created_at:i"
#define CONSENT_COLS \
    "id, kind, recipient_id, building_id, owner_id, reference, given_on, withdrawn_at, created_at"
#define CONSENT_SPEC \
    "id:i,kind:s,recipient_id:n,building_id:n,owner_id:n,reference:s,given_on:d,withdrawn_at:n," \
    "created_at:i"

/* Create: INSERT ... RETURNING id, audit (shared data: no provider), read back, commit. */
static void create_shared(struct pvs_req *r, json_t *b, const char *insert,
                          const struct pvs_param *p, size_t n, const char *action,
                          const char *type, const char *select, const char *spec,
                          const char *what)
{
    int64_t id = 0;
    if (!pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int rc = pvs_query_i64(r->db, insert, p, n, &id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, 0, action, type, id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, what);
        return;
    }
    json_t *o = pvd_one(r->db, select, PVS_ARGS(PVS_I64(id)), spec, &rc);
    pvd_commit_reply(r, o, rc, what, 201);
}

/* ------------------------------------------------------------------ owners */

void pvd_owners_list(struct pvs_req *r)
{
    pvd_list(r, "SELECT " OWNER_COLS " FROM owners WHERE id > ? ORDER BY id LIMIT ?", PVS_NOARGS,
             OWNER_SPEC);
}

void pvd_owners_get(struct pvs_req *r)
{
    int64_t id;
    if (pvs_req_id(r, 0, &id))
        pvd_get(r, "SELECT " OWNER_COLS " FROM owners WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                OWNER_SPEC, "Property owner", id);
}

void pvd_owners_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 200},
        {"org_number", PVS_J_STRING, PVS_JF_NULLABLE, 0, 32},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    create_shared(r, b, "INSERT INTO owners (name, org_number, created_at) VALUES (?, ?, ?) RETURNING id",
                  PVS_ARGS(PVS_TEXT(pvs_jstr(b, "name", "")),
                           PVS_TEXT_OR_NULL(pvs_jstr(b, "org_number", NULL)), PVS_I64(pvs_now())),
                  "owner.create", "owner", "SELECT " OWNER_COLS " FROM owners WHERE id = ?",
                  OWNER_SPEC, "property owner");
}

/* ------------------------------------------------------------------ buildings */

void pvd_buildings_list(struct pvs_req *r)
{
    pvd_list(r, "SELECT " BUILDING_COLS " FROM buildings WHERE id > ? ORDER BY id LIMIT ?",
             PVS_NOARGS, BUILDING_SPEC);
}

void pvd_buildings_get(struct pvs_req *r)
{
    int64_t id;
    if (pvs_req_id(r, 0, &id))
        pvd_get(r, "SELECT " BUILDING_COLS " FROM buildings WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                BUILDING_SPEC, "Building", id);
}

void pvd_buildings_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"owner_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"address", PVS_J_STRING, PVS_JF_REQUIRED, 3, 200},
        {"property_ref", PVS_J_STRING, PVS_JF_NULLABLE, 0, 64},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    create_shared(r, b,
                  "INSERT INTO buildings (owner_id, address, property_ref, created_at)"
                  " VALUES (?, ?, ?, ?) RETURNING id",
                  PVS_ARGS(PVS_I64(pvs_jint(b, "owner_id", 0)),
                           PVS_TEXT(pvs_jstr(b, "address", "")),
                           PVS_TEXT_OR_NULL(pvs_jstr(b, "property_ref", NULL)), PVS_I64(pvs_now())),
                  "building.create", "building",
                  "SELECT " BUILDING_COLS " FROM buildings WHERE id = ?", BUILDING_SPEC,
                  "property owner");
}

/* ------------------------------------------------------------------ consents */

void pvd_consents_list(struct pvs_req *r)
{
    pvd_list(r, "SELECT " CONSENT_COLS " FROM consents WHERE id > ? ORDER BY id LIMIT ?",
             PVS_NOARGS, CONSENT_SPEC);
}

void pvd_consents_get(struct pvs_req *r)
{
    int64_t id;
    if (pvs_req_id(r, 0, &id))
        pvd_get(r, "SELECT " CONSENT_COLS " FROM consents WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                CONSENT_SPEC, "Consent", id);
}

void pvd_consents_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"kind", PVS_J_STRING, PVS_JF_REQUIRED, 1, 16},
        {"recipient_id", PVS_J_ID, 0, 0, 0},
        {"building_id", PVS_J_ID, 0, 0, 0},
        {"owner_id", PVS_J_ID, 0, 0, 0},
        {"reference", PVS_J_STRING, PVS_JF_NULLABLE, 0, 200},
        {"given_on", PVS_J_DATE, PVS_JF_REQUIRED, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    const char *kind = pvs_jstr(b, "kind", "");
    const char *need = strcmp(kind, "recipient") == 0   ? "recipient_id"
                       : strcmp(kind, "property") == 0  ? "building_id"
                       : strcmp(kind, "portfolio") == 0 ? "owner_id"
                                                        : NULL;
    int members = pvs_jhas(b, "recipient_id") + pvs_jhas(b, "building_id") + pvs_jhas(b, "owner_id");
    if (!need || members != 1 || !pvs_jhas(b, need)) {
        json_decref(b);
        pvd_invalid(r, "A consent is kind \"recipient\" with recipient_id, \"property\" with "
                       "building_id (the owner's consent for one property) or \"portfolio\" "
                       "with owner_id (one consent for the owner's whole portfolio).");
        return;
    }
    create_shared(r, b,
                  "INSERT INTO consents (kind, recipient_id, building_id, owner_id, reference,"
                  " given_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  PVS_ARGS(PVS_TEXT(kind), PVS_ID_OR_NULL(pvs_jint(b, "recipient_id", 0)),
                           PVS_ID_OR_NULL(pvs_jint(b, "building_id", 0)),
                           PVS_ID_OR_NULL(pvs_jint(b, "owner_id", 0)),
                           PVS_TEXT(pvs_jstr(b, "reference", "")),
                           PVS_TEXT(pvs_jstr(b, "given_on", "")), PVS_I64(pvs_now())),
                  "consent.create", "consent", "SELECT " CONSENT_COLS " FROM consents WHERE id = ?",
                  CONSENT_SPEC, "recipient, building or owner");
}

void pvd_consents_withdraw(struct pvs_req *r)
{
    int64_t id;
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true))
        return;
    int rc = (int)pvs_exec(r->db,
                           "UPDATE consents SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL",
                           PVS_ARGS(PVS_I64(pvs_now()), PVS_I64(id)));
    if (rc == 0) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 404, "not-found", "Not found",
                    "Consent %lld does not exist or is already withdrawn.", (long long)id);
        return;
    }
    if (rc > 0)
        rc = pvs_audit_append_tenant(r, 0, "consent.withdraw", "consent", id, NULL);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "consent");
        return;
    }
    json_t *o = pvd_one(r->db, "SELECT " CONSENT_COLS " FROM consents WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), CONSENT_SPEC, &rc);
    pvd_commit_reply(r, o, rc, "consent", 200);
}

/* ------------------------------------------------------------------ locks */

void pvd_locks_list(struct pvs_req *r)
{
    int64_t bid;
    if (!PVS_QUERY_ID(r, "building_id", &bid))
        return;
    pvd_list(r, "SELECT " LOCK_COLS " FROM locks WHERE (? = 0 OR building_id = ?)"
                " AND id > ? ORDER BY id LIMIT ?",
             PVS_ARGS(PVS_I64(bid), PVS_I64(bid)), LOCK_SPEC);
}

/* One lock with its install / move / remove history. */
void pvd_locks_get(struct pvs_req *r)
{
    int64_t id;
    int rc;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *o = pvd_one(r->db, "SELECT " LOCK_COLS " FROM locks WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), LOCK_SPEC, &rc);
    if (!o) {
        if (rc == PVS_DB_NOTFOUND)
            pvs_problem(r, 404, "not-found", "Not found", "Lock %lld does not exist.", (long long)id);
        else
            pvs_problem_db(r, rc, "lock");
        return;
    }
    json_t *hist = json_array();
    pvs_stmt st;
    if (pvs_query(r->db, &st,
                  "SELECT action, building_id, at, user_id FROM lock_history WHERE lock_id = ?"
                  " ORDER BY id", PVS_ARGS(PVS_I64(id))) == PVS_DB_OK) {
        while (pvs_next(&st) == PVS_DB_ROW)
            json_array_append_new(hist, pvd_row(&st, "action:s,building_id:n,at:i,user_id:n"));
        pvs_finalize(&st);
    }
    json_object_set_new(o, "history", hist);
    pvs_reply_json(r, 200, o);
}

void pvd_locks_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"kind", PVS_J_STRING, PVS_JF_REQUIRED, 1, 16},
        {"building_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"label", PVS_J_STRING, 0, 0, 80},
        {"lock_public_key", PVS_J_HEX, PVS_JF_NULLABLE, 32, 32},
        {"issuer_id", PVS_J_INT, 0, 1, 0xFFFFFFFF},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    const char *kind = pvs_jstr(b, "kind", "");
    if (strcmp(kind, "apartment") && strcmp(kind, "entrance") && strcmp(kind, "common")) {
        json_decref(b);
        pvd_invalid(r, "kind must be \"apartment\", \"entrance\" or \"common\".");
        return;
    }
    uint8_t pk[32];
    bool has_pk = pvs_jstr(b, "lock_public_key", NULL) && pvs_jhex(b, "lock_public_key", pk, 32);
    create_shared(r, b,
                  "INSERT INTO locks (kind, building_id, label, lock_public_key, issuer_id,"
                  " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                  PVS_ARGS(PVS_TEXT(kind), PVS_I64(pvs_jint(b, "building_id", 0)),
                           PVS_TEXT(pvs_jstr(b, "label", "")),
                           has_pk ? PVS_BLOB(pk, 32) : PVS_NULL,
                           PVS_I64(pvs_jint(b, "issuer_id", r->srv->issuer.issuer_id)),
                           PVS_I64(pvs_now())),
                  "lock.create", "lock", "SELECT " LOCK_COLS " FROM locks WHERE id = ?", LOCK_SPEC,
                  "building");
}
