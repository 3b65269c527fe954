/* Route handlers for places and hardware: property owners, buildings, locks (register,
 * commission with the consent it needs, move, remove, who can open) and consents. The SQL,
 * transactions and audit entries: services/places.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/places.h"
#include "util.h"
#include "domain_handlers.h"

/* ------------------------------------------------------------------ owners */

void pvd_owners_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_OWNER_SHAPE))
        pvd_page_end(r, &p, pvs_owners_list(r->db, &p.range, &p.out), "list");
}

void pvd_owners_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_OWNER_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_owner_get(r->db, id, PVD_FIRST(&j)), &j, "Property owner", id);
}

void pvd_owners_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 200},
        {"org_number", PVS_J_STRING, PVS_JF_NULLABLE, 0, 32},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_OWNER_SHAPE)) {
        struct pvs_owner_new o = {pvs_jstr(b, "name", ""), pvs_jstr(b, "org_number", NULL)};
        pvd_change_end(r, &c, pvs_owner_create(r->db, &c.who, &o, c.details, PVD_FIRST(&c.row)),
                       "property owner", 201);
    }
    json_decref(b);
}

/* ------------------------------------------------------------------ buildings */

void pvd_buildings_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_BUILDING_SHAPE))
        pvd_page_end(r, &p, pvs_buildings_list(r->db, &p.range, &p.out), "list");
}

void pvd_buildings_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_BUILDING_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_building_get(r->db, id, PVD_FIRST(&j)), &j, "Building", id);
}

void pvd_buildings_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"owner_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"address", PVS_J_STRING, PVS_JF_REQUIRED, 3, 200},
        {"property_ref", PVS_J_STRING, PVS_JF_NULLABLE, 0, 64},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_BUILDING_SHAPE)) {
        struct pvs_building_new n = {pvs_jint(b, "owner_id", 0), pvs_jstr(b, "address", ""),
                                     pvs_jstr(b, "property_ref", NULL)};
        pvd_change_end(r, &c, pvs_building_create(r->db, &c.who, &n, c.details, PVD_FIRST(&c.row)),
                       "property owner", 201);
    }
    json_decref(b);
}

/* ------------------------------------------------------------------ consents */

void pvd_consents_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_CONSENT_SHAPE))
        pvd_page_end(r, &p, pvs_consents_list(r->db, &p.range, &p.out), "list");
}

void pvd_consents_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_CONSENT_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_consent_get(r->db, id, PVD_FIRST(&j)), &j, "Consent", id);
}

/* The member a consent's kind names ("recipient_id"...), NULL for an unknown kind. */
static const char *consent_member(const char *kind)
{
    return strcmp(kind, "recipient") == 0   ? "recipient_id"
           : strcmp(kind, "property") == 0  ? "building_id"
           : strcmp(kind, "portfolio") == 0 ? "owner_id"
                                            : NULL;
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
    const char *kind = pvs_jstr(b, "kind", ""), *need = consent_member(kind);
    int members = pvs_jhas(b, "recipient_id") + pvs_jhas(b, "building_id") + pvs_jhas(b, "owner_id");
    struct pvd_change c;
    if (!need || members != 1 || !pvs_jhas(b, need)) {
        pvd_invalid(r, "A consent is kind \"recipient\" with recipient_id, \"property\" with "
                       "building_id (the owner's consent for one property) or \"portfolio\" "
                       "with owner_id (one consent for the owner's whole portfolio).");
    } else if (pvd_change_begin(r, &c, b, PVS_CONSENT_SHAPE)) {
        struct pvs_consent_new n = {kind, pvs_jint(b, "recipient_id", 0),
                                    pvs_jint(b, "building_id", 0), pvs_jint(b, "owner_id", 0),
                                    pvs_jstr(b, "reference", ""), pvs_jstr(b, "given_on", "")};
        pvd_change_end(r, &c, pvs_consent_create(r->db, &c.who, &n, c.details, PVD_FIRST(&c.row)),
                       "recipient, building or owner", 201);
    }
    json_decref(b);
}

void pvd_consents_withdraw(struct pvs_req *r)
{
    int64_t id;
    struct pvd_change c;
    if (!pvs_req_id(r, 0, &id) || !pvd_change_begin(r, &c, NULL, PVS_CONSENT_SHAPE))
        return;
    int rc = pvs_consent_withdraw(r->db, &c.who, id, PVD_FIRST(&c.row));
    if (rc == PVS_DB_NOTFOUND) {
        pvs_problem(r, 404, "not-found", "Not found",
                    "Consent %lld does not exist or is already withdrawn.", (long long)id);
        return;
    }
    pvd_change_end(r, &c, rc, "consent", 200);
}

/* ------------------------------------------------------------------ locks */

void pvd_locks_list(struct pvs_req *r)
{
    int64_t bid;
    struct pvd_page p;
    if (PVS_QUERY_ID(r, "building_id", &bid) && pvd_page_begin(r, &p, PVS_LOCK_SHAPE))
        pvd_page_end(r, &p, pvs_locks_list(r->db, bid, &p.range, &p.out), "list");
}

/* One lock with its install / move / remove history. */
void pvd_locks_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_LOCK_SHAPE, NULL, NULL};
    if (!pvs_req_id(r, 0, &id))
        return;
    int rc = pvs_lock_get(r->db, id, PVD_FIRST(&j));
    if (rc != PVS_DB_OK) {
        pvd_get_reply(r, rc, &j, "Lock", id);
        return;
    }
    /* a history that cannot be read shows what was read of it */
    struct pvd_rows_json h = {PVS_LOCK_HISTORY_SHAPE, json_array(), NULL};
    rc = pvs_lock_history(r->db, id, PVD_APPEND(&h));
    (void)rc;
    json_object_set_new(j.obj, "history", h.arr);
    pvs_reply_json(r, 200, j.obj);
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
    uint8_t pk[32];
    bool has_pk = pvs_jstr(b, "lock_public_key", NULL) && pvs_jhex(b, "lock_public_key", pk, 32);
    struct pvd_change c;
    if (strcmp(kind, "apartment") && strcmp(kind, "entrance") && strcmp(kind, "common")) {
        pvd_invalid(r, "kind must be \"apartment\", \"entrance\" or \"common\".");
    } else if (pvd_change_begin(r, &c, b, PVS_LOCK_SHAPE)) {
        struct pvs_lock_new n = {kind, pvs_jint(b, "building_id", 0), pvs_jstr(b, "label", ""),
                                 has_pk ? pk : NULL,
                                 pvs_jint(b, "issuer_id", r->srv->issuer.issuer_id)};
        pvd_change_end(r, &c, pvs_lock_create(r->db, &c.who, &n, c.details, PVD_FIRST(&c.row)),
                       "building", 201);
    }
    json_decref(b);
}
