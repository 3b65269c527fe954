/* Alarm access over HTTP: the alarm centre opens a time-boxed grant for a named responder's
 * key to one recipient's doors, ends it early, and follows up the openings made under it
 * (the lock-signed open events flagged alarm); the alarm system's API token of scope
 * "alarm" can do exactly these and nothing else (pvs_token_scope_allows). The SQL,
 * transactions and audit entries: services/alarm.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/alarm.h"
#include "phone_handlers.h"
#include "pvs/core.h"
#include "util.h"

bool pvs_token_scope_allows(struct pvs_req *r, const struct pvs_route *rt)
{
    char scope[16] = "";
    int rc = pvs_token_scope(r->db, r->who.token_id, scope);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "API token");
        return false;
    }
    if (strcmp(scope, "alarm") == 0 && !(rt->flags & PVS_RF_ALARM_API)) {
        pvs_problem(r, 403, "token-scope", "Inte tillåtet för den här nyckeln till API:t",
                    "Larmsystemets API-nyckel får bara öppna och avsluta larmbehörigheter.");
        return false;
    }
    return true;
}

/* GET /alarm-grants: newest first is what the alarm centre wants, but keyset pages run by id. */
void pvp_alarm_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_ALARM_GRANT_SHAPE))
        pvd_page_end(r, &p,
                     pvs_alarm_list(r->db, pvs_scope_provider(r), pvs_now(), &p.range, &p.out),
                     "list");
}

/* The answer when a grant read or change found none: 404 naming it, or the problem. */
static void grant_missing(struct pvs_req *r, int rc, int64_t id)
{
    if (rc == PVS_DB_NOTFOUND)
        pvs_problem(r, 404, "not-found", "Not found", "alarm grant %lld does not exist.",
                    (long long)id);
    else
        pvs_problem_db(r, rc, "alarm grant");
}

/* GET /alarm-grants/{id}: the grant and every flagged opening under it. */
void pvp_alarm_get(struct pvs_req *r)
{
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    struct pvd_rows_json g = {PVS_ALARM_GRANT_SHAPE, NULL, NULL},
                         o = {PVS_ALARM_OPENING_SHAPE, json_array(), NULL};
    int rc = pvs_alarm_get(r->db, id, pvs_scope_provider(r), pvs_now(), PVD_FIRST(&g),
                           PVD_APPEND(&o));
    if (rc != PVS_DB_OK || !g.obj) {
        json_decref(g.obj);
        json_decref(o.arr);
        grant_missing(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, id);
        return;
    }
    json_object_set_new(g.obj, "openings_list", o.arr);
    pvs_reply_json(r, 200, g.obj);
}

static void alarm_refused(struct pvs_req *r, enum pvs_alarm_refusal why)
{
    if (why == PVS_ALARM_NO_RECIPIENT)
        pvs_problem(r, 404, "recipient-unknown", "Okänd brukare",
                    "Det finns ingen brukare med det larmet i Portvakt. Kontrollera larmkoden.");
    else if (why == PVS_ALARM_NO_BEARER)
        pvs_problem(r, 404, "bearer-unknown", "Okänd nyckel",
                    "Den valda nyckeln finns inte. Välj en registrerad bricka eller telefon.");
    else
        pvs_problem(r, 409, "bearer-blocked", "Nyckeln är spärrad",
                    "Den valda nyckeln är spärrad eller tillhör någon som slutat. Välj en annan "
                    "larmpersonal.");
}

/* POST /alarm-grants {"alarm_ref", "recipient_id", "bearer_id", "minutes"}: from now. */
void pvp_alarm_create(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"alarm_ref", PVS_J_STRING, PVS_JF_REQUIRED, 1, 64},
        {"recipient_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"minutes", PVS_J_INT, 0, 1, PVS_ALARM_MAX_MIN},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    pvs_alarm_req q = {pvs_jstr(b, "alarm_ref", ""), pvs_jint(b, "recipient_id", 0),
                       pvs_jint(b, "bearer_id", 0), pvs_jint(b, "minutes", PVS_ALARM_DEFAULT_MIN),
                       r->who.username};
    enum pvs_alarm_refusal why = PVS_ALARM_OK;
    struct pvd_change c;
    if (pvd_change_begin(r, &c, b, PVS_ALARM_GRANT_SHAPE)) {
        int rc = pvs_alarm_create(r->db, &c.who, r->who.provider_id, &q, c.details, pvs_now(),
                                  &why, PVD_FIRST(&c.row));
        if (rc == PVS_DB_OK && why != PVS_ALARM_OK) {
            free(c.details);
            alarm_refused(r, why);
        } else {
            pvd_change_end(r, &c, rc, "alarm grant", 201);
        }
    }
    json_decref(b);
}

/* POST /alarm-grants/{id}/end: ends a running grant now (the responder's next sync drops it). */
void pvp_alarm_end(struct pvs_req *r)
{
    int64_t id;
    struct pvd_change c;
    if (!pvs_req_id(r, 0, &id) || !pvd_change_begin(r, &c, NULL, PVS_ALARM_GRANT_SHAPE))
        return;
    int rc = pvs_alarm_stop(r->db, &c.who, r->who.provider_id, id, r->who.username, pvs_now(),
                            PVD_FIRST(&c.row));
    if (rc == PVS_DB_NOTFOUND)
        grant_missing(r, rc, id);
    else
        pvd_change_end(r, &c, rc, "alarm grant", 200);
}

/* POST /alarm-tokens {"name"}: an API token for the alarm system, central, scope "alarm":
 * it can open, end and read alarm grants and nothing else. Revoked like any token. */
void pvp_alarm_token_create(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {{"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 100}};
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    uint8_t raw[32], h[32];
    char secret[4 + 65] = "pvt_";
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(secret + 4, 65, raw, sizeof raw);
    pvs_token_hash(secret, h);
    int64_t id = 0;
    struct pvd_change c;
    if (pvd_change_begin(r, &c, b, NULL)) {
        int rc = pvs_alarm_token_create(r->db, &c.who, r->who.provider_id, pvs_jstr(b, "name", ""),
                                        h, c.details, &id);
        free(c.details);
        if (rc == PVS_DB_OK)
            pvs_reply_json(r, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name",
                                             pvs_jstr(b, "name", ""), "scope", "alarm", "secret",
                                             secret));
        else
            pvs_problem_db(r, rc, "That token");
    }
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(secret, sizeof secret);
    json_decref(b);
}
