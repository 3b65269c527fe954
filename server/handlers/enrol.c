/* Keys enrolled by presenting them (issue 9, docs/enrolment.md): the station hands up a new
 * key's public key and shows the code it gets back; the planner lists the keys waiting at
 * the provider's stations and enrols one by its code. Also the one-label-one-key refusal
 * that every way of registering a key shares. The SQL, transactions and audit entries:
 * services/enrol.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/enrol.h"
#include "../services/people.h"
#include "planner_handlers.h"
#include "util.h"

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
    if (!offer_body(r, b, pk)) {
        json_decref(b);
        return;
    }
    pvs_enrolment e;
    int rc = pvs_enrol_offer(r->db, sa.provider_id, sa.id, pk, pvs_jstr(b, "kind", "fob"),
                             pvs_now(), &e);
    json_decref(b);
    if (rc == PVS_ENROL_REGISTERED)
        pvs_problem(r, 409, "key-already-registered", "Key already registered",
                    "This key is already registered; sync it instead of enrolling it again.");
    else if (rc != PVS_ENROL_OK)
        pvs_problem_db(r, rc, "enrolment");
    else
        pvs_reply_json(r, 201, enrolment_json(&e));
}

/* GET /key-enrolments: the keys waiting at the caller's stations, newest last. */
void pvd_enrolments_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_ENROLMENT_SHAPE))
        pvd_page_end(r, &p,
                     pvs_enrol_list(r->db, pvs_scope_provider(r), pvs_now(), &p.range, &p.out),
                     "list");
}

/* 409 label-taken naming the label another key of the provider already has. */
static void label_taken(struct pvs_req *r, const char *label)
{
    pvs_problem_ext(r, 409, "label-taken", "Label taken",
                    json_pack("{s:{s:s}}", "params", "label", label),
                    "Another key of this provider is already called %s; choose another label.",
                    label);
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
    label_taken(r, label);
    return true;
}

/* The problem for a refused redeem (every sentence as before the split). */
static void refuse_redeem(struct pvs_req *r, const struct pvs_enrol_redeem_req *q,
                          const struct pvs_enrol_outcome *o)
{
    const char *code = o->code;
    switch (o->refused) {
    case PVS_ENROL_NO_STAFF:
        pvs_problem_ext(r, 404, "not-found", "Not found",
                        json_pack("{s:{s:s}}", "params", "object", "staff"),
                        "Staff member %lld does not exist.", (long long)q->staff_id);
        break;
    case PVS_ENROL_MISTYPED:
        pvs_problem_ext(r, 400, "enrolment-code-invalid", "Code mistyped",
                        json_pack("{s:{s:s}}", "params", "code", q->code),
                        "%s is not a code a key shows (eight letters and digits, the last a "
                        "check); check what you typed.", q->code);
        break;
    case PVS_ENROL_NAMELESS:
        pvd_invalid(r, "code or enrolment_id is required.");
        break;
    case PVS_ENROL_LABEL:
        label_taken(r, q->label);
        break;
    case PVS_ENROL_USED:
        pvs_problem_ext(r, 409, "enrolment-used", "Code already used",
                        json_pack("{s:{s:s}}", "params", "code", code),
                        "The key with code %s is already enrolled.", code);
        break;
    default: /* PVS_ENROL_UNKNOWN */
        pvs_problem_ext(r, 404, "enrolment-unknown", "No key with this code",
                        json_pack("{s:{s:s}}", "params", "code", code),
                        "No key with code %s is waiting at your stations, or its week has "
                        "passed; present the key at the station again.", code);
        break;
    }
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
    struct pvs_enrol_redeem_req q = {pvs_scope_provider(r), pvs_jint(b, "staff_id", 0),
                                     pvs_jstr(b, "code", NULL), pvs_jint(b, "enrolment_id", 0),
                                     pvs_jstr(b, "label", ""), pvs_now(), NULL};
    json_t *d = json_pack("{s:I,s:s}", "staff_id", (json_int_t)q.staff_id, "label", q.label);
    struct pvd_change c;
    if (pvd_change_begin(r, &c, d, PVS_BEARER_SHAPE)) {
        struct pvs_enrol_outcome o;
        q.details = c.details;
        int rc = pvs_enrol_redeem(r->db, &c.who, &q, &o, PVD_FIRST(&c.row));
        if (rc == PVS_DB_OK && o.refused) {
            free(c.details);
            refuse_redeem(r, &q, &o);
        } else {
            pvd_change_end(r, &c, rc, "key", 201);
        }
    }
    json_decref(d);
    json_decref(b);
}
