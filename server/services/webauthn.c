/* Security keys' transactions (see webauthn.h). */
#include "webauthn.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "rows.h"

int pvs_wa_ceremony_start(pvs_db *db, const uint8_t binding_hash[32],
                          const struct pvs_wa_challenge *c, int64_t now)
{
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    return pvs_tx_finish(db, pvs_wa_challenge_put(db, binding_hash, c, now));
}

/* Commit what the transaction holds (the used challenge), or roll it back. */
static void settle(pvs_db *db)
{
    if (pvs_tx_in_progress(db) && pvs_tx_commit(db) != PVS_DB_OK)
        pvs_tx_rollback(db);
}

/* Begins the write transaction and takes this browser's challenge, checking its purpose
 * and, for a signed-in ceremony, that it is still the same session. False (out filled,
 * the transaction settled or never begun) when the ceremony ends here. */
static bool take(pvs_db *db, const struct pvs_wa_ceremony *q, struct pvs_wa_challenge *c,
                 struct pvs_wa_result *out)
{
    *out = (struct pvs_wa_result){PVS_WA_NOT_BEGUN, PVS_WA_OK, pvs_tx_begin(db, true), 0, 0};
    if (out->rc != PVS_DB_OK)
        return false;
    int rc = q->binding_hash ? pvs_wa_challenge_take(db, q->binding_hash, q->now, c)
                             : PVS_DB_NOTFOUND;
    bool same = rc == PVS_DB_OK && strcmp(c->purpose, q->purpose) == 0 &&
                c->has_session == q->has_session &&
                (!c->has_session || sodium_memcmp(c->session_hash, q->session_hash, 32) == 0);
    if (same)
        return true;
    settle(db);
    out->stage = PVS_WA_BAD_CHALLENGE;
    out->rc = rc;
    return false;
}

/* A copied key is worth an audit entry even though the sign-in fails. */
static int audit_clone(pvs_db *db, const struct pvs_audit_actor *actor,
                       const struct pvs_wa_stored *k, uint32_t seen)
{
    char det[128];
    struct pvs_audit_actor who = *actor;
    who.user_id = k->user_id;
    snprintf(det, sizeof det, "{\"credential\":%lld,\"presented_counter\":%lld,\"stored_counter\":%lld}",
             (long long)k->id, (long long)seen, (long long)k->sign_count);
    return pvs_audit_record(db, &who, 0, "user.webauthn_clone_suspected", "user", k->user_id, det);
}

void pvs_wa_assert(pvs_db *db, const struct pvs_wa_ceremony *q, const struct pvs_wa_assertion *a,
                   const uint8_t *drop_hash, const struct pvs_audit_actor *clone_actor,
                   const struct pvs_session_opener *s, struct pvs_wa_result *out)
{
    struct pvs_wa_challenge c;
    struct pvs_wa_stored k;
    if (!take(db, q, &c, out))
        return;
    int rc = pvs_wa_cred_find(db, a->cred_id, a->cred_id_len, &k);
    bool mine = rc == PVS_DB_OK && (!c.user_id || k.user_id == c.user_id);
    bool may = mine && pvs_signin_allowed(db, k.user_id, q->now) == PVS_DB_OK;
    uint32_t seen = 0;
    enum pvs_wa_rc v = !may ? PVS_WA_BAD_SIGNATURE
                            : pvs_wa_verify_assertion(q->cfg, c.challenge, a->cdj, a->cdj_len, a->ad,
                                                      a->ad_len, a->sig, a->sig_len, k.pk, k.pk_len,
                                                      k.alg, k.sign_count, c.user_id == 0, &seen);
    if (v == PVS_WA_OK && pvs_wa_cred_used(db, k.id, seen, q->now) != PVS_DB_OK)
        v = PVS_WA_COUNTER; /* a parallel sign-in used this counter value first */
    out->user_id = may ? k.user_id : 0;
    if (v == PVS_WA_OK) {
        out->stage = PVS_WA_DONE;
        out->rc = pvs_signin_commit(db, k.user_id, drop_hash, s);
        return;
    }
    if (v == PVS_WA_COUNTER && audit_clone(db, clone_actor, &k, seen) != PVS_DB_OK)
        pvs_tx_rollback(db);
    settle(db);
    out->stage = may ? PVS_WA_REFUSED : PVS_WA_UNKNOWN_KEY;
    out->why = v;
}

/* The new key and "user.webauthn_added", inside the open transaction. */
static int store_key(pvs_db *db, const struct pvs_wa_registration *r, const struct pvs_wa_cred *k,
                     int64_t now, int64_t *id)
{
    char det[512];
    for (const char *f = k->fmt; *f; f++)
        if (!((*f >= 'a' && *f <= 'z') || (*f >= '0' && *f <= '9') || *f == '-'))
            return PVS_DB_MISUSE; /* libfido2 knows only plain format names */
    int rc = pvs_wa_cred_add(db, r->user_id, k, r->name, now, id);
    if (rc != PVS_DB_OK)
        return rc;
    if (!r->details || r->details[0] != '{' || r->details[1] == '}')
        return PVS_DB_MISUSE;
    int n = snprintf(det, sizeof det, "{\"attestation\":\"%s\",\"credential\":%lld,%s", k->fmt,
                     (long long)*id, r->details + 1);
    if (n < 0 || (size_t)n >= sizeof det)
        return PVS_DB_MISUSE;
    return pvs_audit_record(db, r->who, r->provider_id, "user.webauthn_added", "user", r->user_id,
                            det);
}

void pvs_wa_register(pvs_db *db, const struct pvs_wa_ceremony *q,
                     const struct pvs_wa_registration *r, const struct pvs_session_opener *s,
                     struct pvs_wa_result *out)
{
    struct pvs_wa_challenge c;
    struct pvs_wa_cred k;
    if (!take(db, q, &c, out))
        return;
    enum pvs_wa_rc v = pvs_wa_verify_registration(q->cfg, c.challenge, r->cdj, r->cdj_len, r->att,
                                                  r->att_len, false, &k);
    if (v != PVS_WA_OK) {
        settle(db); /* the challenge stays used */
        out->stage = PVS_WA_REFUSED;
        out->why = v;
        return;
    }
    int64_t id = 0;
    out->stage = PVS_WA_DONE;
    out->user_id = r->user_id;
    int rc = store_key(db, r, &k, q->now, &id);
    if (rc != PVS_DB_OK) {
        out->rc = pvs_tx_finish(db, rc); /* key_id stays 0 */
        return;
    }
    out->key_id = id;
    out->rc = r->sign_in ? pvs_signin_commit(db, r->user_id, r->drop_hash, s) : pvs_tx_finish(db, rc);
}

int pvs_wa_remove(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider, int64_t uid,
                  int64_t id, const char *action, bool recovery, bool keep_last,
                  int64_t *removed, bool *last)
{
    int64_t n = 0;
    char det[96];
    *removed = 0;
    *last = false;
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    if (keep_last)
        rc = pvs_wa_cred_count(db, uid, &n);
    if (rc == PVS_DB_OK && keep_last && n <= 1) {
        pvs_tx_rollback(db);
        *last = true;
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_wa_cred_delete(db, uid, id, removed);
    snprintf(det, sizeof det, "{\"credential\":%lld,\"removed\":%lld}", (long long)id,
             (long long)*removed);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, action, "user", uid, det);
    if (rc == PVS_DB_OK && recovery) {
        int64_t ch = pvs_exec(db, "DELETE FROM sessions WHERE user_id = ?", PVS_ARGS(PVS_I64(uid)));
        rc = ch < 0 ? (int)ch : PVS_DB_OK;
    }
    return pvs_tx_finish(db, rc);
}
