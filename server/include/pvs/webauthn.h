/* WebAuthn (FIDO2) for portvakt-server: the relying party's configuration, and the checks of
 * a registration (attestation) and a sign-in (assertion) done with libfido2. Nothing here
 * touches the store or HTTP; server/authz/webauthn_store.c keeps credentials and challenges. */
#ifndef PVS_WEBAUTHN_H
#define PVS_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h" /* PV_MUST_CHECK */

#define PVS_WA_CHALLENGE_LEN 32   /* 256 random bits from libsodium per ceremony */
#define PVS_WA_MAX_CRED_ID 255    /* real authenticators use 16..128 bytes; refuse larger */
#define PVS_WA_MAX_PK 300         /* raw public key as libfido2 gives it (RSA-2048: 259) */
#define PVS_WA_MAX_ORIGINS 4      /* the UI's host names (e.g. with and without a proxy) */
#define PVS_WA_MAX_AAGUIDS 16
#define PVS_WA_MAX_CLIENT_DATA 4096 /* browsers send ~200 bytes */
#define PVS_WA_MAX_ATTESTATION 8192 /* authData + attStmt with a certificate chain */

/* Configuration (keys webauthn-* in the server's config file; docs/server.md). */
struct pvs_webauthn_cfg {
    char rp_id[128];                                  /* "portvakt.stad.se"; empty = off */
    char rp_name[64];                                 /* shown by the browser */
    char origins[PVS_WA_MAX_ORIGINS][160];            /* exact "https://host[:port]" */
    int norigins;
    uint8_t aaguids[PVS_WA_MAX_AAGUIDS][16];          /* attestation policy: empty = any */
    int naaguids;
    unsigned required_roles;                          /* PVS_R_* bits that must use a key */
};

void pvs_webauthn_cfg_defaults(struct pvs_webauthn_cfg *c);
/* Set one webauthn-* key: rp-id, rp-name, origin (comma list), attestation ("any" or a comma
 * list of AAGUIDs), required-roles (comma list of role names). 0, or -1 for a bad value. */
int pvs_webauthn_cfg_set(struct pvs_webauthn_cfg *c, const char *key, const char *value)
    PV_MUST_CHECK;

/* Refusal reasons, each with its own answer to the person. */
enum pvs_wa_rc {
    PVS_WA_OK = 0,
    PVS_WA_MALFORMED,      /* not a WebAuthn response (decoding, sizes) */
    PVS_WA_WRONG_TYPE,     /* clientData.type is not the ceremony's */
    PVS_WA_WRONG_CHALLENGE,
    PVS_WA_WRONG_ORIGIN,   /* clientData.origin not configured, or crossOrigin */
    PVS_WA_WRONG_RP,       /* authenticator data made for another RP ID */
    PVS_WA_NO_PRESENCE,    /* user presence (touch) or required verification missing */
    PVS_WA_BAD_SIGNATURE,
    PVS_WA_ATTESTATION,    /* attestation refused by the policy */
    PVS_WA_COUNTER,        /* signature counter did not grow: a cloned credential */
    PVS_WA_UNSUPPORTED,    /* algorithm or attestation format libfido2 does not verify */
};
/* Stable name for logs and problem types ("wrong-origin", ...). */
const char *pvs_wa_rc_name(enum pvs_wa_rc rc);

/* A credential accepted at registration. */
struct pvs_wa_cred {
    uint8_t id[PVS_WA_MAX_CRED_ID];
    size_t id_len;
    uint8_t pk[PVS_WA_MAX_PK];
    size_t pk_len;
    int alg; /* COSE_ES256, COSE_EDDSA, COSE_RS256 */
    uint8_t aaguid[16];
    uint32_t sign_count;
    char fmt[16]; /* attestation format: none, packed, fido-u2f, tpm */
};

/*
 * Check a registration: clientDataJSON (type webauthn.create, `challenge`, a configured
 * origin), the attestation object (CBOR {fmt, attStmt, authData}, decoded with libcbor), the
 * RP ID hash, user presence (and verification when `need_uv`), the attestation signature
 * (libfido2 fido_cred_verify / fido_cred_verify_self), and the AAGUID policy. Fills `out`.
 */
enum pvs_wa_rc pvs_wa_verify_registration(const struct pvs_webauthn_cfg *cfg,
                                          const uint8_t challenge[PVS_WA_CHALLENGE_LEN],
                                          const uint8_t *cdj, size_t cdj_len,
                                          const uint8_t *att, size_t att_len, bool need_uv,
                                          struct pvs_wa_cred *out) PV_MUST_CHECK;

/*
 * Check a sign-in assertion against a stored credential (pk, alg, stored_count): client data
 * (webauthn.get), RP ID hash, flags, signature (libfido2 fido_assert_verify), then the
 * counter: when either counter is non-zero the new one must be larger (else PVS_WA_COUNTER).
 * *new_count gets the authenticator's counter on success and on PVS_WA_COUNTER.
 */
enum pvs_wa_rc pvs_wa_verify_assertion(const struct pvs_webauthn_cfg *cfg,
                                       const uint8_t challenge[PVS_WA_CHALLENGE_LEN],
                                       const uint8_t *cdj, size_t cdj_len, const uint8_t *ad,
                                       size_t ad_len, const uint8_t *sig, size_t sig_len,
                                       const uint8_t *pk, size_t pk_len, int alg,
                                       uint32_t stored_count, bool need_uv,
                                       uint32_t *new_count) PV_MUST_CHECK;

/* base64url without padding (WebAuthn's encoding of binary values in JSON). Decode returns
 * the length, or -1 when `s` is not base64url or longer than `cap`. Encode writes a NUL-ended
 * string into out (cap >= 4 * len / 3 + 4). */
int pvs_b64url_decode(const char *s, uint8_t *out, size_t cap) PV_MUST_CHECK;
void pvs_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap);

#endif
