/* OpenID Connect single sign-on for city employees: configuration, the ID-token check
 * (cjose for the JWS signature, jansson for the claims), and the calls to the provider
 * (libcurl: discovery, JWKS with key rotation, the code exchange with PKCE). */
#ifndef PVS_OIDC_H
#define PVS_OIDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"

#define PVS_OIDC_MAX_MAPS 16
#define PVS_OIDC_MAX_TOKEN 16384 /* an ID token with a few dozen groups is ~2 KB */
#define PVS_OIDC_STATE_TTL_S 600 /* the person signs in at the city's page within ten minutes */

/* One rule: a value of the group claim gives a Portvakt role (and provider for provider roles). */
struct pvs_oidc_map {
    char value[128];
    int role;            /* enum pvs_role */
    int64_t provider_id; /* 0 for central roles */
};

/* Configuration (keys oidc-* in the server's config file; docs/server.md). */
struct pvs_oidc_cfg {
    char issuer[256];          /* exact "iss", also the discovery base; empty = off */
    char client_id[128];
    char client_secret[256];   /* read from oidc-client-secret-file */
    char redirect_uri[256];    /* https://portvakt.stad.se/api/v1/auth/oidc/callback */
    char scopes[128];          /* "openid profile groups" */
    char claim[64];            /* the claim holding groups or roles ("groups") */
    char name[64];             /* button text: "Stockholms stads inloggning" */
    unsigned skew_s;           /* accepted clock difference for exp/iat/nbf (<= 300) */
    struct pvs_oidc_map maps[PVS_OIDC_MAX_MAPS];
    int nmaps;
};

void pvs_oidc_cfg_defaults(struct pvs_oidc_cfg *c);
/* Set one oidc-* key (without the prefix): issuer, client-id, client-secret-file,
 * redirect-uri, scopes, claim, name, clock-skew, map ("group=role[@provider-id]; ..."). */
int pvs_oidc_cfg_set(struct pvs_oidc_cfg *c, const char *key, const char *value) PV_MUST_CHECK;
bool pvs_oidc_enabled(const struct pvs_oidc_cfg *c);

enum pvs_oidc_rc {
    PVS_OIDC_OK = 0,
    PVS_OIDC_MALFORMED,     /* not a compact JWS with JSON header and claims */
    PVS_OIDC_UNSIGNED,      /* alg none, or an algorithm not allowed (HS*, unknown) */
    PVS_OIDC_UNKNOWN_KEY,   /* no key with this kid in the provider's JWKS */
    PVS_OIDC_BAD_SIGNATURE,
    PVS_OIDC_WRONG_ISSUER,
    PVS_OIDC_WRONG_AUDIENCE,
    PVS_OIDC_EXPIRED,       /* exp in the past, or iat/nbf in the future, beyond the skew */
    PVS_OIDC_WRONG_NONCE,
    PVS_OIDC_NO_ROLE,       /* no mapping matches the person's groups */
    PVS_OIDC_PROVIDER,      /* the provider could not be reached or answered wrongly */
};
const char *pvs_oidc_rc_name(enum pvs_oidc_rc rc);

/* What a verified ID token says about the person. */
struct pvs_oidc_claims {
    char sub[256];
    char username[65];   /* preferred_username if it fits, else empty */
    char display[128];   /* name, else empty */
    int role;            /* from the first matching mapping */
    int64_t provider_id;
};

/* The provider's signing keys (cjose_jwk_t pointers, owned). */
struct pvs_oidc_keys {
    void *jwk[16];
    char kid[16][128];
    int n;
};
/* Parse a JWKS document; keys without "use":"sig"-compatible type are skipped. 0 or -1. */
int pvs_oidc_keys_parse(const char *json, size_t len, struct pvs_oidc_keys *out) PV_MUST_CHECK;
void pvs_oidc_keys_free(struct pvs_oidc_keys *k);

/* Check an ID token: header alg (RS256/PS256/ES256 only) and kid, signature (cjose), iss,
 * aud (and azp), exp/iat/nbf with the skew, nonce (constant time), then the group mapping. */
enum pvs_oidc_rc pvs_oidc_check(const struct pvs_oidc_cfg *cfg, const struct pvs_oidc_keys *keys,
                                const char *jwt, const char *nonce, int64_t now,
                                struct pvs_oidc_claims *out) PV_MUST_CHECK;

/* ---------------------------------------------------------------- the provider (libcurl) */

/* The authorization endpoint from discovery (cached; fetched at first use). 0 or -1. */
int pvs_oidc_authorize_url(const struct pvs_oidc_cfg *cfg, char *out, size_t cap) PV_MUST_CHECK;
/* Exchange the code (with the PKCE verifier) for the ID token; *id_token malloc'd. */
enum pvs_oidc_rc pvs_oidc_redeem(const struct pvs_oidc_cfg *cfg, const char *code,
                                 const char *verifier, char **id_token) PV_MUST_CHECK;
/* pvs_oidc_check with the cached JWKS; a token naming an unknown kid refetches the JWKS once
 * (key rotation), at most once per second. */
enum pvs_oidc_rc pvs_oidc_verify(const struct pvs_oidc_cfg *cfg, const char *jwt,
                                 const char *nonce, int64_t now, struct pvs_oidc_claims *out)
    PV_MUST_CHECK;

#endif
