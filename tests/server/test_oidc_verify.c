/* The ID-token check of single sign-on (server/authz/oidc_verify.c) against tokens signed here
 * with cjose: accepted with RS256 and ES256, the group mapping, and a refusal for each way a
 * token can be wrong (alg none, HS256 with a shared key, a key type that does not fit the
 * algorithm, unknown kid, altered claims, issuer, audience and azp, expired beyond the skew,
 * issued in the future, nonce, malformed text), plus the config rules. No network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <sodium.h>

#include "pvs/http.h"
#include "pvs/oidc.h"
#include "pvt.h"

#define ISS "https://login.stad.test"
#define NOW 1800000000LL

static struct pvs_oidc_cfg cfg;

/* A compact JWS of `claims` signed by `k` with `alg` and `kid` (kid may be NULL). */
static char *sign(cjose_jwk_t *k, const char *alg, const char *kid, const char *claims)
{
    cjose_err err;
    cjose_header_t *h = cjose_header_new(&err);
    cjose_header_set(h, CJOSE_HDR_ALG, alg, &err);
    if (kid)
        cjose_header_set(h, CJOSE_HDR_KID, kid, &err);
    cjose_jws_t *jws = cjose_jws_sign(k, h, (const uint8_t *)claims, strlen(claims), &err);
    const char *ser = NULL;
    char *out = jws && cjose_jws_export(jws, &ser, &err) ? strdup(ser) : NULL;
    cjose_jws_release(jws);
    cjose_header_release(h);
    return out;
}

static char *claims(const char *iss, const char *aud, long long exp, long long iat, const char *nonce,
                    const char *groups)
{
    char *s = malloc(1024);
    snprintf(s, 1024,
             "{\"iss\":\"%s\",\"sub\":\"emp-4711\",\"aud\":%s,\"exp\":%lld,\"iat\":%lld,\"nonce\":\"%s\","
             "\"preferred_username\":\"alice\",\"name\":\"Alice Andersson\",\"groups\":%s}",
             iss, aud, exp, iat, nonce, groups);
    return s;
}

static enum pvs_oidc_rc check(const struct pvs_oidc_keys *ks, cjose_jwk_t *k, const char *alg,
                              const char *kid, const char *body, struct pvs_oidc_claims *out)
{
    char *jwt = sign(k, alg, kid, body);
    enum pvs_oidc_rc rc = jwt ? pvs_oidc_check(&cfg, ks, jwt, "n-123", NOW, out) : PVS_OIDC_MALFORMED;
    free(jwt);
    return rc;
}

static int keyset(struct pvs_oidc_keys *ks, cjose_jwk_t *rsa, cjose_jwk_t *ec)
{
    cjose_err err;
    char *a = cjose_jwk_to_json(rsa, false, &err), *b = cjose_jwk_to_json(ec, false, &err);
    char doc[8192];
    /* the published keys carry their kid; an HMAC key is never published */
    snprintf(doc, sizeof doc, "{\"keys\":[%.*s,\"kid\":\"r1\",\"use\":\"sig\"},%.*s,\"kid\":\"e1\"},{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"x\"}]}",
             (int)strlen(a) - 1, a, (int)strlen(b) - 1, b);
    free(a);
    free(b);
    return pvs_oidc_keys_parse(doc, strlen(doc), ks);
}

static void test_tokens(struct pvs_oidc_keys *ks, cjose_jwk_t *rsa, cjose_jwk_t *ec, cjose_jwk_t *oct)
{
    struct pvs_oidc_claims c;
    const char *aud = "\"portvakt\"", *grp = "[\"stockholm-all\",\"pv-central\"]";
    char *ok = claims(ISS, aud, NOW + 300, NOW, "n-123", grp);
    CHECK(check(ks, rsa, "RS256", "r1", ok, &c) == PVS_OIDC_OK, "RS256 token accepted");
    CHECK(c.role == PVS_ROLE_CENTRAL_ADMIN && strcmp(c.sub, "emp-4711") == 0 && strcmp(c.username, "alice") == 0,
          "claims read and group mapped");
    CHECK(check(ks, ec, "ES256", "e1", ok, &c) == PVS_OIDC_OK, "ES256 token accepted");
    CHECK(check(ks, rsa, "PS256", "r1", ok, &c) == PVS_OIDC_OK, "PS256 token accepted");
    CHECK(check(ks, oct, "HS256", "r1", ok, &c) == PVS_OIDC_UNSIGNED, "HS256 refused (a shared key is no provider signature)");
    CHECK(check(ks, ec, "ES256", "r1", ok, &c) == PVS_OIDC_BAD_SIGNATURE, "ES256 named with the RSA key's kid refused");
    CHECK(check(ks, rsa, "RS256", "nope", ok, &c) == PVS_OIDC_UNKNOWN_KEY, "unknown kid refused");
    CHECK(check(ks, rsa, "RS256", "x", ok, &c) == PVS_OIDC_UNKNOWN_KEY, "an encryption key is not a signing key");
    char none[2048];
    char h64[64], p64[1600];
    sodium_bin2base64(h64, sizeof h64, (const uint8_t *)"{\"alg\":\"none\"}", 14, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_bin2base64(p64, sizeof p64, (const uint8_t *)ok, strlen(ok), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(none, sizeof none, "%s.%s.", h64, p64);
    CHECK(pvs_oidc_check(&cfg, ks, none, "n-123", NOW, &c) == PVS_OIDC_UNSIGNED, "alg none refused");
    char *jwt = sign(rsa, "RS256", "r1", ok), *d1 = strchr(jwt, '.');
    d1[5] = d1[5] == 'A' ? 'B' : 'A'; /* the claims altered after signing */
    CHECK(pvs_oidc_check(&cfg, ks, jwt, "n-123", NOW, &c) != PVS_OIDC_OK, "altered claims refused");
    free(jwt);
    free(ok);
    struct {
        const char *iss, *aud, *nonce, *groups;
        long long exp, iat;
        enum pvs_oidc_rc want;
        const char *what;
    } t[] = {
        {"https://evil.test", aud, "n-123", grp, NOW + 300, NOW, PVS_OIDC_WRONG_ISSUER, "other issuer"},
        {ISS, "\"other-app\"", "n-123", grp, NOW + 300, NOW, PVS_OIDC_WRONG_AUDIENCE, "other audience"},
        {ISS, "[\"portvakt\",\"other-app\"]", "n-123", grp, NOW + 300, NOW, PVS_OIDC_WRONG_AUDIENCE, "two audiences without azp"},
        {ISS, "[\"portvakt\"]", "n-123", grp, NOW + 300, NOW, PVS_OIDC_OK, "audience array with us alone"},
        {ISS, aud, "n-123", grp, NOW - 61, NOW - 3600, PVS_OIDC_EXPIRED, "expired beyond the 60 s skew"},
        {ISS, aud, "n-123", grp, NOW - 30, NOW - 3600, PVS_OIDC_OK, "expired within the skew"},
        {ISS, aud, "n-123", grp, NOW + 3600, NOW + 600, PVS_OIDC_EXPIRED, "issued in the future"},
        {ISS, aud, "n-999", grp, NOW + 300, NOW, PVS_OIDC_WRONG_NONCE, "other nonce"},
        {ISS, aud, "n-123", "[\"stockholm-all\"]", NOW + 300, NOW, PVS_OIDC_NO_ROLE, "no mapped group"},
        {ISS, aud, "n-123", "\"pv-audit\"", NOW + 300, NOW, PVS_OIDC_OK, "group claim as one string"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *b = claims(t[i].iss, t[i].aud, t[i].exp, t[i].iat, t[i].nonce, t[i].groups);
        enum pvs_oidc_rc rc = check(ks, rsa, "RS256", "r1", b, &c);
        CHECK(rc == t[i].want, "%s: got %s", t[i].what, pvs_oidc_rc_name(rc));
        free(b);
    }
    CHECK(c.role == PVS_ROLE_AUDITOR, "pv-audit maps to auditor");
    const char *junk[] = {"", "a.b", "a.b.c.d", "e30.e30.", "!!!.e30.AAAA", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        CHECK(pvs_oidc_check(&cfg, ks, junk[i], "n-123", NOW, &c) != PVS_OIDC_OK, "junk %zu refused", i);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    pvs_oidc_cfg_defaults(&cfg);
    CHECK(pvs_oidc_cfg_set(&cfg, "issuer", ISS) == 0 && pvs_oidc_cfg_set(&cfg, "client-id", "portvakt") == 0 &&
              pvs_oidc_cfg_set(&cfg, "redirect-uri", "https://portvakt.test/api/v1/auth/oidc/callback") == 0,
          "config");
    CHECK(pvs_oidc_cfg_set(&cfg, "map", "pv-central=central_admin; pv-audit=auditor; pv-plan=planner@3") == 0 &&
              cfg.nmaps == 3 && cfg.maps[2].provider_id == 3, "map parsed");
    CHECK(pvs_oidc_cfg_set(&cfg, "map", "pv-plan=planner") == -1, "a provider role without provider refused");
    CHECK(pvs_oidc_cfg_set(&cfg, "map", "x=central_admin@2") == -1, "a central role with a provider refused");
    CHECK(pvs_oidc_cfg_set(&cfg, "map", "x=janitor") == -1, "unknown role refused");
    CHECK(pvs_oidc_cfg_set(&cfg, "issuer", "http://login.stad.test") == -1, "plain http issuer off loopback refused");
    CHECK(pvs_oidc_cfg_set(&cfg, "clock-skew", "301") == -1, "skew above 300 s refused");
    CHECK(pvs_oidc_cfg_set(&cfg, "map", "pv-central=central_admin; pv-audit=auditor") == 0, "map again");
    CHECK(pvs_oidc_enabled(&cfg), "enabled");
    cjose_err err;
    static const uint8_t e[] = {1, 0, 1};
    cjose_jwk_t *rsa = cjose_jwk_create_RSA_random(2048, e, sizeof e, &err);
    cjose_jwk_t *ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    cjose_jwk_t *oct = cjose_jwk_create_oct_random(32, &err);
    struct pvs_oidc_keys ks;
    CHECK(rsa && ec && oct && keyset(&ks, rsa, ec) == 0 && ks.n == 2, "JWKS parsed (the encryption key skipped)");
    test_tokens(&ks, rsa, ec, oct);
    pvs_oidc_keys_free(&ks);
    cjose_jwk_release(rsa);
    cjose_jwk_release(ec);
    cjose_jwk_release(oct);
    printf("test_oidc_verify: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
