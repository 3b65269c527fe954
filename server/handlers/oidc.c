/* Single sign-on routes: send the person to the city's OpenID provider (authorization code
 * with PKCE, state and nonce, bound to this browser by a cookie), and take them back: the
 * code exchanged, the ID token checked (authz/oidc_verify.c), the group mapped to a role, a
 * full session. Refusals send the browser to the login page, which says what went wrong.
 * The transactions and the audit entry: services/oidc.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "auth_handlers.h"
#include "pvs/audit.h"
#include "pvs/clock.h"
#include "pvs/core.h"
#include "../services/oidc.h"

#define OIDC_COOKIE "__Host-pv_oidc"

static const struct pvs_oidc_cfg *cfg_of(struct pvs_req *r)
{
    return &r->srv->cfg.oidc;
}

void pvs_h_oidc_info(struct pvs_req *r)
{
    bool on = pvs_oidc_enabled(cfg_of(r));
    pvs_reply_json(r, 200, json_pack("{s:b, s:s?}", "enabled", on, "name", on ? cfg_of(r)->name : NULL));
}

/* RFC 3986 unreserved characters stay, everything else %XX. */
static bool pct(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr("-._~", c);
        if (o + 4 >= cap)
            return false;
        o += (size_t)snprintf(out + o, cap - o, keep ? "%c" : "%%%02X", c);
    }
    out[o] = '\0';
    return true;
}

static void redirect(struct pvs_req *r, const char *location)
{
    pvs_reply_header(r, "Location", location);
    pvs_reply_header(r, "Cache-Control", "no-store");
    pvs_reply_raw(r, 302, "text/plain; charset=utf-8", "", 0);
}

/* 32 random bytes as base64url (43 characters): state, nonce and the PKCE verifier. */
static void random_b64(char out[48])
{
    uint8_t b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2base64(out, 48, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool authorize_location(struct pvs_req *r, const char *state, const struct pvs_oidc_pending *p,
                               char *loc, size_t cap)
{
    char ep[512], cid[384], ru[768], sc[384], challenge[48];
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)p->verifier, strlen(p->verifier));
    sodium_bin2base64(challenge, sizeof challenge, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (pvs_oidc_authorize_url(cfg_of(r), ep, sizeof ep) != 0 ||
        !pct(cid, sizeof cid, cfg_of(r)->client_id) || !pct(ru, sizeof ru, cfg_of(r)->redirect_uri) ||
        !pct(sc, sizeof sc, cfg_of(r)->scopes))
        return false;
    int n = snprintf(loc, cap,
                     "%s%cresponse_type=code&client_id=%s&redirect_uri=%s&scope=%s&state=%s&nonce=%s"
                     "&code_challenge=%s&code_challenge_method=S256",
                     ep, strchr(ep, '?') ? '&' : '?', cid, ru, sc, state, p->nonce, challenge);
    return n > 0 && (size_t)n < cap;
}

void pvs_h_oidc_start(struct pvs_req *r)
{
    if (!pvs_oidc_enabled(cfg_of(r))) {
        pvs_problem(r, 404, "sso-not-configured", "Single sign-on is not set up",
                    "This server has no OpenID provider configured (oidc-issuer, oidc-client-id, oidc-redirect-uri, oidc-map).");
        return;
    }
    struct pvs_oidc_pending p;
    char state[48], binding[65], cookie[200], loc[4096];
    uint8_t raw[32], sh[32];
    random_b64(state);
    random_b64(p.nonce);
    random_b64(p.verifier);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(binding, sizeof binding, raw, sizeof raw);
    pvs_token_hash(binding, p.binding_hash);
    pvs_token_hash(state, sh);
    if (!authorize_location(r, state, &p, loc, sizeof loc)) {
        pvs_problem(r, 502, "sso-provider", "The sign-in service does not answer",
                    "The city's sign-in service could not be reached; try again in a while.");
        return;
    }
    int rc = pvs_oidc_begin(r->db, sh, &p, pvs_wall_now());
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "sign-in");
        return;
    }
    /* Lax: the provider sends the browser back with a cross-site navigation */
    snprintf(cookie, sizeof cookie, OIDC_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=%d",
             binding, PVS_OIDC_STATE_TTL_S);
    pvs_reply_header(r, "Set-Cookie", cookie);
    redirect(r, loc);
    sodium_memzero(&p, sizeof p);
    sodium_memzero(binding, sizeof binding);
    sodium_memzero(cookie, sizeof cookie);
}

/* Back to the login page, which words `type` for the person (problem.<type> in the i18n). */
static void fail(struct pvs_req *r, const char *type)
{
    char loc[128];
    pvs_reply_clear_headers(r);
    pvs_reply_header(r, "Set-Cookie", OIDC_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    snprintf(loc, sizeof loc, "/?sso=%s#/login", type);
    redirect(r, loc);
}

/* The pending sign-in named by `state`, taken once, and only by the browser that started it. */
static bool take_state(struct pvs_req *r, const char *state, struct pvs_oidc_pending *p)
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, OIDC_COOKIE);
    uint8_t sh[32], bh[32];
    pvs_token_hash(state, sh);
    int rc = pvs_oidc_take(r->db, sh, pvs_wall_now(), p);
    bool same = rc == PVS_DB_OK && cookie && strlen(cookie) == 64;
    if (same) {
        pvs_token_hash(cookie, bh);
        same = sodium_memcmp(bh, p->binding_hash, 32) == 0;
    }
    return same;
}

/* The person's user (created at the first sign-in), a full session, back to the start page. */
static void sign_in(struct pvs_req *r, const struct pvs_oidc_claims *c)
{
    json_t *d = json_pack("{s:s, s:s}", "issuer", cfg_of(r)->issuer, "role", pvs_role_name(c->role));
    struct pvs_oidc_signin q = {cfg_of(r)->issuer, c, pvs_wall_now(),
                                {0, "single sign-on", "system", r->client_addr, r->request_id},
                                pvs_audit_details(d)};
    json_decref(d);
    bool disabled = false;
    int rc = q.details ? pvs_oidc_sign_in(r->db, &q, &(struct pvs_session_opener){pvs_h_session_open, r},
                                          &disabled)
                       : PVS_DB_ERROR;
    free((char *)q.details);
    if (rc != PVS_DB_OK || disabled) {
        fail(r, disabled ? "sso-disabled" : "sso-provider");
        return;
    }
    pvs_reply_header(r, "Set-Cookie", OIDC_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    redirect(r, "/#/");
}

void pvs_h_oidc_callback(struct pvs_req *r)
{
    const char *code = pvs_req_query(r, "code"), *state = pvs_req_query(r, "state");
    struct pvs_oidc_pending p;
    struct pvs_oidc_claims c;
    char type[48];
    if (!pvs_oidc_enabled(cfg_of(r)) || pvs_req_query(r, "error") || !code || !state ||
        strlen(code) > 1024 || strlen(state) > 128) {
        fail(r, "sso-refused");
        return;
    }
    if (!take_state(r, state, &p)) {
        fail(r, "sso-state");
        return;
    }
    char *jwt = NULL;
    enum pvs_oidc_rc rc = pvs_oidc_redeem(cfg_of(r), code, p.verifier, &jwt);
    if (rc == PVS_OIDC_OK)
        rc = pvs_oidc_verify(cfg_of(r), jwt, p.nonce, pvs_wall_now(), &c);
    free(jwt);
    sodium_memzero(&p, sizeof p);
    if (rc != PVS_OIDC_OK) {
        snprintf(type, sizeof type, "sso-%s", pvs_oidc_rc_name(rc));
        fail(r, type);
        return;
    }
    if (r->srv->cfg.webauthn.required_roles & (1u << c.role)) {
        fail(r, "hardware-key-required"); /* such a role signs in with its security key */
        return;
    }
    sign_in(r, &c);
}
