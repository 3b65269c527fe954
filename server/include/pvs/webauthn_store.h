/* Stored WebAuthn state: each user's authenticators and the single-use ceremony challenges
 * (server/authz/webauthn_store.c). Every call returns a pvs_db_rc; callers own transactions. */
#ifndef PVS_WEBAUTHN_STORE_H
#define PVS_WEBAUTHN_STORE_H

#include <jansson.h>

#include "pvs/store.h"
#include "pvs/webauthn.h"

#define PVS_WA_CHALLENGE_TTL_S 300 /* the browser prompt, the touch, a PIN: five minutes */

struct pvs_wa_challenge {
    uint8_t challenge[PVS_WA_CHALLENGE_LEN];
    char purpose[12];       /* register, login (second factor), passkey (passwordless) */
    int64_t user_id;        /* 0 for passkey */
    uint8_t session_hash[32];
    bool has_session;
};

/* Store a challenge under the hash of its ceremony cookie (replacing an older one of the same
 * cookie). session_hash may be NULL. */
int pvs_wa_challenge_put(pvs_db *db, const uint8_t binding_hash[32],
                         const struct pvs_wa_challenge *c, int64_t now) PV_MUST_CHECK;
/* Take (read and delete, so it is used once) the unexpired challenge of this cookie.
 * PVS_DB_NOTFOUND when there is none, it expired, or another request took it first. Needs a
 * write transaction. */
int pvs_wa_challenge_take(pvs_db *db, const uint8_t binding_hash[32], int64_t now,
                          struct pvs_wa_challenge *out) PV_MUST_CHECK;

/* A stored credential as a sign-in needs it. */
struct pvs_wa_stored {
    int64_t id, user_id;
    uint8_t pk[PVS_WA_MAX_PK];
    size_t pk_len;
    int alg;
    uint32_t sign_count;
};

int pvs_wa_cred_add(pvs_db *db, int64_t user_id, const struct pvs_wa_cred *c, const char *name,
                    int64_t now, int64_t *id) PV_MUST_CHECK;
/* By credential id; PVS_DB_NOTFOUND when unknown. */
int pvs_wa_cred_find(pvs_db *db, const uint8_t *cred_id, size_t len, struct pvs_wa_stored *out)
    PV_MUST_CHECK;
/* Raise the counter after a good sign-in, only if it still grows (a parallel sign-in with
 * the same counter loses): PVS_DB_NOTFOUND when it did not. */
int pvs_wa_cred_used(pvs_db *db, int64_t id, uint32_t new_count, int64_t now) PV_MUST_CHECK;
int pvs_wa_cred_count(pvs_db *db, int64_t user_id, int64_t *n) PV_MUST_CHECK;
/* [{id, name, created_at, last_used_at, aaguid, fmt}] of a user; *out NULL on error. */
int pvs_wa_cred_list(pvs_db *db, int64_t user_id, json_t **out) PV_MUST_CHECK;
/* The base64url credential ids of a user (allowCredentials / excludeCredentials). */
int pvs_wa_cred_ids(pvs_db *db, int64_t user_id, json_t **out) PV_MUST_CHECK;
/* Delete one credential of the user (PVS_DB_NOTFOUND when not the user's) or, with id 0,
 * every credential of the user (*removed says how many). */
int pvs_wa_cred_delete(pvs_db *db, int64_t user_id, int64_t id, int64_t *removed) PV_MUST_CHECK;

/* 1 when user `id` exists, else 0. */
int pvs_wa_user_count(pvs_db *db, int64_t id, int64_t *n) PV_MUST_CHECK;

#endif
