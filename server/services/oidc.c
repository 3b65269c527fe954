/* Single sign-on's transactions (see oidc.h). */
#include "oidc.h"

#include "rows.h"

int pvs_oidc_begin(pvs_db *db, const uint8_t state_hash[32], const struct pvs_oidc_pending *p,
                   int64_t now)
{
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    return pvs_tx_finish(db, pvs_oidc_state_put(db, state_hash, p, now));
}

int pvs_oidc_take(pvs_db *db, const uint8_t state_hash[32], int64_t now,
                  struct pvs_oidc_pending *out)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_oidc_state_take(db, state_hash, now, out);
    /* the used state stays used, whatever the answer */
    if (pvs_tx_in_progress(db) && pvs_tx_commit(db) != PVS_DB_OK)
        pvs_tx_rollback(db);
    return rc;
}

int pvs_oidc_sign_in(pvs_db *db, const struct pvs_oidc_signin *q,
                     const struct pvs_session_opener *s, bool *disabled)
{
    *disabled = false;
    int64_t uid = 0;
    bool created = false;
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_oidc_user(db, q->issuer, q->c, q->now, &uid, &created);
    if (rc == PVS_DB_OK && created) {
        struct pvs_audit_actor who = q->who;
        who.user_id = uid;
        rc = pvs_audit_record(db, &who, q->c->provider_id, "user.create_sso", "user", uid,
                              q->details);
    }
    if (rc == PVS_DB_OK && pvs_signin_allowed(db, uid, q->now) != PVS_DB_OK) {
        *disabled = true;
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(db);
        return rc;
    }
    return pvs_signin_commit(db, uid, NULL, s);
}
