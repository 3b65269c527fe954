/* Stored single sign-on state (server/authz/oidc_store.c): the pending sign-ins (state,
 * nonce, PKCE verifier, bound to the browser) and which Portvakt user a provider's subject is. */
#ifndef PVS_OIDC_STORE_H
#define PVS_OIDC_STORE_H

#include "pvs/oidc.h"
#include "pvs/store.h"

struct pvs_oidc_pending {
    uint8_t binding_hash[32];
    char nonce[64], verifier[64];
};

int pvs_oidc_state_put(pvs_db *db, const uint8_t state_hash[32], const struct pvs_oidc_pending *p,
                       int64_t now) PV_MUST_CHECK;
/* Read and delete (once only) the unexpired pending sign-in; PVS_DB_NOTFOUND otherwise. Needs
 * a write transaction. */
int pvs_oidc_state_take(pvs_db *db, const uint8_t state_hash[32], int64_t now,
                        struct pvs_oidc_pending *out) PV_MUST_CHECK;
/* The user of (issuer, sub): created at the first sign-in (username from the token, or
 * "sso-" and a hash of the subject), its role and provider set from the mapping each time.
 * *created says whether it is new. */
int pvs_oidc_user(pvs_db *db, const char *issuer, const struct pvs_oidc_claims *c, int64_t now,
                  int64_t *uid, bool *created) PV_MUST_CHECK;

#endif
