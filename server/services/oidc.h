/* Single sign-on as use cases: a pending sign-in stored (state, nonce, PKCE verifier, bound
 * to the browser), taken back once, and the person signed in — their user made at the
 * first sign-in (audited) and a full session — each in its own transaction. The rows:
 * authz/oidc_store.c; the provider's token is checked before (authz/oidc_verify.c). */
#ifndef PVS_SERVICES_OIDC_H
#define PVS_SERVICES_OIDC_H

#include "pvs/audit_record.h"
#include "pvs/oidc_store.h"
#include "signin.h"

/* Stores pending sign-in `p` under the hash of its state, expired ones dropped. */
int pvs_oidc_begin(pvs_db *db, const uint8_t state_hash[32], const struct pvs_oidc_pending *p,
                   int64_t now) PV_MUST_CHECK;
/* Takes (reads and deletes, once only) the unexpired pending sign-in, committed whatever
 * else happens: PVS_DB_OK, PVS_DB_NOTFOUND or the store error. */
int pvs_oidc_take(pvs_db *db, const uint8_t state_hash[32], int64_t now,
                  struct pvs_oidc_pending *out) PV_MUST_CHECK;

struct pvs_oidc_signin {
    const char *issuer;              /* the provider's issuer (oidc-issuer) */
    const struct pvs_oidc_claims *c; /* checked claims, role and provider mapped */
    int64_t now;
    /* who creates a new user: user_id is filled with the new user's; details (canonical
     * audit text of {issuer, role}) */
    struct pvs_audit_actor who;
    const char *details;
};
/* The person's user (created and recorded "user.create_sso" at the first sign-in), then the
 * shared sign-in end (signin.h). Returns the store code; *disabled (with PVS_DB_OK, nothing
 * written) when the user may not sign in. */
int pvs_oidc_sign_in(pvs_db *db, const struct pvs_oidc_signin *q,
                     const struct pvs_session_opener *s, bool *disabled) PV_MUST_CHECK;

#endif
