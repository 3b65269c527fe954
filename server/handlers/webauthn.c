/* WebAuthn routes: a hardware key as second factor or as passwordless sign-in, the signed-in
 * user's own keys, and a central administrator's recovery (audited). The checks themselves
 * are in authz/webauthn_verify.c (libfido2), the rows in authz/webauthn_store.c, the
 * transactions and audit entries in services/webauthn.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "auth_handlers.h"
#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/clock.h"
#include "pvs/core.h"
#include "../services/webauthn.h"

#define WA_COOKIE "__Host-pv_wa"
#define NAME_MAX_LEN 64

static const struct pvs_webauthn_cfg *cfg_of(struct pvs_req *r)
{
    return &r->srv->cfg.webauthn;
}

/* Refuse (and answer) when the server has no relying party configured. */
static bool configured(struct pvs_req *r)
{
    if (cfg_of(r)->rp_id[0] && cfg_of(r)->norigins > 0)
        return true;
    pvs_problem(r, 409, "webauthn-not-configured", "Security keys are not set up",
                "This server has no WebAuthn relying party configured (webauthn-rp-id, webauthn-origin).");
    return false;
}

bool pvs_wa_key_required(const struct pvs_req *r)
{
    return (cfg_of((struct pvs_req *)r)->required_roles & (1u << r->who.role)) != 0;
}

bool pvs_wa_totp_refused(struct pvs_req *r)
{
    if (!pvs_wa_key_required(r))
        return false;
    pvs_problem(r, 403, "hardware-key-required", "Security key required",
                "Your role signs in with a security key, not with an authenticator code.");
    return true;
}

bool pvs_wa_user_has_key(pvs_db *db, int64_t user_id)
{
    int64_t n = 0;
    return pvs_wa_cred_count(db, user_id, &n) == PVS_DB_OK && n > 0;
}

/* New ceremony: a cookie naming it, the challenge stored under the cookie's hash. */
static int begin_ceremony(struct pvs_req *r, struct pvs_wa_challenge *c)
{
    uint8_t raw[32], h[32];
    char token[65], cookie[160];
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(c->challenge, sizeof c->challenge);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    pvs_token_hash(token, h);
    int rc = pvs_wa_ceremony_start(r->db, h, c, pvs_wall_now());
    if (rc == PVS_DB_OK) {
        snprintf(cookie, sizeof cookie, WA_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=%d",
                 token, PVS_WA_CHALLENGE_TTL_S);
        pvs_reply_header(r, "Set-Cookie", cookie);
    }
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(token, sizeof token);
    sodium_memzero(cookie, sizeof cookie);
    return rc;
}

/* The ceremony this browser answers: its cookie's hash (into h) and who asks. */
static struct pvs_wa_ceremony ceremony_of(struct pvs_req *r, const char *purpose, uint8_t h[32])
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, WA_COOKIE);
    bool has = cookie && strlen(cookie) == 64;
    if (has)
        pvs_token_hash(cookie, h);
    return (struct pvs_wa_ceremony){cfg_of(r), has ? h : NULL, purpose,
                                    r->who.kind != PVS_AUTHN_NONE, r->who.session_hash,
                                    pvs_wall_now()};
}

/* The answers every ceremony shares: no transaction, a challenge not this browser's (the
 * cookie cleared either way once the challenge was looked at). True when the caller answers. */
static bool ceremony_ended(struct pvs_req *r, const struct pvs_wa_result *res)
{
    if (res->stage == PVS_WA_NOT_BEGUN) {
        pvs_problem_db(r, res->rc, "challenge");
        return true;
    }
    pvs_reply_header(r, "Set-Cookie", WA_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    if (res->stage != PVS_WA_BAD_CHALLENGE)
        return false;
    if (res->rc < 0 && res->rc != PVS_DB_NOTFOUND)
        pvs_problem_db(r, res->rc, "challenge");
    else
        pvs_problem(r, 401, "webauthn-challenge", "Start again",
                    "The security-key request was already used, has expired or belongs to another sign-in; start again.");
    return true;
}

static json_t *rp_json(struct pvs_req *r)
{
    return json_pack("{s:s, s:s}", "id", cfg_of(r)->rp_id, "name", cfg_of(r)->rp_name);
}

static json_t *challenge_json(const struct pvs_wa_challenge *c)
{
    char b64[64];
    pvs_b64url_encode(c->challenge, sizeof c->challenge, b64, sizeof b64);
    return json_string(b64);
}

/* PublicKeyCredentialCreationOptions for user `uid` (its existing keys excluded). */
static void reply_register_options(struct pvs_req *r, int64_t uid, const char *purpose)
{
    struct pvs_wa_challenge c = {.user_id = uid, .has_session = true};
    snprintf(c.purpose, sizeof c.purpose, "%s", purpose);
    memcpy(c.session_hash, r->who.session_hash, 32);
    json_t *exclude = NULL;
    int rc = pvs_wa_cred_ids(r->db, uid, &exclude);
    if (rc == PVS_DB_OK)
        rc = begin_ceremony(r, &c);
    if (rc != PVS_DB_OK) {
        json_decref(exclude);
        pvs_problem_db(r, rc, "challenge");
        return;
    }
    uint8_t handle[8];
    char handle64[16];
    for (int i = 0; i < 8; i++)
        handle[i] = (uint8_t)((uint64_t)uid >> (56 - 8 * i));
    pvs_b64url_encode(handle, sizeof handle, handle64, sizeof handle64);
    json_t *pk = json_pack(
        "{s:o, s:o, s:{s:s, s:s, s:s}, s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}], s:i, s:s, s:o,"
        " s:{s:s, s:s}}",
        "challenge", challenge_json(&c), "rp", rp_json(r), "user", "id", handle64, "name",
        r->who.username, "displayName", r->who.username, "pubKeyCredParams", "type",
        "public-key", "alg", -7, "type", "public-key", "alg", -8, "type", "public-key", "alg",
        -257, "timeout", PVS_WA_CHALLENGE_TTL_S * 1000, "attestation",
        cfg_of(r)->naaguids ? "direct" : "none", "excludeCredentials", exclude,
        "authenticatorSelection", "residentKey", "preferred", "userVerification", "preferred");
    pvs_reply_json(r, 200, json_pack("{s:o}", "publicKey", pk));
}

/* PublicKeyCredentialRequestOptions: the user's keys, or none for a passwordless sign-in. */
static void reply_login_options(struct pvs_req *r, int64_t uid, const char *purpose)
{
    struct pvs_wa_challenge c = {.user_id = uid, .has_session = uid != 0};
    snprintf(c.purpose, sizeof c.purpose, "%s", purpose);
    if (uid)
        memcpy(c.session_hash, r->who.session_hash, 32);
    json_t *allow = NULL;
    int rc = uid ? pvs_wa_cred_ids(r->db, uid, &allow) : ((allow = json_array()), PVS_DB_OK);
    if (rc == PVS_DB_OK && uid && json_array_size(allow) == 0) {
        json_decref(allow);
        pvs_problem(r, 409, "no-security-key", "No security key",
                    "You have no security key registered; use your authenticator code.");
        return;
    }
    if (rc == PVS_DB_OK)
        rc = begin_ceremony(r, &c);
    if (rc != PVS_DB_OK) {
        json_decref(allow);
        pvs_problem_db(r, rc, "challenge");
        return;
    }
    json_t *pk = json_pack("{s:o, s:s, s:i, s:s, s:o}", "challenge", challenge_json(&c), "rpId",
                           cfg_of(r)->rp_id, "timeout", PVS_WA_CHALLENGE_TTL_S * 1000,
                           "userVerification", uid ? "preferred" : "required", "allowCredentials",
                           allow);
    pvs_reply_json(r, 200, json_pack("{s:o}", "publicKey", pk));
}

/* One answer per refusal; the UI words each type in Swedish or English. */
static void refuse(struct pvs_req *r, enum pvs_wa_rc rc)
{
    static const struct {
        int status;
        const char *type, *title, *detail;
    } t[] = {
        [PVS_WA_MALFORMED] = {400, "webauthn-malformed", "Not a security-key answer",
                              "The browser's answer could not be read; try again."},
        [PVS_WA_WRONG_TYPE] = {401, "webauthn-challenge", "Start again", "The answer is for another step; start again."},
        [PVS_WA_WRONG_CHALLENGE] = {401, "webauthn-challenge", "Start again",
                                    "The answer is for an older request; start again."},
        [PVS_WA_WRONG_ORIGIN] = {401, "webauthn-wrong-origin", "Wrong web address",
                                 "The key answered a page at another web address than this server's; open the server's own address."},
        [PVS_WA_WRONG_RP] = {401, "webauthn-wrong-rp", "Key made for another site",
                             "The key signed for another site than this server; use a key registered here."},
        [PVS_WA_NO_PRESENCE] = {401, "webauthn-no-presence", "Touch the key",
                                "The key was not touched (or its PIN not given); try again and touch the key."},
        [PVS_WA_BAD_SIGNATURE] = {401, "webauthn-bad-signature", "Signature does not match",
                                  "The key's signature does not match the key registered here."},
        [PVS_WA_ATTESTATION] = {403, "webauthn-attestation-refused", "Key model not accepted",
                                "This model of security key is not accepted here; ask the central administration which keys are."},
        [PVS_WA_COUNTER] = {401, "webauthn-cloned", "Key may be copied",
                            "The key's counter went backwards, so it may have been copied; it is refused. Contact the central administration."},
        [PVS_WA_UNSUPPORTED] = {400, "webauthn-unsupported", "Key not supported",
                                "The key uses an algorithm or attestation this server cannot check."},
    };
    if ((unsigned)rc >= sizeof t / sizeof t[0] || !t[rc].type)
        rc = PVS_WA_MALFORMED;
    pvs_problem(r, t[rc].status, t[rc].type, t[rc].title, "%s", t[rc].detail);
}

/* A base64url body member decoded into buf; false (400 sent) when it is not. */
static bool b64_member(struct pvs_req *r, const json_t *body, const char *name, uint8_t *buf,
                       size_t cap, size_t *len)
{
    int n = pvs_b64url_decode(pvs_jstr(body, name, ""), buf, cap);
    if (n <= 0) {
        pvs_problem(r, 400, "webauthn-malformed", "Not a security-key answer",
                    "%s must be base64url (without padding), at most %zu bytes.", name, cap);
        return false;
    }
    *len = (size_t)n;
    return true;
}

int pvs_h_session_open(void *req, int64_t uid)
{
    return pvs_session_create(req, uid, PVS_STAGE_FULL);
}

/* The hash of the session cookie the browser presented (ended by the sign-in), or NULL. */
static const uint8_t *presented_session(struct pvs_req *r, uint8_t h[32])
{
    const char *old = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, PVS_SESSION_COOKIE);
    if (!old || strlen(old) > 128)
        return NULL;
    pvs_token_hash(old, h);
    return h;
}

/* The answer to a finished sign-in (rc: the sign-in's code): {user, csrf_token}. */
static void signed_in(struct pvs_req *r, int rc, int64_t uid)
{
    if (rc != PVS_DB_OK) {
        pvs_reply_clear_headers(r);
        pvs_problem_db(r, rc, "session");
        return;
    }
    json_t *user = pvs_user_json(r->db, uid);
    pvs_reply_json(r, 200, json_pack("{s:o, s:s}", "user", user ? user : json_null(), "csrf_token",
                                     r->who.csrf));
}

/* The members of a get() answer, decoded. */
struct assertion {
    uint8_t cred_id[PVS_WA_MAX_CRED_ID], cdj[PVS_WA_MAX_CLIENT_DATA], ad[1024], sig[512];
    size_t cred_id_len, cdj_len, ad_len, sig_len;
};

static bool read_assertion(struct pvs_req *r, struct assertion *a)
{
    static const struct pvs_jfield fields[] = {
        {"credential_id", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 400},
        {"client_data_json", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 6000},
        {"authenticator_data", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 1400},
        {"signature", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 700},
        {"user_handle", PVS_J_STRING, PVS_JF_NULLABLE | PVS_JF_SECRET, 0, 100},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    bool ok = b && b64_member(r, b, "credential_id", a->cred_id, sizeof a->cred_id, &a->cred_id_len) &&
              b64_member(r, b, "client_data_json", a->cdj, sizeof a->cdj, &a->cdj_len) &&
              b64_member(r, b, "authenticator_data", a->ad, sizeof a->ad, &a->ad_len) &&
              b64_member(r, b, "signature", a->sig, sizeof a->sig, &a->sig_len);
    json_decref(b);
    return ok;
}

/* Check the assertion against the stored key; the used challenge stays used whatever happens. */
static void finish_assertion(struct pvs_req *r, const char *purpose)
{
    struct assertion a;
    uint8_t ch[32], sh[32];
    if (!configured(r) || !read_assertion(r, &a))
        return;
    struct pvs_wa_ceremony q = ceremony_of(r, purpose, ch);
    struct pvs_wa_assertion as = {a.cred_id, a.cdj, a.ad, a.sig,
                                  a.cred_id_len, a.cdj_len, a.ad_len, a.sig_len};
    struct pvs_audit_actor clone = {0, "webauthn", "system", r->client_addr, r->request_id};
    struct pvs_wa_result res;
    pvs_wa_assert(r->db, &q, &as, presented_session(r, sh), &clone,
                  &(struct pvs_session_opener){pvs_h_session_open, r}, &res);
    if (ceremony_ended(r, &res))
        return;
    if (res.stage == PVS_WA_DONE) {
        signed_in(r, res.rc, res.user_id);
        return;
    }
    pvs_reply_clear_headers(r);
    if (res.stage == PVS_WA_UNKNOWN_KEY)
        pvs_problem(r, 401, "webauthn-unknown-key", "Key not known",
                    "This security key is not registered for an active account here.");
    else
        refuse(r, res.why);
}

/* The members of a create() answer and the key's name. */
static bool read_registration(struct pvs_req *r, uint8_t *cdj, size_t *cdj_len, uint8_t *att,
                              size_t *att_len, char name[NAME_MAX_LEN + 1])
{
    static const struct pvs_jfield fields[] = {
        {"client_data_json", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 6000},
        {"attestation_object", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 11000},
        {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, NAME_MAX_LEN},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    bool ok = b && b64_member(r, b, "client_data_json", cdj, PVS_WA_MAX_CLIENT_DATA, cdj_len) &&
              b64_member(r, b, "attestation_object", att, PVS_WA_MAX_ATTESTATION, att_len);
    if (ok)
        snprintf(name, NAME_MAX_LEN + 1, "%s", pvs_jstr(b, "name", ""));
    json_decref(b);
    return ok;
}

/* The key's registration through the service, once its members are read. */
static void register_key(struct pvs_req *r, const uint8_t *cd, size_t cd_len, const uint8_t *ao,
                         size_t ao_len, const char *name)
{
    uint8_t ch[32], sh[32];
    struct pvs_wa_ceremony q = ceremony_of(r, "register", ch);
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    json_t *d = json_pack("{s:s}", "name", name);
    char *details = pvs_audit_details(d);
    json_decref(d);
    bool sign_in = r->who.kind == PVS_AUTHN_PREAUTH;
    struct pvs_wa_registration reg = {cd, ao, cd_len, ao_len, name, r->who.user_id,
                                      r->who.provider_id, &who, details, sign_in,
                                      sign_in ? presented_session(r, sh) : NULL};
    struct pvs_wa_result res;
    pvs_wa_register(r->db, &q, &reg, &(struct pvs_session_opener){pvs_h_session_open, r}, &res);
    free(details);
    if (ceremony_ended(r, &res))
        return;
    if (res.stage == PVS_WA_REFUSED) {
        pvs_reply_clear_headers(r);
        refuse(r, res.why);
    } else if (res.rc != PVS_DB_OK && !(sign_in && res.key_id)) {
        pvs_reply_clear_headers(r);
        pvs_problem_db(r, res.rc, "security key");
    } else if (sign_in) {
        signed_in(r, res.rc, res.user_id);
    } else {
        pvs_reply_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)res.key_id, "name", name));
    }
}

/* Register a key from a create() answer; at sign-in (pre-auth) it also finishes the sign-in. */
static void finish_registration(struct pvs_req *r)
{
    uint8_t *cd = malloc(PVS_WA_MAX_CLIENT_DATA), *ao = malloc(PVS_WA_MAX_ATTESTATION);
    size_t cd_len = 0, ao_len = 0;
    char name[NAME_MAX_LEN + 1];
    if (cd && ao && configured(r) && read_registration(r, cd, &cd_len, ao, &ao_len, name))
        register_key(r, cd, cd_len, ao, ao_len, name);
    else if (!r->status)
        pvs_problem(r, 500, "internal", "Internal error", "Out of memory.");
    free(cd);
    free(ao);
}

/* ------------------------------------------------------------------ routes */

void pvs_h_passkey_options(struct pvs_req *r)
{
    if (configured(r))
        reply_login_options(r, 0, "passkey");
}

void pvs_h_passkey(struct pvs_req *r)
{
    finish_assertion(r, "passkey");
}

void pvs_h_wa_login_options(struct pvs_req *r)
{
    if (configured(r))
        reply_login_options(r, r->who.user_id, "login");
}

void pvs_h_wa_login(struct pvs_req *r)
{
    finish_assertion(r, "login");
}

/* The first key at sign-in: only while the user has none, and only where a key is required or
 * the user is at first sign-in (no authenticator yet) — like the first TOTP enrolment. */
void pvs_h_wa_enroll_options(struct pvs_req *r)
{
    int64_t n = 0;
    if (!configured(r))
        return;
    int rc = pvs_wa_cred_count(r->db, r->who.user_id, &n);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "security key");
        return;
    }
    if (n > 0 || (r->who.session_stage != PVS_STAGE_ENROLL && !pvs_wa_key_required(r))) {
        pvs_problem(r, 409, "webauthn-enrol-refused", "Sign in first",
                    n > 0 ? "You already have a security key; sign in with it."
                          : "Sign in with your authenticator code first, then add a key under your account.");
        return;
    }
    reply_register_options(r, r->who.user_id, "register");
}

void pvs_h_wa_enroll(struct pvs_req *r)
{
    finish_registration(r);
}

static bool session_only(struct pvs_req *r)
{
    if (r->who.kind == PVS_AUTHN_SESSION)
        return true;
    pvs_problem(r, 403, "forbidden", "Not for API tokens",
                "Security keys belong to people; sign in as a user.");
    return false;
}

void pvs_h_me_wa_options(struct pvs_req *r)
{
    if (session_only(r) && configured(r))
        reply_register_options(r, r->who.user_id, "register");
}

void pvs_h_me_wa_add(struct pvs_req *r)
{
    if (session_only(r))
        finish_registration(r);
}

static void reply_list(struct pvs_req *r, int64_t uid)
{
    json_t *items = NULL;
    int rc = pvs_wa_cred_list(r->db, uid, &items);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "security key");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void pvs_h_me_wa_list(struct pvs_req *r)
{
    if (session_only(r))
        reply_list(r, r->who.user_id);
}

/* Remove keys (one, or id 0 = all of `uid`) with an audit entry; `kill` ends the user's
 * sessions too (recovery). A user whose role needs a key keeps the last one. */
static void remove_keys(struct pvs_req *r, int64_t uid, int64_t id, const char *action, bool kill)
{
    int64_t removed = 0;
    bool last = false;
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int rc = pvs_wa_remove(r->db, &who, r->who.provider_id, uid, id, action, kill,
                           !kill && pvs_wa_key_required(r), &removed, &last);
    if (rc == PVS_DB_OK && last)
        pvs_problem(r, 409, "webauthn-last-key", "Last security key",
                    "Your role signs in with a security key; add another key before removing this one.");
    else if (rc == PVS_DB_NOTFOUND)
        pvs_problem(r, 404, "not-found", "Not found", "Security key %lld does not exist.", (long long)id);
    else if (rc != PVS_DB_OK)
        pvs_problem_db(r, rc, "security key");
    else
        pvs_reply_json(r, 200, json_pack("{s:I}", "removed", (json_int_t)removed));
}

void pvs_h_me_wa_delete(struct pvs_req *r)
{
    int64_t id;
    if (session_only(r) && pvs_req_id(r, 0, &id))
        remove_keys(r, r->who.user_id, id, "user.webauthn_removed", false);
}

/* A central administrator's view of a user's keys (support, recovery). */
static bool target_user(struct pvs_req *r, int64_t *uid)
{
    int64_t n = 0;
    if (!pvs_req_id(r, 0, uid))
        return false;
    int rc = pvs_wa_user_count(r->db, *uid, &n);
    if (rc != PVS_DB_OK || n != 1) {
        if (rc != PVS_DB_OK)
            pvs_problem_db(r, rc, "user");
        else
            pvs_problem(r, 404, "not-found", "Not found", "User %lld does not exist.", (long long)*uid);
        return false;
    }
    return true;
}

void pvs_h_users_wa_list(struct pvs_req *r)
{
    int64_t uid;
    if (target_user(r, &uid))
        reply_list(r, uid);
}

/* Recovery: every key of the user removed, the user's sessions ended, one audit entry. The
 * user then signs in with password (reset it too if the key was lost with it) and enrols. */
void pvs_h_users_wa_reset(struct pvs_req *r)
{
    int64_t uid;
    if (target_user(r, &uid))
        remove_keys(r, uid, 0, "user.webauthn_reset", true);
}
