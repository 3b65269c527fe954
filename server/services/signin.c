/* The shared end of a sign-in (see signin.h). */
#include "signin.h"

#include "rows.h"

int pvs_signin_allowed(pvs_db *db, int64_t uid, int64_t now)
{
    int64_t n = 0;
    int rc = pvs_query_i64(db,
                           "SELECT COUNT(*) FROM users u LEFT JOIN providers p ON p.id = u.provider_id"
                           " WHERE u.id = ? AND u.disabled = 0 AND COALESCE(p.active, 1) = 1"
                           " AND u.locked_until <= ?",
                           PVS_ARGS(PVS_I64(uid), PVS_I64(now)), &n);
    return rc != PVS_DB_OK ? rc : n == 1 ? PVS_DB_OK : PVS_DB_NOTFOUND;
}

int pvs_signin_commit(pvs_db *db, int64_t uid, const uint8_t *drop_hash,
                      const struct pvs_session_opener *s)
{
    int64_t n = 0;
    if (drop_hash)
        n = pvs_exec(db, "DELETE FROM sessions WHERE id_hash = ?", PVS_ARGS(PVS_BLOB(drop_hash, 32)));
    if (n >= 0)
        n = pvs_exec(db, "UPDATE users SET failed_logins = 0, next_login_at = 0 WHERE id = ?",
                     PVS_ARGS(PVS_I64(uid)));
    int rc = n < 0 ? (int)n : s->open(s->ctx, uid);
    return pvs_tx_finish(db, rc);
}
