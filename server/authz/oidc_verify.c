/* The ID-token check of OpenID Connect sign-in: header, signature against the provider's
 * JWKS (cjose), then the claims (jansson): iss, aud/azp, exp/iat/nbf within the skew, nonce,
 * and the group that gives the Portvakt role. No network, no store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>
#include <sodium.h>

#include "pvs/http.h"
#include "pvs/oidc.h"

const char *pvs_oidc_rc_name(enum pvs_oidc_rc rc)
{
    static const char *const names[] = {
        "ok", "malformed", "unsigned", "unknown-key", "bad-signature", "wrong-issuer",
        "wrong-audience", "expired", "wrong-nonce", "no-role", "provider",
    };
    return (unsigned)rc < sizeof names / sizeof names[0] ? names[rc] : "unknown";
}

void pvs_oidc_keys_free(struct pvs_oidc_keys *k)
{
    for (int i = 0; i < k->n; i++) {
        cjose_jwk_t *j = k->jwk[i];
        cjose_jwk_release(j);
    }
    memset(k, 0, sizeof *k);
}

/* Unpadded base64url that decodes: cjose asserts (aborts the process) on anything else, so no
 * token segment or key member reaches it unless it passes this. */
static bool b64url_decodes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    if (n % 4 == 1)
        return false;
    unsigned char *buf = malloc(n + 1);
    size_t out = 0;
    bool ok = buf && sodium_base642bin(buf, n + 1, s, n, NULL, &out, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
    free(buf);
    return ok;
}

/* Every member of a JWK that JWA defines as base64url (key material) passes b64url_decodes. */
static bool jwk_members_ok(json_t *k)
{
    static const char *const b64[] = {"n", "e", "x", "y", "d", "p", "q", "dp", "dq", "qi", "k"};
    for (size_t i = 0; i < sizeof b64 / sizeof b64[0]; i++) {
        json_t *v = json_object_get(k, b64[i]);
        if (v && (!json_is_string(v) ||
                  !b64url_decodes(json_string_value(v), json_string_length(v))))
            return false;
    }
    return true;
}

int pvs_oidc_keys_parse(const char *json, size_t len, struct pvs_oidc_keys *out)
{
    memset(out, 0, sizeof *out);
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *keys = json_object_get(doc, "keys");
    size_t i;
    json_t *k;
    if (!json_is_array(keys)) {
        json_decref(doc);
        return -1;
    }
    json_array_foreach(keys, i, k) {
        const char *use = json_string_value(json_object_get(k, "use"));
        const char *kid = json_string_value(json_object_get(k, "kid"));
        if (out->n >= 16 || !json_is_object(k) || (use && strcmp(use, "sig") != 0) ||
            (kid && strlen(kid) >= sizeof out->kid[0]) || !jwk_members_ok(k))
            continue;
        char *s = json_dumps(k, JSON_COMPACT);
        cjose_err err;
        cjose_jwk_t *jwk = s ? cjose_jwk_import(s, strlen(s), &err) : NULL;
        free(s);
        if (!jwk)
            continue;
        out->jwk[out->n] = jwk;
        snprintf(out->kid[out->n], sizeof out->kid[0], "%s", kid ? kid : "");
        out->n++;
    }
    json_decref(doc);
    return 0;
}

/* A base64url segment of the token decoded as a JSON object (NULL when it is not). */
static json_t *segment_json(const char *seg, size_t len)
{
    static const size_t cap = PVS_OIDC_MAX_TOKEN;
    unsigned char *buf = malloc(cap);
    size_t n = 0;
    json_t *o = NULL;
    if (buf && sodium_base642bin(buf, cap, seg, len, NULL, &n, NULL,
                                 sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
        o = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
    free(buf);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* Only asymmetric signatures from the provider's published keys; the key type must fit. */
static int kty_for(const char *alg)
{
    static const char *const rsa[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"};
    for (size_t i = 0; i < sizeof rsa / sizeof rsa[0]; i++)
        if (strcmp(alg, rsa[i]) == 0)
            return CJOSE_JWK_KTY_RSA;
    if (strcmp(alg, "ES256") == 0 || strcmp(alg, "ES384") == 0 || strcmp(alg, "ES512") == 0)
        return CJOSE_JWK_KTY_EC;
    return -1;
}

/* Each of the three segments is base64url that decodes (cjose asserts on other text). */
static bool segments_ok(const char *jwt, size_t len)
{
    bool ok = true;
    for (const char *p = jwt; ok && p <= jwt + len;) {
        size_t n = strcspn(p, ".");
        ok = b64url_decodes(p, n);
        p += n + 1;
    }
    return ok;
}

/* Header: alg allowed, the key by kid; then the signature with cjose. */
static enum pvs_oidc_rc check_signature(const struct pvs_oidc_keys *keys, const char *jwt)
{
    size_t len = strnlen(jwt, PVS_OIDC_MAX_TOKEN + 1);
    const char *d1 = strchr(jwt, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (len > PVS_OIDC_MAX_TOKEN || !d1 || !d2 || strchr(d2 + 1, '.') || !segments_ok(jwt, len))
        return PVS_OIDC_MALFORMED;
    json_t *h = segment_json(jwt, (size_t)(d1 - jwt));
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *kid = json_string_value(json_object_get(h, "kid"));
    enum pvs_oidc_rc rc = !h || !alg ? PVS_OIDC_MALFORMED
                          : kty_for(alg) < 0 || d2[1] == '\0' ? PVS_OIDC_UNSIGNED
                                                              : PVS_OIDC_UNKNOWN_KEY;
    const cjose_jwk_t *key = NULL;
    for (int i = 0; rc == PVS_OIDC_UNKNOWN_KEY && i < keys->n && !key; i++)
        if ((kid && strcmp(keys->kid[i], kid) == 0) || (!kid && keys->n == 1))
            key = keys->jwk[i];
    cjose_err err;
    if (key && (int)cjose_jwk_get_kty(key, &err) != kty_for(alg))
        rc = PVS_OIDC_BAD_SIGNATURE; /* an RSA algorithm named with an EC key, or the reverse */
    else if (key) {
        cjose_jws_t *jws = cjose_jws_import(jwt, len, &err);
        rc = !jws ? PVS_OIDC_MALFORMED
                  : cjose_jws_verify(jws, key, &err) ? PVS_OIDC_OK : PVS_OIDC_BAD_SIGNATURE;
        cjose_jws_release(jws);
    }
    json_decref(h);
    return rc;
}

static bool aud_ok(const struct pvs_oidc_cfg *cfg, const json_t *claims)
{
    const json_t *aud = json_object_get(claims, "aud");
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), cfg->client_id) == 0 &&
               (!azp || strcmp(azp, cfg->client_id) == 0);
    if (!json_is_array(aud))
        return false;
    bool found = false;
    size_t i;
    json_t *v;
    json_array_foreach(aud, i, v) found |= json_is_string(v) && strcmp(json_string_value(v), cfg->client_id) == 0;
    /* several audiences: the token must name us as the party it was issued to */
    return found && (json_array_size(aud) == 1 || (azp && strcmp(azp, cfg->client_id) == 0));
}

static enum pvs_oidc_rc check_times(const struct pvs_oidc_cfg *cfg, const json_t *claims, int64_t now)
{
    const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat"),
                 *nbf = json_object_get(claims, "nbf");
    int64_t skew = cfg->skew_s;
    if (!json_is_integer(exp) || (iat && !json_is_integer(iat)) || (nbf && !json_is_integer(nbf)))
        return PVS_OIDC_MALFORMED;
    if (now >= json_integer_value(exp) + skew || (iat && json_integer_value(iat) > now + skew) ||
        (nbf && json_integer_value(nbf) > now + skew))
        return PVS_OIDC_EXPIRED;
    return PVS_OIDC_OK;
}

static bool has_value(const json_t *claim, const char *value)
{
    if (json_is_string(claim))
        return strcmp(json_string_value(claim), value) == 0;
    size_t i;
    json_t *v;
    json_array_foreach(claim, i, v) if (json_is_string(v) && strcmp(json_string_value(v), value) == 0) return true;
    return false;
}

/* The first mapping (in configuration order) whose value the person's claim holds. */
static enum pvs_oidc_rc map_role(const struct pvs_oidc_cfg *cfg, const json_t *claims,
                                 struct pvs_oidc_claims *out)
{
    const json_t *claim = json_object_get(claims, cfg->claim);
    for (int i = 0; i < cfg->nmaps; i++)
        if (has_value(claim, cfg->maps[i].value)) {
            out->role = cfg->maps[i].role;
            out->provider_id = cfg->maps[i].provider_id;
            return PVS_OIDC_OK;
        }
    return PVS_OIDC_NO_ROLE;
}

static void person(const json_t *claims, struct pvs_oidc_claims *out)
{
    const char *u = json_string_value(json_object_get(claims, "preferred_username"));
    const char *n = json_string_value(json_object_get(claims, "name"));
    bool plain = u && *u && strlen(u) < sizeof out->username;
    for (const char *p = u; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("._@-", *p);
    if (plain)
        snprintf(out->username, sizeof out->username, "%s", u);
    if (n && strlen(n) < sizeof out->display)
        snprintf(out->display, sizeof out->display, "%s", n);
}

static enum pvs_oidc_rc check_claims(const struct pvs_oidc_cfg *cfg, const json_t *c,
                                     const char *nonce, int64_t now, struct pvs_oidc_claims *out)
{
    const char *iss = json_string_value(json_object_get(c, "iss"));
    const char *sub = json_string_value(json_object_get(c, "sub"));
    const char *got = json_string_value(json_object_get(c, "nonce"));
    if (!iss || !sub || !*sub || strlen(sub) >= sizeof out->sub)
        return PVS_OIDC_MALFORMED;
    if (strcmp(iss, cfg->issuer) != 0)
        return PVS_OIDC_WRONG_ISSUER;
    if (!aud_ok(cfg, c))
        return PVS_OIDC_WRONG_AUDIENCE;
    enum pvs_oidc_rc rc = check_times(cfg, c, now);
    if (rc != PVS_OIDC_OK)
        return rc;
    if (!got || strlen(got) != strlen(nonce) || sodium_memcmp(got, nonce, strlen(nonce)) != 0)
        return PVS_OIDC_WRONG_NONCE;
    snprintf(out->sub, sizeof out->sub, "%s", sub);
    person(c, out);
    return map_role(cfg, c, out);
}

enum pvs_oidc_rc pvs_oidc_check(const struct pvs_oidc_cfg *cfg, const struct pvs_oidc_keys *keys,
                                const char *jwt, const char *nonce, int64_t now,
                                struct pvs_oidc_claims *out)
{
    memset(out, 0, sizeof *out);
    enum pvs_oidc_rc rc = check_signature(keys, jwt);
    if (rc != PVS_OIDC_OK)
        return rc;
    const char *d1 = strchr(jwt, '.'), *d2 = strchr(d1 + 1, '.');
    json_t *claims = segment_json(d1 + 1, (size_t)(d2 - d1 - 1));
    rc = claims ? check_claims(cfg, claims, nonce, now, out) : PVS_OIDC_MALFORMED;
    json_decref(claims);
    return rc;
}
