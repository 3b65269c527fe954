/* Admin users (see users.h): the SQL and transactions behind /api/v1/users. */
#include "users.h"

#include <stdio.h>

#include "pvs/clock.h"
#include "pvs/session_store.h"

#define USER_COLS "id, username, display_name, role, provider_id, disabled," \
                  " totp_secret IS NOT NULL, locked_until, created_at"

int pvs_users_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT " USER_COLS " FROM users WHERE (? = 0 OR provider_id = ?)"
                          " AND id > ? ORDER BY id LIMIT ?",
                          PVS_ARGS(PVS_I64(scope), PVS_I64(scope)), rg, out);
}

int pvs_user_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " USER_COLS " FROM users WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), out);
}

struct target {
    int64_t *provider;
    char *role;
};

static bool target_row(pvs_stmt *st, void *ctx)
{
    struct target *t = ctx;
    const char *role = pvs_col_text(st, 1);
    *t->provider = pvs_col_i64(st, 0);
    snprintf(t->role, 32, "%s", role ? role : "");
    return false;
}

int pvs_user_target(pvs_db *db, int64_t id, int64_t *provider, char role[32])
{
    struct target t = {provider, role};
    role[0] = '\0';
    return pvs_rows_one(db, "SELECT provider_id, role FROM users WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), &(struct pvs_rows_out){target_row, &t});
}

int pvs_user_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_user_new *u,
                    int64_t *id)
{
    int64_t now = pvs_now();
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "INSERT INTO users (username, display_name, role, provider_id, pw_hash,"
                           " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_TEXT(u->username), PVS_TEXT(u->display_name),
                                    PVS_TEXT(u->role), PVS_ID_OR_NULL(u->provider_id),
                                    PVS_TEXT(u->pw_hash), PVS_I64(now), PVS_I64(now)),
                           id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, u->provider_id, "user.create", "user", *id, u->details);
    return pvs_tx_finish(db, rc);
}

static int set_column(pvs_db *db, const char *sql, struct pvs_param v, int64_t id)
{
    int64_t n = pvs_exec(db, sql, PVS_ARGS(v, PVS_I64(pvs_now()), PVS_I64(id)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_user_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t provider,
                    const struct pvs_user_change *c)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK && c->display_name)
        rc = set_column(db, "UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?",
                        PVS_TEXT(c->display_name), id);
    if (rc == PVS_DB_OK && c->role)
        rc = set_column(db, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
                        PVS_TEXT(c->role), id);
    if (rc == PVS_DB_OK && c->disabled >= 0)
        rc = set_column(db, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?",
                        PVS_I64(c->disabled), id);
    if (rc == PVS_DB_OK && (c->disabled == 1 || c->role))
        rc = pvs_session_kill_user(db, id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, c->disabled == 1 ? "user.disable" : "user.update",
                              "user", id, c->details);
    return pvs_tx_finish(db, rc);
}

/* Shared tail of reset-password and unlock: exactly one row changed, sessions, audit. */
static int simple_update(pvs_db *db, const struct pvs_audit_actor *who, const char *sql,
                         const struct pvs_param *p, size_t n, int64_t id, int64_t provider,
                         const char *action, bool kill)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db, sql, p, n));
    if (rc == PVS_DB_OK && kill)
        rc = pvs_session_kill_user(db, id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, action, "user", id, NULL);
    return pvs_tx_finish(db, rc);
}

int pvs_user_reset_password(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                            int64_t provider, const char *pw_hash)
{
    return simple_update(db, who,
                         "UPDATE users SET pw_hash = ?, totp_secret = NULL, totp_pending = NULL,"
                         " failed_logins = 0, next_login_at = 0, locked_until = 0, updated_at = ?"
                         " WHERE id = ?",
                         PVS_ARGS(PVS_TEXT(pw_hash), PVS_I64(pvs_now()), PVS_I64(id)), id, provider,
                         "user.reset_password", true);
}

int pvs_user_unlock(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t provider)
{
    return simple_update(db, who,
                         "UPDATE users SET failed_logins = 0, next_login_at = 0, locked_until = 0"
                         " WHERE id = ?",
                         PVS_ARGS(PVS_I64(id)), id, provider, "user.unlock", false);
}
