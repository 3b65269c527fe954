/* Security keys as use cases: a ceremony's challenge stored, an assertion checked against
 * the stored key (signing in, or auditing a copied key), a key registered (and, at a
 * first sign-in, the sign-in finished), keys removed (a central recovery ends the user's
 * sessions too). Each owns its transaction; the challenge is used up whatever the answer.
 * The rows: authz/webauthn_store.c; the cryptographic checks: authz/webauthn_verify.c. */
#ifndef PVS_SERVICES_WEBAUTHN_H
#define PVS_SERVICES_WEBAUTHN_H

#include "pvs/audit_record.h"
#include "pvs/webauthn_store.h"
#include "signin.h"

/* Stores challenge `c` under the hash of the browser's ceremony cookie. */
int pvs_wa_ceremony_start(pvs_db *db, const uint8_t binding_hash[32],
                          const struct pvs_wa_challenge *c, int64_t now) PV_MUST_CHECK;

/* The browser's side of a ceremony: which challenge, and who asks. */
struct pvs_wa_ceremony {
    const struct pvs_webauthn_cfg *cfg;
    const uint8_t *binding_hash; /* hash of the ceremony cookie; NULL without one */
    const char *purpose;         /* register, login, passkey */
    bool has_session;            /* signed in (or pre-auth) */
    const uint8_t *session_hash; /* 32 bytes when has_session */
    int64_t now;
};

/* How far a ceremony got. */
enum pvs_wa_stage {
    PVS_WA_NOT_BEGUN = 0, /* no transaction: rc says why */
    PVS_WA_BAD_CHALLENGE, /* used, expired, another purpose or sign-in (rc: a store error, or
                             PVS_DB_OK / PVS_DB_NOTFOUND) */
    PVS_WA_UNKNOWN_KEY,   /* assertion: no such key of an active user of this ceremony */
    PVS_WA_REFUSED,       /* the key's answer does not verify: `why` */
    PVS_WA_DONE,          /* checked; rc is the code of what followed */
};
struct pvs_wa_result {
    enum pvs_wa_stage stage;
    enum pvs_wa_rc why;
    int rc;
    int64_t user_id; /* the key's user once known */
    int64_t key_id;  /* registration: the new key (0 when storing it failed: rc says why) */
};

/* A get() answer, decoded. */
struct pvs_wa_assertion {
    const uint8_t *cred_id, *cdj, *ad, *sig;
    size_t cred_id_len, cdj_len, ad_len, sig_len;
};
/* Checks the assertion against the stored key and, when it holds, signs its user in
 * (signin.h; `drop_hash` the session the browser presented, or NULL). A counter that did
 * not grow is recorded "user.webauthn_clone_suspected" by `clone_actor` (its user_id set to
 * the key's user). The result says how far it got. */
void pvs_wa_assert(pvs_db *db, const struct pvs_wa_ceremony *q, const struct pvs_wa_assertion *a,
                   const uint8_t *drop_hash, const struct pvs_audit_actor *clone_actor,
                   const struct pvs_session_opener *s, struct pvs_wa_result *out);

/* A create() answer and who registers. */
struct pvs_wa_registration {
    const uint8_t *cdj, *att;
    size_t cdj_len, att_len;
    const char *name;                /* the key's name */
    int64_t user_id, provider_id;    /* the signed-in user and whose record it is */
    const struct pvs_audit_actor *who;
    const char *details; /* canonical audit text of {"name"}; "attestation" and "credential"
                            are added, which sort first */
    bool sign_in;        /* at sign-in (pre-auth): finish it with a full session */
    const uint8_t *drop_hash; /* with sign_in: the session the browser presented, or NULL */
};
/* Registers the key of a create() answer, recorded "user.webauthn_added"; with r->sign_in
 * the sign-in is finished too (through `s`). The result says how far it got. */
void pvs_wa_register(pvs_db *db, const struct pvs_wa_ceremony *q,
                     const struct pvs_wa_registration *r, const struct pvs_session_opener *s,
                     struct pvs_wa_result *out);

/* Removes key `id` of user `uid` (0: all of them), recorded `action` for `provider` with
 * {"credential", "removed"}; `recovery` also ends the user's sessions. `keep_last`: refuse
 * (*last, nothing written) to remove the user's last key. PVS_DB_NOTFOUND when there was no
 * such key; *removed counts the keys removed. */
int pvs_wa_remove(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider, int64_t uid,
                  int64_t id, const char *action, bool recovery, bool keep_last,
                  int64_t *removed, bool *last) PV_MUST_CHECK;

#endif
