/* Keys enrolled by presenting them (issue 9, docs/enrolment.md): the station hands up a new
 * key's public key and shows the code it gets back; the planner lists the keys waiting at
 * the provider's stations and enrols one by its code. Also the one-label-one-key refusal
 * that every way of registering a key shares. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../services/enrol.h"
#include "planner_handlers.h"
#include "util.h"

#define BEARER_COLS \
    "id, staff_id, provider_id, kind, label, public_key, state, revoked_at, last_sync_at, created_at"
#define BEARER_SPEC \
    "id:i,staff_id:i,provider_id:i,kind:s,label:s,public_key:h,state:s,revoked_at:n," \
    "last_sync_at:n,created_at:i"

/* The key proves it holds the private key: Ed25519 over "portvakt-enrol-v1" 0x00 pk. */
static bool key_signed(const uint8_t pk[32], const uint8_t sig[64])
{
    uint8_t msg[18 + 32] = "portvakt-enrol-v1";
    memcpy(msg + 18, pk, 32);
    return crypto_sign_verify_detached(sig, msg, sizeof msg, pk) == 0;
}

static json_t *enrolment_json(const pvs_enrolment *e)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:I}", "id", (json_int_t)e->id, "code", e->code, "kind",
                     e->kind, "station_id", (json_int_t)e->station_id, "expires_at",
                     (json_int_t)e->expires_at);
}

/* The kind and the key's proof from an offer's body; false (with the answer sent) if bad. */
static bool offer_body(struct pvs_req *r, json_t *b, uint8_t pk[32])
{
    const char *kind = pvs_jstr(b, "kind", "fob");
    uint8_t sig[64], x[32];
    if (strcmp(kind, "fob") != 0 && strcmp(kind, "phone") != 0) {
        pvd_invalid(r, "kind must be \"fob\" or \"phone\".");
        return false;
    }
    if (!pvs_jhex(b, "public_key", pk, 32) || pv_bearer_x_pk(pk, x) != PV_OK ||
        !pvs_jhex(b, "signature", sig, 64) || !key_signed(pk, sig)) {
        pvs_problem(r, 400, "bad-signature", "Key not proven",
                    "The key's signature over its public key does not verify; present the key "
                    "at the station again.");
        return false;
    }
    return true;
}

/* POST /key-enrolments (station-signed): a new key at the station; answers its code. */
void pvd_enrolments_offer(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"public_key", PVS_J_HEX, PVS_JF_REQUIRED, 32, 32},
        {"signature", PVS_J_HEX, PVS_JF_REQUIRED, 64, 64},
        {"kind", PVS_J_STRING, 0, 3, 5},
    };
    pvs_station_auth sa;
    uint8_t pk[32];
    if (!pvd_station_verify(r, true, &sa))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    if (!offer_body(r, b, pk) || !pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    pvs_enrolment e;
    int rc = pvs_enrol_offer(r->db, sa.provider_id, sa.id, pk, pvs_jstr(b, "kind", "fob"),
                             pvs_now(), &e);
    json_decref(b);
    if (rc == PVS_ENROL_REGISTERED) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "key-already-registered", "Key already registered",
                    "This key is already registered; sync it instead of enrolling it again.");
        return;
    }
    if (rc != PVS_ENROL_OK) {
        pvd_fail(r, rc, "enrolment");
        return;
    }
    pvd_commit_reply(r, enrolment_json(&e), PVS_DB_OK, "enrolment", 201);
}

/* GET /key-enrolments: the keys waiting at the caller's stations, newest last. */
void pvd_enrolments_list(struct pvs_req *r)
{
    int64_t p = pvs_scope_provider(r);
    pvd_list(r,
             "SELECT e.id, e.provider_id, COALESCE(e.station_id, 0), COALESCE(s.name, ''),"
             " e.kind, e.code, e.created_at, e.expires_at FROM key_enrolments e"
             " LEFT JOIN stations s ON s.id = e.station_id"
             " WHERE (? = 0 OR e.provider_id = ?) AND e.bearer_id IS NULL AND e.expires_at > ?"
             " AND e.id > ? ORDER BY e.id LIMIT ?",
             PVS_ARGS(PVS_I64(p), PVS_I64(p), PVS_I64(pvs_now())),
             "id:i,provider_id:i,station_id:i,station:s,kind:s,code:s,created_at:i,expires_at:i");
}

bool pvd_label_refused(struct pvs_req *r, int64_t provider, const char *label)
{
    bool taken = false;
    int64_t other = 0;
    int rc = pvs_bearer_label_taken(r->db, provider, label, &taken, &other);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key");
        return true;
    }
    if (!taken)
        return false;
    pvs_tx_rollback(r->db);
    pvs_problem_ext(r, 409, "label-taken", "Label taken",
                    json_pack("{s:{s:s}}", "params", "label", label),
                    "Another key of this provider is already called %s; choose another label.",
                    label);
    return true;
}

/* The refusal for a code or enrolment that cannot be redeemed (the transaction is open). */
static void refuse_enrolment(struct pvs_req *r, int rc, const char *code)
{
    json_t *ext = json_pack("{s:{s:s}}", "params", "code", code);
    pvs_tx_rollback(r->db);
    if (rc == PVS_ENROL_USED)
        pvs_problem_ext(r, 409, "enrolment-used", "Code already used", ext,
                        "The key with code %s is already enrolled.", code);
    else
        pvs_problem_ext(r, 404, "enrolment-unknown", "No key with this code", ext,
                        "No key with code %s is waiting at your stations, or its week has "
                        "passed; present the key at the station again.", code);
}

/* The staff member's provider in the caller's scope, or 0 with 404 sent. */
static int64_t staff_provider(struct pvs_req *r, int64_t staff)
{
    int64_t prov = 0;
    int rc = pvs_query_i64(r->db, "SELECT provider_id FROM staff WHERE id = ?",
                           PVS_ARGS(PVS_I64(staff)), &prov);
    if (rc == PVS_DB_OK && pvs_scope_allows(r, prov))
        return prov;
    if (rc == PVS_DB_OK || rc == PVS_DB_NOTFOUND) {
        pvs_tx_rollback(r->db);
        pvs_problem_ext(r, 404, "not-found", "Not found",
                        json_pack("{s:{s:s}}", "params", "object", "staff"),
                        "Staff member %lld does not exist.", (long long)staff);
    } else {
        pvd_fail(r, rc, "staff member");
    }
    return 0;
}

/* The enrolment a redeem body names (by code or id), checked; false with the answer sent. */
static bool named_enrolment(struct pvs_req *r, const json_t *b, int64_t prov, pvs_enrolment *e)
{
    char code[PVS_ENROL_CODE_TEXT] = "";
    const char *typed = pvs_jstr(b, "code", NULL);
    int64_t id = pvs_jint(b, "enrolment_id", 0);
    if (typed && !pvs_enrol_code_parse(typed, strlen(typed), code)) {
        pvs_tx_rollback(r->db);
        pvs_problem_ext(r, 400, "enrolment-code-invalid", "Code mistyped",
                        json_pack("{s:{s:s}}", "params", "code", typed),
                        "%s is not a code a key shows (eight letters and digits, the last a "
                        "check); check what you typed.", typed);
        return false;
    }
    if (!typed && id <= 0) {
        pvs_tx_rollback(r->db);
        pvd_invalid(r, "code or enrolment_id is required.");
        return false;
    }
    int rc = pvs_enrol_find(r->db, typed ? code : NULL, id, prov, pvs_now(), e);
    if (rc == PVS_ENROL_OK)
        return true;
    if (rc < 0)
        pvd_fail(r, rc, "enrolment");
    else
        refuse_enrolment(r, rc, typed ? code : e->code[0] ? e->code : "-");
    return false;
}

/* POST /key-enrolments/redeem: the planner enrols a waiting key for a staff member. */
void pvd_enrolments_redeem(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"code", PVS_J_STRING, 0, 1, 32},
        {"enrolment_id", PVS_J_ID, 0, 0, 0},
        {"staff_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"label", PVS_J_STRING, PVS_JF_REQUIRED, 1, 40},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    if (!pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    pvs_enrolment e;
    int64_t bearer = 0, prov = staff_provider(r, pvs_jint(b, "staff_id", 0));
    const char *label = pvs_jstr(b, "label", "");
    if (!prov || !named_enrolment(r, b, prov, &e) || pvd_label_refused(r, prov, label)) {
        json_decref(b);
        return;
    }
    int rc = pvs_enrol_redeem(r->db, &e, pvs_jint(b, "staff_id", 0), label, pvs_now(), &bearer);
    json_t *d = json_pack("{s:I,s:s,s:s,s:s}", "staff_id", (json_int_t)pvs_jint(b, "staff_id", 0),
                          "kind", e.kind, "label", label, "enrolment_code", e.code);
    json_decref(b);
    if (rc == PVS_ENROL_OK)
        rc = pvs_audit_append_tenant(r, prov, "bearer.create", "bearer", bearer, d);
    json_decref(d);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key");
        return;
    }
    json_t *o = pvd_one(r->db, "SELECT " BEARER_COLS " FROM bearers WHERE id = ?",
                        PVS_ARGS(PVS_I64(bearer)), BEARER_SPEC, &rc);
    pvd_commit_reply(r, o, rc, "key", 201);
}
