/* Alarm access over HTTP: the alarm centre opens a time-boxed grant for a named responder's
 * key to one recipient's doors, ends it early, and follows up the openings made under it
 * (the lock-signed open events flagged alarm); the alarm system's API token of scope
 * "alarm" can do exactly these and nothing else (pvs_token_scope_allows). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../services/alarm.h"
#include "phone_handlers.h"
#include "pvs/core.h"
#include "util.h"

/* One grant with its state and the number of flagged openings under it; `?` = now. */
#define GRANT_SELECT                                                                            \
    "SELECT g.id, g.alarm_ref, g.recipient_id, c.alarm_code, g.bearer_id, b.label,"             \
    " g.starts_at, g.ends_at, g.ended_at, g.created_by, g.ended_by,"                            \
    " CASE WHEN g.ended_at IS NULL AND g.ends_at > ? THEN 1 ELSE 0 END,"                        \
    " (SELECT COUNT(*) FROM lock_events e WHERE e.kind = 1 AND e.subject = g.bearer_id"         \
    "  AND (e.aux & 8) <> 0 AND e.time >= g.starts_at"                                          \
    "  AND e.time <= COALESCE(g.ended_at, g.ends_at))"                                          \
    " FROM alarm_grants g JOIN recipients c ON c.id = g.recipient_id"                           \
    " JOIN bearers b ON b.id = g.bearer_id"
#define GRANT_SPEC                                                                              \
    "id:i,alarm_ref:s,recipient_id:i,alarm_code:s,bearer_id:i,bearer_label:s,starts_at:i,"      \
    "ends_at:i,ended_at:n,created_by:s,ended_by:s,running:b,openings:i"

bool pvs_token_scope_allows(struct pvs_req *r, const struct pvs_route *rt)
{
    char scope[16] = "";
    int rc = pvs_query_text(r->db, "SELECT scope FROM api_tokens WHERE id = ?",
                            PVS_ARGS(PVS_I64(r->who.token_id)), scope, sizeof scope);
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
    int64_t scope = pvs_scope_provider(r), now = pvs_now();
    pvd_list(r, GRANT_SELECT " WHERE (? = 0 OR b.provider_id = ?) AND g.id > ? ORDER BY g.id LIMIT ?",
             PVS_ARGS(PVS_I64(now), PVS_I64(scope), PVS_I64(scope)), GRANT_SPEC);
}

/* The flagged openings under grant g (lock-signed events), for follow-up. */
static json_t *openings(pvs_db *db, int64_t id, int *rc)
{
    pvs_stmt st;
    json_t *arr = json_array();
    *rc = pvs_query(db, &st,
                    "SELECT e.lock_id, l.kind, e.seq, e.time, e.aux FROM alarm_grants g"
                    " JOIN lock_events e ON e.subject = g.bearer_id AND e.kind = 1"
                    "  AND (e.aux & 8) <> 0 AND e.time >= g.starts_at"
                    "  AND e.time <= COALESCE(g.ended_at, g.ends_at)"
                    " LEFT JOIN locks l ON l.id = e.lock_id WHERE g.id = ? ORDER BY e.time, e.lock_id",
                    PVS_ARGS(PVS_I64(id)));
    if (*rc != PVS_DB_OK)
        return arr;
    int n;
    while ((n = pvs_next(&st)) == PVS_DB_ROW)
        json_array_append_new(arr, pvd_row(&st, "lock_id:i,lock_kind:s,seq:i,time:i,flags:i"));
    if (n != PVS_DB_DONE)
        *rc = n;
    pvs_finalize(&st);
    return arr;
}

/* GET /alarm-grants/{id}: the grant and every flagged opening under it. */
void pvp_alarm_get(struct pvs_req *r)
{
    int64_t id, scope = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id))
        return;
    int rc;
    json_t *g = pvd_one(r->db, GRANT_SELECT " WHERE g.id = ? AND (? = 0 OR b.provider_id = ?)",
                        PVS_ARGS(PVS_I64(pvs_now()), PVS_I64(id), PVS_I64(scope), PVS_I64(scope)),
                        GRANT_SPEC, &rc);
    if (!g) {
        if (rc == PVS_DB_NOTFOUND)
            pvs_problem(r, 404, "not-found", "Not found", "alarm grant %lld does not exist.",
                        (long long)id);
        else
            pvs_problem_db(r, rc, "alarm grant");
        return;
    }
    json_object_set_new(g, "openings_list", openings(r->db, id, &rc));
    if (rc != PVS_DB_OK) {
        json_decref(g);
        pvs_problem_db(r, rc, "alarm grant");
        return;
    }
    pvs_reply_json(r, 200, g);
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
    int64_t id = 0, now = pvs_now();
    if (pvd_begin(r, true)) {
        int rc = pvs_alarm_grant(r->db, &q, now, &id, &why);
        if (rc == PVS_DB_OK && why == PVS_ALARM_OK)
            rc = pvs_audit_append(r, "alarm.grant", "alarm_grant", id, b);
        if (rc == PVS_DB_OK && why != PVS_ALARM_OK) {
            pvs_tx_rollback(r->db);
            alarm_refused(r, why);
        } else {
            json_t *o = rc == PVS_DB_OK ? pvd_one(r->db, GRANT_SELECT " WHERE g.id = ?",
                                                  PVS_ARGS(PVS_I64(now), PVS_I64(id)), GRANT_SPEC, &rc)
                                        : NULL;
            pvd_commit_reply(r, o, rc, "alarm grant", 201);
        }
    }
    json_decref(b);
}

/* POST /alarm-grants/{id}/end: ends a running grant now (the responder's next sync drops it). */
void pvp_alarm_end(struct pvs_req *r)
{
    int64_t id, now = pvs_now();
    int running = 0;
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true))
        return;
    int rc = pvs_alarm_end(r->db, id, r->who.username, now, &running);
    if (rc == PVS_DB_OK && running)
        rc = pvs_audit_append(r, "alarm.end", "alarm_grant", id, NULL);
    if (rc == PVS_DB_NOTFOUND) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 404, "not-found", "Not found", "alarm grant %lld does not exist.", (long long)id);
        return;
    }
    json_t *o = rc == PVS_DB_OK ? pvd_one(r->db, GRANT_SELECT " WHERE g.id = ?",
                                          PVS_ARGS(PVS_I64(now), PVS_I64(id)), GRANT_SPEC, &rc)
                                : NULL;
    pvd_commit_reply(r, o, rc, "alarm grant", 200);
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
    if (pvd_begin(r, true)) {
        int rc = pvs_query_i64(r->db,
                               "INSERT INTO api_tokens (name, token_hash, role, provider_id, created_by,"
                               " created_at, scope) VALUES (?, ?, 'central_admin', NULL, ?, ?, 'alarm')"
                               " RETURNING id",
                               PVS_ARGS(PVS_TEXT(pvs_jstr(b, "name", "")), PVS_BLOB(h, 32),
                                        PVS_ID_OR_NULL(r->who.user_id), PVS_I64(pvs_now())), &id);
        if (rc == PVS_DB_OK)
            rc = pvs_audit_append(r, "token.create_alarm", "api_token", id, b);
        json_t *o = rc == PVS_DB_OK ? json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name",
                                                pvs_jstr(b, "name", ""), "scope", "alarm", "secret", secret)
                                    : NULL;
        pvd_commit_reply(r, o, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, "That token", 201);
    }
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(secret, sizeof secret);
    json_decref(b);
}
