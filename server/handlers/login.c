/* Sign-in: password (Argon2id) then TOTP, or TOTP enrolment at the first sign-in; a new
 * session id at every step; growing delays and lockout per user and per client address. */
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
#include "pvs/vault.h"

#define DELAY_FREE_FAILURES 3 /* the first typos cost nothing */
#define DELAY_MAX_S 300

struct login_user {
    int64_t id;
    char pw_hash[160];
    bool disabled, enrolled;
    int64_t failed, next_at, locked_until;
};

static void throttled(struct pvs_req *r, int64_t wait, const char *type, const char *detail)
{
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)(wait > 0 ? wait : 1));
    pvs_reply_header(r, "Retry-After", secs);
    pvs_problem(r, 429, type, "Too many attempts", "%s Try again in %s seconds.", detail, secs);
}

/* Failures from this address inside the window. */
static int addr_failures(struct pvs_req *r, int64_t now, int64_t *n)
{
    return pvs_query_i64(r->db, "SELECT COUNT(*) FROM login_failures WHERE client_addr = ? AND at > ?",
                         PVS_ARGS(PVS_TEXT(r->client_addr),
                                  PVS_I64(now - (int64_t)r->srv->cfg.addr_window_s)), n);
}

static int load_user(pvs_db *db, const char *username, int64_t uid, struct login_user *u)
{
    pvs_stmt st;
    memset(u, 0, sizeof *u);
    int rc = pvs_query(db, &st,
                       "SELECT u.id, u.pw_hash, u.disabled, u.totp_secret IS NOT NULL,"
                       " u.failed_logins, u.next_login_at, u.locked_until, COALESCE(p.active, 1)"
                       " FROM users u LEFT JOIN providers p ON p.id = u.provider_id"
                       " WHERE u.username = ? OR u.id = ?",
                       PVS_ARGS(PVS_TEXT(username ? username : ""), PVS_I64(uid)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        u->id = pvs_col_i64(&st, 0);
        snprintf(u->pw_hash, sizeof u->pw_hash, "%s", pvs_col_text(&st, 1));
        u->disabled = pvs_col_i64(&st, 2) != 0 || pvs_col_i64(&st, 7) == 0;
        u->enrolled = pvs_col_i64(&st, 3) != 0;
        u->failed = pvs_col_i64(&st, 4);
        u->next_at = pvs_col_i64(&st, 5);
        u->locked_until = pvs_col_i64(&st, 6);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

/* Record a failed attempt (own transaction): address row, user counters, delay, lockout. */
static void record_failure(struct pvs_req *r, const struct login_user *u, const char *ghost,
                           int64_t now)
{
    if (pvs_tx_begin(r->db, true) != PVS_DB_OK)
        return;
    int64_t rc = pvs_exec(r->db, "INSERT INTO login_failures (client_addr, at) VALUES (?, ?)",
                          PVS_ARGS(PVS_TEXT(r->client_addr), PVS_I64(now)));
    if (u && rc >= 0) {
        int64_t failed = u->failed + 1, next = 0, locked = 0;
        if (failed >= DELAY_FREE_FAILURES) {
            int64_t shift = failed - DELAY_FREE_FAILURES;
            next = now + (shift >= 9 ? DELAY_MAX_S : ((int64_t)1 << shift));
        }
        if (failed >= (int64_t)r->srv->cfg.login_max_failures)
            locked = now + r->srv->cfg.lockout_s;
        if (!u->id) { /* an unknown name: the same schedule, in memory */
            if (ghost)
                pvs_ghost_put(ghost, failed, next, locked, now);
            locked = 0;
        } else {
            rc = pvs_exec(r->db, "UPDATE users SET failed_logins = ?, next_login_at = ?,"
                                 " locked_until = ? WHERE id = ?",
                          PVS_ARGS(PVS_I64(failed), PVS_I64(next), PVS_I64(locked), PVS_I64(u->id)));
        }
        if (rc >= 0 && locked) {
            json_t *d = json_pack("{s:I, s:I}", "failures", (json_int_t)failed, "locked_until",
                                  (json_int_t)locked);
            struct pvs_audit_actor who = {u->id, "login throttle", "system", r->client_addr,
                                          r->request_id};
            rc = pvs_audit_append_raw(r->db, &who, 0, "user.locked", "user", u->id, d);
            json_decref(d);
            if (rc >= 0)
                rc = pvs_session_kill_user(r->db, u->id);
        }
    }
    if (rc < 0 || pvs_tx_commit(r->db) != PVS_DB_OK)
        pvs_tx_rollback(r->db);
}

/* Refuse when the user or the address is in a delay or locked. */
static bool gate_attempt(struct pvs_req *r, const struct login_user *u, int64_t now)
{
    int64_t n = 0;
    if (addr_failures(r, now, &n) != PVS_DB_OK) {
        pvs_problem_db(r, PVS_DB_ERROR, "login");
        return false;
    }
    if (n >= (int64_t)r->srv->cfg.addr_max_failures) {
        throttled(r, r->srv->cfg.addr_window_s, "login-throttled",
                  "Too many failed sign-ins from your address.");
        return false;
    }
    if (u && u->locked_until > now) {
        throttled(r, u->locked_until - now, "account-locked",
                  "This account is locked after too many failed sign-ins; an administrator can unlock it.");
        return false;
    }
    if (u && u->next_at > now) {
        throttled(r, u->next_at - now, "login-throttled", "Wait before the next attempt.");
        return false;
    }
    return true;
}

/* Delete the session the browser brought, whatever its state (no fixation). */
static int drop_presented_session(struct pvs_req *r)
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, PVS_SESSION_COOKIE);
    if (!cookie || strlen(cookie) > 128)
        return PVS_DB_OK;
    uint8_t h[32];
    pvs_token_hash(cookie, h);
    int64_t rc = pvs_exec(r->db, "DELETE FROM sessions WHERE id_hash = ?", PVS_ARGS(PVS_BLOB(h, 32)));
    return rc < 0 ? (int)rc : PVS_DB_OK;
}

/* Forget expired sessions and failures older than the address window, so neither table
 * grows without bound; sign-ins are frequent enough to carry this. */
static int sweep(struct pvs_req *r, int64_t now)
{
    int64_t a = pvs_exec(r->db, "DELETE FROM sessions WHERE expires_at <= ?", PVS_ARGS(PVS_I64(now)));
    int64_t b = a < 0 ? a : pvs_exec(r->db, "DELETE FROM login_failures WHERE at <= ?",
                                     PVS_ARGS(PVS_I64(now - (int64_t)r->srv->cfg.addr_window_s)));
    return b < 0 ? (int)b : PVS_DB_OK;
}

void pvs_h_login(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"username", PVS_J_STRING, PVS_JF_REQUIRED, 1, 64},
        {"password", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 1024},
    };
    json_t *body = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!body)
        return;
    int64_t now = pvs_wall_now();
    struct login_user u;
    int rc = load_user(r->db, pvs_jstr(body, "username", ""), 0, &u);
    bool known = rc == PVS_DB_OK;
    char ghost[65];
    snprintf(ghost, sizeof ghost, "%s", pvs_jstr(body, "username", ""));
    if (!known)
        pvs_ghost_get(ghost, &u.failed, &u.next_at, &u.locked_until);
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND) {
        json_decref(body);
        pvs_problem_db(r, rc, "user");
        return;
    }
    if (!gate_attempt(r, &u, now)) {
        json_decref(body);
        return;
    }
    const char *pw = pvs_jstr(body, "password", "");
    bool ok = known ? pvs_password_verify(u.pw_hash, pw) : (pvs_password_dummy_verify(pw), false);
    json_decref(body);
    sodium_memzero(u.pw_hash, sizeof u.pw_hash);
    if (!ok || u.disabled) {
        record_failure(r, &u, ghost, now);
        pvs_problem(r, 401, "invalid-credentials", "Sign-in failed",
                    "The username or password is wrong, or the account is disabled.");
        return;
    }
    rc = pvs_tx_begin(r->db, true);
    if (rc == PVS_DB_OK)
        rc = drop_presented_session(r);
    if (rc == PVS_DB_OK)
        rc = sweep(r, now);
    if (rc == PVS_DB_OK)
        rc = pvs_session_create(r, u.id, u.enrolled ? PVS_STAGE_TOTP : PVS_STAGE_ENROLL);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(r->db);
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(r->db);
        r->nresp_headers = 0;
        pvs_problem_db(r, rc, "session");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:s, s:b}", "next", u.enrolled ? "totp" : "enroll",
                                     "security_key", pvs_wa_user_has_key(r->db, u.id)));
}

/* Reads the user's TOTP secret (or pending secret) into buf. */
static int load_secret(pvs_db *db, int64_t uid, bool pending, uint8_t *buf, size_t *len,
                       int64_t *last_step)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       pending ? "SELECT totp_pending, totp_last_step FROM users WHERE id = ?"
                               : "SELECT totp_secret, totp_last_step FROM users WHERE id = ?",
                       PVS_ARGS(PVS_I64(uid)));
    if (rc != PVS_DB_OK)
        return rc;
    *len = 0;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t n = 0;
        const void *p = pvs_col_blob(&st, 0, &n);
        char ctx[48];
        pvs_vault_ctx_totp(uid, ctx); /* sealed (pvs/vault.h); a value that does not open is none */
        if (p && n > 0 && pvs_vault_read(ctx, p, n, buf, 64, len) != 0)
            *len = 0;
        *last_step = pvs_col_i64(&st, 1);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

void pvs_h_enroll_get(struct pvs_req *r)
{
    if (pvs_wa_totp_refused(r))
        return;
    if (r->who.session_stage != PVS_STAGE_ENROLL) {
        pvs_problem(r, 409, "already-enrolled", "Already enrolled",
                    "Your authenticator is already set up; enter its code instead.");
        return;
    }
    uint8_t secret[64];
    size_t len = 0;
    int64_t last = 0;
    int rc = load_secret(r->db, r->who.user_id, true, secret, &len, &last);
    if (rc == PVS_DB_OK && len == 0) {
        /* first view: make the pending secret; later views show the same one */
        len = PVS_TOTP_SECRET_LEN;
        randombytes_buf(secret, len);
        uint8_t sealed[PVS_TOTP_SECRET_LEN + PVS_VAULT_OVERHEAD];
        size_t slen = 0;
        char ctx[48];
        pvs_vault_ctx_totp(r->who.user_id, ctx);
        int64_t n = pvs_vault_seal(ctx, secret, len, sealed, sizeof sealed, &slen) != 0 ? -1 :
            pvs_exec(r->db, "UPDATE users SET totp_pending = ? WHERE id = ? AND totp_pending IS NULL",
                     PVS_ARGS(PVS_BLOB(sealed, slen), PVS_I64(r->who.user_id)));
        if (n != 1)
            rc = load_secret(r->db, r->who.user_id, true, secret, &len, &last);
    }
    char *uri = rc == PVS_DB_OK && len ? pvs_totp_uri(r->who.username, secret, len) : NULL;
    char *svg = uri ? pvs_qr_svg(uri) : NULL;
    sodium_memzero(secret, sizeof secret);
    if (!svg) {
        free(uri);
        pvs_problem(r, 500, "internal", "Internal error", "The enrolment code could not be made.");
        return;
    }
    const char *s = strstr(uri, "secret="), *e = s ? strchr(s, '&') : NULL;
    json_t *o = json_pack("{s:s, s:s, s:s%}", "otpauth_uri", uri, "qr_svg", svg, "secret",
                          s ? s + 7 : "", (size_t)(s && e ? e - s - 7 : 0));
    sodium_memzero(uri, strlen(uri));
    free(uri);
    free(svg);
    pvs_reply_json(r, 200, o);
}

/* Both factors done: new full session, counters reset, {"user", "csrf_token"}. */
static void finish_login(struct pvs_req *r, uint64_t step, bool enrolling)
{
    int64_t uid = r->who.user_id;
    int rc = pvs_tx_begin(r->db, true);
    int64_t n = 0;
    if (rc == PVS_DB_OK)
        n = pvs_exec(r->db,
                     enrolling ? "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL,"
                                 " totp_last_step = ?, failed_logins = 0, next_login_at = 0"
                                 " WHERE id = ? AND totp_last_step < ? AND totp_pending IS NOT NULL"
                               : "UPDATE users SET totp_last_step = ?, failed_logins = 0,"
                                 " next_login_at = 0 WHERE id = ? AND totp_last_step < ?",
                     PVS_ARGS(PVS_I64((int64_t)step), PVS_I64(uid), PVS_I64((int64_t)step)));
    if (rc == PVS_DB_OK && n != 1) /* a concurrent request used this step first */
        rc = n < 0 ? (int)n : PVS_DB_NOTFOUND;
    if (rc == PVS_DB_OK)
        rc = pvs_session_delete_current(r);
    if (rc == PVS_DB_OK && enrolling)
        rc = pvs_audit_append(r, "user.totp_enrolled", "user", uid, NULL);
    if (rc == PVS_DB_OK)
        rc = pvs_session_create(r, uid, PVS_STAGE_FULL);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(r->db);
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(r->db);
        r->nresp_headers = 0;
        if (rc == PVS_DB_NOTFOUND)
            pvs_problem(r, 401, "totp-reused", "Code already used",
                        "This code has already been used; wait for the next one.");
        else
            pvs_problem_db(r, rc, "session");
        return;
    }
    json_t *user = pvs_user_json(r->db, uid);
    pvs_reply_json(r, 200, json_pack("{s:o, s:s}", "user", user ? user : json_null(),
                                     "csrf_token", r->who.csrf));
}

static void second_factor(struct pvs_req *r, bool enrolling)
{
    static const struct pvs_jfield fields[] = {
        {"code", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 16},
    };
    if (pvs_wa_totp_refused(r))
        return;
    if (enrolling != (r->who.session_stage == PVS_STAGE_ENROLL)) {
        pvs_problem(r, 409, enrolling ? "already-enrolled" : "enrolment-required",
                    "Wrong sign-in step", enrolling
                        ? "Your authenticator is already set up; use POST /api/v1/auth/totp."
                        : "Set up your authenticator first: GET /api/v1/auth/enroll.");
        return;
    }
    json_t *body = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!body)
        return;
    int64_t now = pvs_wall_now();
    struct login_user u;
    uint8_t secret[64];
    size_t len = 0;
    int64_t last = 0;
    uint64_t step = 0;
    int rc = load_user(r->db, NULL, r->who.user_id, &u);
    if (rc == PVS_DB_OK)
        rc = load_secret(r->db, u.id, enrolling, secret, &len, &last);
    if (rc != PVS_DB_OK || len == 0) {
        json_decref(body);
        sodium_memzero(secret, sizeof secret);
        if (rc == PVS_DB_OK)
            pvs_problem(r, 409, "enrolment-required", "No authenticator",
                        "Fetch the enrolment code first: GET /api/v1/auth/enroll.");
        else
            pvs_problem_db(r, rc, "user");
        return;
    }
    bool valid = gate_attempt(r, &u, now) &&
                 pvs_totp_check(secret, len, pvs_jstr(body, "code", ""), now, &step);
    sodium_memzero(secret, sizeof secret);
    json_decref(body);
    if (r->status) /* gate_attempt refused */
        return;
    if (!valid) {
        record_failure(r, &u, NULL, now);
        pvs_problem(r, 401, "invalid-totp", "Wrong code",
                    "The authenticator code is wrong or too old; enter the current code.");
        return;
    }
    if ((int64_t)step <= last) {
        pvs_problem(r, 401, "totp-reused", "Code already used",
                    "This code has already been used; wait for the next one.");
        return;
    }
    finish_login(r, step, enrolling);
}

void pvs_h_enroll_post(struct pvs_req *r)
{
    second_factor(r, true);
}

void pvs_h_totp(struct pvs_req *r)
{
    second_factor(r, false);
}

void pvs_h_logout(struct pvs_req *r)
{
    if (pvs_session_delete_current(r) != PVS_DB_OK) {
        pvs_problem_db(r, PVS_DB_ERROR, "session");
        return;
    }
    pvs_session_clear_cookie(r);
    pvs_reply_empty(r);
}

void pvs_h_me(struct pvs_req *r)
{
    json_t *user = NULL;
    if (r->who.kind == PVS_AUTHN_TOKEN)
        user = json_pack("{s:n, s:s, s:s, s:o, s:s}", "id", "username", r->who.username, "role",
                         pvs_role_name(r->who.role), "provider_id",
                         pvs_json_id_or_null(r->who.provider_id), "display_name", r->who.username);
    else
        user = pvs_user_json(r->db, r->who.user_id);
    if (!user) {
        pvs_problem(r, 404, "not-found", "Not found", "Your user no longer exists.");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:o, s:o}", "user", user, "csrf_token",
                                     r->who.csrf[0] ? json_string(r->who.csrf) : json_null()));
}

#define PASSWORD_MIN 12 /* with Argon2id and lockout, length is what matters */

/* POST /api/v1/me/password: the signed-in user replaces its password (the current one is
 * required); every other session of the user ends, this one stays. */
void pvs_h_me_password(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"current_password", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 1024},
        {"new_password", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 1024},
    };
    if (r->who.kind != PVS_AUTHN_SESSION) {
        pvs_problem(r, 403, "forbidden", "Not for API tokens",
                    "API tokens have no password; sign in as a user.");
        return;
    }
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    const char *cur = pvs_jstr(b, "current_password", ""), *nw = pvs_jstr(b, "new_password", "");
    struct login_user u;
    char hash[128];
    int64_t now = pvs_wall_now();
    int rc = load_user(r->db, NULL, r->who.user_id, &u);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "Your user");
    } else if (gate_attempt(r, &u, now) && !pvs_password_verify(u.pw_hash, cur)) {
        record_failure(r, &u, NULL, now);
        pvs_problem(r, 401, "invalid-credentials", "Wrong password", "The current password is wrong.");
    } else if (!r->status && strlen(nw) < PASSWORD_MIN) {
        pvs_problem(r, 400, "weak-password", "Password too short",
                    "new_password must be at least %d characters; a phrase of several words is easy to remember.",
                    PASSWORD_MIN);
    } else if (!r->status && strcmp(nw, cur) == 0) {
        pvs_problem(r, 400, "weak-password", "Same password", "new_password must differ from the current one.");
    } else if (!r->status) {
        rc = pvs_password_hash(nw, hash) == 0 ? pvs_tx_begin(r->db, true) : PVS_DB_ERROR;
        if (rc == PVS_DB_OK) {
            int64_t n = pvs_exec(r->db, "UPDATE users SET pw_hash = ?, updated_at = ? WHERE id = ?",
                                 PVS_ARGS(PVS_TEXT(hash), PVS_I64(now), PVS_I64(u.id)));
            if (n >= 0)
                n = pvs_exec(r->db, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?",
                             PVS_ARGS(PVS_I64(u.id), PVS_BLOB(r->who.session_hash, 32)));
            rc = n < 0 ? (int)n : PVS_DB_OK;
        }
        if (rc == PVS_DB_OK)
            rc = pvs_audit_append(r, "user.password_change", "user", u.id, NULL);
        if (rc == PVS_DB_OK)
            rc = pvs_tx_commit(r->db);
        if (rc == PVS_DB_OK) {
            pvs_reply_empty(r);
        } else {
            pvs_tx_rollback(r->db);
            pvs_problem_db(r, rc, "Your user");
        }
        sodium_memzero(hash, sizeof hash);
    }
    sodium_memzero(u.pw_hash, sizeof u.pw_hash);
    json_decref(b);
}
