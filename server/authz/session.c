/* Authentication of each request: __Host- session cookies (stored hashed, idle and absolute
 * expiry, dead once the user is disabled) and API bearer tokens (stored hashed, revocable). */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "pvs/clock.h"
#include "pvs/core.h"

#define PREAUTH_TTL_S 300     /* password accepted: five minutes to give the TOTP code */
#define TOUCH_EVERY_S 60      /* write last_seen at most once a minute per session */
#define TOKEN_PREFIX "pvt_"

static void unauthorized(struct pvs_req *r, const char *type, const char *detail)
{
    pvs_reply_header(r, "WWW-Authenticate", "Bearer realm=\"portvakt\"");
    pvs_problem(r, 401, type, "Not signed in", "%s", detail);
}

static bool hex_token(const char *s, size_t want)
{
    if (!s || strlen(s) != want)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

void pvs_session_clear_cookie(struct pvs_req *r)
{
    pvs_reply_header(r, "Set-Cookie", PVS_SESSION_COOKIE "=; Path=/; Secure; HttpOnly;"
                                      " SameSite=Strict; Max-Age=0");
}

int pvs_session_create(struct pvs_req *r, int64_t user_id, enum pvs_session_stage stage)
{
    static const char *const stage_name[] = {"totp", "enroll", "full"};
    uint8_t raw[32], csrf_raw[32];
    char token[65];
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(csrf_raw, sizeof csrf_raw);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    sodium_bin2hex(r->who.csrf, sizeof r->who.csrf, csrf_raw, sizeof csrf_raw);
    pvs_token_hash(token, r->who.session_hash);
    int64_t now = pvs_wall_now();
    int64_t ttl = stage == PVS_STAGE_FULL ? r->srv->cfg.session_abs_s : PREAUTH_TTL_S;
    int64_t rc = pvs_exec(r->db,
                          "INSERT INTO sessions (id_hash, user_id, stage, csrf, created_at,"
                          " last_seen, expires_at, client_addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          PVS_ARGS(PVS_BLOB(r->who.session_hash, 32), PVS_I64(user_id),
                                   PVS_TEXT(stage_name[stage]), PVS_TEXT(r->who.csrf),
                                   PVS_I64(now), PVS_I64(now), PVS_I64(now + ttl),
                                   PVS_TEXT(r->client_addr)));
    if (rc >= 0) {
        char cookie[160];
        snprintf(cookie, sizeof cookie,
                 PVS_SESSION_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", token);
        pvs_reply_header(r, "Set-Cookie", cookie);
        sodium_memzero(cookie, sizeof cookie);
    }
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(token, sizeof token);
    return rc < 0 ? (int)rc : PVS_DB_OK;
}

int pvs_session_delete_current(struct pvs_req *r)
{
    if (r->who.kind != PVS_AUTHN_SESSION && r->who.kind != PVS_AUTHN_PREAUTH)
        return PVS_DB_OK;
    int64_t rc = pvs_exec(r->db, "DELETE FROM sessions WHERE id_hash = ?",
                          PVS_ARGS(PVS_BLOB(r->who.session_hash, 32)));
    return rc < 0 ? (int)rc : PVS_DB_OK;
}

static bool auth_token(struct pvs_req *r, const char *token)
{
    if (strncmp(token, TOKEN_PREFIX, 4) != 0 || !hex_token(token + 4, 64)) {
        unauthorized(r, "invalid-token", "The API token is malformed.");
        return false;
    }
    uint8_t h[32];
    pvs_token_hash(token, h);
    pvs_stmt st;
    int rc = pvs_query(r->db, &st,
                       "SELECT t.id, t.name, t.role, t.provider_id, t.last_used_at,"
                       " COALESCE(p.active, 1) FROM api_tokens t"
                       " LEFT JOIN providers p ON p.id = t.provider_id"
                       " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                       PVS_ARGS(PVS_BLOB(h, 32)));
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "API token");
        return false;
    }
    rc = pvs_next(&st);
    if (rc != PVS_DB_ROW || pvs_col_i64(&st, 5) == 0) {
        pvs_finalize(&st);
        if (rc < 0)
            pvs_problem_db(r, rc, "API token");
        else
            unauthorized(r, "invalid-token", "The API token is unknown or revoked.");
        return false;
    }
    r->who.kind = PVS_AUTHN_TOKEN;
    r->who.token_id = pvs_col_i64(&st, 0);
    snprintf(r->who.username, sizeof r->who.username, "token:%s", pvs_col_text(&st, 1));
    r->who.role = pvs_role_parse(pvs_col_text(&st, 2));
    r->who.provider_id = pvs_col_i64(&st, 3);
    int64_t last = pvs_col_i64(&st, 4), now = pvs_wall_now();
    pvs_finalize(&st);
    if (now - last >= TOUCH_EVERY_S)
        (void)pvs_exec(r->db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                       PVS_ARGS(PVS_I64(now), PVS_I64(r->who.token_id)));
    return r->who.role != PVS_ROLE_NONE;
}

/* Load the session row into r->who; false (problem sent) when missing or expired. */
static bool load_session(struct pvs_req *r, const char *cookie)
{
    pvs_token_hash(cookie, r->who.session_hash);
    pvs_stmt st;
    int rc = pvs_query(r->db, &st,
                       "SELECT s.user_id, s.stage, s.csrf, s.last_seen, s.expires_at,"
                       " u.username, u.role, u.provider_id, u.disabled, COALESCE(p.active, 1)"
                       " FROM sessions s JOIN users u ON u.id = s.user_id"
                       " LEFT JOIN providers p ON p.id = u.provider_id WHERE s.id_hash = ?",
                       PVS_ARGS(PVS_BLOB(r->who.session_hash, 32)));
    if (rc == PVS_DB_OK)
        rc = pvs_next(&st);
    if (rc != PVS_DB_ROW) {
        pvs_finalize(&st);
        if (rc < 0) { /* the database failed, not the session: the cookie stays valid */
            pvs_problem_db(r, rc, "session");
            return false;
        }
        unauthorized(r, "session-expired", "Your session has ended; sign in again.");
        pvs_session_clear_cookie(r);
        return false;
    }
    const char *stage = pvs_col_text(&st, 1);
    r->who.session_stage = strcmp(stage, "full") == 0 ? PVS_STAGE_FULL
                           : strcmp(stage, "enroll") == 0 ? PVS_STAGE_ENROLL : PVS_STAGE_TOTP;
    r->who.user_id = pvs_col_i64(&st, 0);
    snprintf(r->who.csrf, sizeof r->who.csrf, "%s", pvs_col_text(&st, 2));
    int64_t last = pvs_col_i64(&st, 3), expires = pvs_col_i64(&st, 4), now = pvs_wall_now();
    snprintf(r->who.username, sizeof r->who.username, "%s", pvs_col_text(&st, 5));
    r->who.role = pvs_role_parse(pvs_col_text(&st, 6));
    r->who.provider_id = pvs_col_i64(&st, 7);
    bool dead = pvs_col_i64(&st, 8) != 0 || pvs_col_i64(&st, 9) == 0;
    pvs_finalize(&st);
    bool idle = r->who.session_stage == PVS_STAGE_FULL && now - last > r->srv->cfg.session_idle_s;
    if (dead || idle || now >= expires || r->who.role == PVS_ROLE_NONE) {
        (void)pvs_exec(r->db, "DELETE FROM sessions WHERE id_hash = ?",
                       PVS_ARGS(PVS_BLOB(r->who.session_hash, 32)));
        memset(&r->who, 0, sizeof r->who);
        pvs_session_clear_cookie(r);
        unauthorized(r, "session-expired",
                     dead ? "Your account has been disabled." : "Your session has ended; sign in again.");
        return false;
    }
    if (now - last >= TOUCH_EVERY_S)
        (void)pvs_exec(r->db, "UPDATE sessions SET last_seen = ? WHERE id_hash = ?",
                       PVS_ARGS(PVS_I64(now), PVS_BLOB(r->who.session_hash, 32)));
    return true;
}

bool pvs_auth_request(struct pvs_req *r, enum pvs_route_auth need)
{
    memset(&r->who, 0, sizeof r->who);
    const char *authz = pvs_req_header(r, "Authorization");
    if (authz && need == PVS_AUTH_USER) {
        if (strncmp(authz, "Bearer ", 7) != 0) {
            unauthorized(r, "invalid-token", "Use Authorization: Bearer <API token>.");
            return false;
        }
        return auth_token(r, authz + 7);
    }
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, PVS_SESSION_COOKIE);
    if (!cookie) {
        unauthorized(r, "unauthenticated", "Sign in first.");
        return false;
    }
    if (!hex_token(cookie, 64)) {
        pvs_session_clear_cookie(r);
        unauthorized(r, "session-expired", "Your session has ended; sign in again.");
        return false;
    }
    if (!load_session(r, cookie))
        return false;
    bool full = r->who.session_stage == PVS_STAGE_FULL;
    if (need == PVS_AUTH_USER && !full) {
        unauthorized(r, "second-factor-required", "Finish signing in with your authenticator code.");
        memset(&r->who, 0, sizeof r->who);
        return false;
    }
    if (need == PVS_AUTH_PREAUTH && full) {
        pvs_problem(r, 409, "already-signed-in", "Already signed in",
                    "You are already signed in; sign out first to sign in again.");
        memset(&r->who, 0, sizeof r->who);
        return false;
    }
    r->who.kind = full ? PVS_AUTHN_SESSION : PVS_AUTHN_PREAUTH;
    return true;
}
