/* Single sign-on rows in the store (SQLite and PostgreSQL): pending sign-ins and identities. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/http.h"
#include "pvs/oidc_store.h"

int pvs_oidc_state_put(pvs_db *db, const uint8_t state_hash[32], const struct pvs_oidc_pending *p,
                       int64_t now)
{
    int64_t n = pvs_exec(db, "DELETE FROM oidc_states WHERE expires_at <= ?", PVS_ARGS(PVS_I64(now)));
    if (n >= 0)
        n = pvs_exec(db,
                     "INSERT INTO oidc_states (state_hash, binding_hash, nonce, verifier, expires_at)"
                     " VALUES (?, ?, ?, ?, ?)",
                     PVS_ARGS(PVS_BLOB(state_hash, 32), PVS_BLOB(p->binding_hash, 32),
                              PVS_TEXT(p->nonce), PVS_TEXT(p->verifier),
                              PVS_I64(now + PVS_OIDC_STATE_TTL_S)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_oidc_state_take(pvs_db *db, const uint8_t state_hash[32], int64_t now,
                        struct pvs_oidc_pending *out)
{
    pvs_stmt st;
    memset(out, 0, sizeof *out);
    int rc = pvs_query(db, &st,
                       "SELECT binding_hash, nonce, verifier FROM oidc_states"
                       " WHERE state_hash = ? AND expires_at > ?",
                       PVS_ARGS(PVS_BLOB(state_hash, 32), PVS_I64(now)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t bl = 0;
        const void *b = pvs_col_blob(&st, 0, &bl);
        rc = b && bl == 32 ? PVS_DB_OK : PVS_DB_NOTFOUND;
        if (rc == PVS_DB_OK)
            memcpy(out->binding_hash, b, 32);
        snprintf(out->nonce, sizeof out->nonce, "%s", pvs_col_text(&st, 1));
        snprintf(out->verifier, sizeof out->verifier, "%s", pvs_col_text(&st, 2));
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    int64_t n = pvs_exec(db, "DELETE FROM oidc_states WHERE state_hash = ?", PVS_ARGS(PVS_BLOB(state_hash, 32)));
    if (n < 0)
        return (int)n;
    return rc == PVS_DB_OK && n != 1 ? PVS_DB_NOTFOUND : rc;
}

/* A new user for this subject: the token's username if free, else "sso-" + 16 hex digits. */
static int create_user(pvs_db *db, const struct pvs_oidc_claims *c, int64_t now, int64_t *uid)
{
    char name[65], hex[17];
    uint8_t h[8];
    crypto_generichash(h, sizeof h, (const uint8_t *)c->sub, strlen(c->sub), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    int rc = PVS_DB_UNIQUE;
    for (int attempt = c->username[0] ? 0 : 1; attempt < 2 && rc == PVS_DB_UNIQUE; attempt++) {
        snprintf(name, sizeof name, attempt ? "sso-%s" : "%s", attempt ? hex : c->username);
        /* "!sso" is no Argon2id hash: a password never signs this user in */
        int64_t n = pvs_exec(db,
                             "INSERT INTO users (username, display_name, role, provider_id, pw_hash,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, '!sso', ?, ?)",
                             PVS_ARGS(PVS_TEXT(name), PVS_TEXT(c->display[0] ? c->display : name),
                                      PVS_TEXT(pvs_role_name(c->role)), PVS_ID_OR_NULL(c->provider_id),
                                      PVS_I64(now), PVS_I64(now)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, "SELECT id FROM users WHERE username = ?", PVS_ARGS(PVS_TEXT(name)), uid);
    return rc;
}

int pvs_oidc_user(pvs_db *db, const char *issuer, const struct pvs_oidc_claims *c, int64_t now,
                  int64_t *uid, bool *created)
{
    *created = false;
    int rc = pvs_query_i64(db, "SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?",
                           PVS_ARGS(PVS_TEXT(issuer), PVS_TEXT(c->sub)), uid);
    if (rc == PVS_DB_NOTFOUND) {
        rc = create_user(db, c, now, uid);
        int64_t n = rc == PVS_DB_OK
                        ? pvs_exec(db,
                                   "INSERT INTO oidc_identities (issuer, subject, user_id, created_at,"
                                   " last_login_at) VALUES (?, ?, ?, ?, ?)",
                                   PVS_ARGS(PVS_TEXT(issuer), PVS_TEXT(c->sub), PVS_I64(*uid),
                                            PVS_I64(now), PVS_I64(now)))
                        : rc;
        *created = n >= 0;
        return n < 0 ? (int)n : PVS_DB_OK;
    }
    if (rc != PVS_DB_OK)
        return rc;
    /* the provider decides the role: a person moved to another group gets the new role */
    int64_t n = pvs_exec(db, "UPDATE users SET role = ?, provider_id = ?, updated_at = ? WHERE id = ?",
                         PVS_ARGS(PVS_TEXT(pvs_role_name(c->role)), PVS_ID_OR_NULL(c->provider_id),
                                  PVS_I64(now), PVS_I64(*uid)));
    if (n >= 0)
        n = pvs_exec(db, "UPDATE oidc_identities SET last_login_at = ? WHERE issuer = ? AND subject = ?",
                     PVS_ARGS(PVS_I64(now), PVS_TEXT(issuer), PVS_TEXT(c->sub)));
    return n < 0 ? (int)n : PVS_DB_OK;
}
