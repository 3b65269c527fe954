/* The phone as a key, server side: staff logins, phone sessions, enrolment and the
 * per-phone secret (see phone.h). */
#include "phone.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/vault.h" /* the secrets below are stored sealed (docs/privacy.md) */
#include "rows.h"

int pvs_phone_login_set(pvs_db *db, int64_t staff_id, int64_t provider_id, const char *username,
                        const char *pw_hash, const uint8_t totp[PVS_PHONE_TOTP_LEN], int64_t now)
{
    uint8_t sealed[PVS_PHONE_TOTP_LEN + PVS_VAULT_OVERHEAD];
    size_t slen = 0;
    char ctx[48];
    pvs_vault_ctx_staff_totp(staff_id, ctx);
    if (pvs_vault_seal(ctx, totp, PVS_PHONE_TOTP_LEN, sealed, sizeof sealed, &slen) != 0)
        return PVS_DB_ERROR;
    int64_t n = pvs_exec(db,
                         "INSERT INTO staff_logins (staff_id, provider_id, username, pw_hash,"
                         " totp_secret, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (staff_id) DO UPDATE SET username = excluded.username,"
                         " pw_hash = excluded.pw_hash, totp_secret = excluded.totp_secret,"
                         " totp_last_step = 0, failed_logins = 0, locked_until = 0",
                         PVS_ARGS(PVS_I64(staff_id), PVS_I64(provider_id), PVS_TEXT(username),
                                  PVS_TEXT(pw_hash), PVS_BLOB(sealed, slen),
                                  PVS_I64(now)));
    if (n < 0)
        return (int)n;
    n = pvs_exec(db, "DELETE FROM phone_sessions WHERE staff_id = ?", PVS_ARGS(PVS_I64(staff_id)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_phone_login_load(pvs_db *db, const char *username, pvs_phone_login *out)
{
    memset(out, 0, sizeof *out);
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT l.staff_id, l.provider_id, l.pw_hash, l.totp_secret,"
                       " l.totp_last_step, l.failed_logins, l.locked_until, s.active,"
                       " s.display_name FROM staff_logins l JOIN staff s ON s.id = l.staff_id"
                       " WHERE l.username = ?",
                       PVS_ARGS(PVS_TEXT(username)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *totp = pvs_col_blob(&st, 3, &len);
        out->staff_id = pvs_col_i64(&st, 0);
        out->provider_id = pvs_col_i64(&st, 1);
        snprintf(out->pw_hash, sizeof out->pw_hash, "%s", pvs_col_text(&st, 2));
        char ctx[48];
        size_t got = 0;
        pvs_vault_ctx_staff_totp(out->staff_id, ctx);
        if (!totp || pvs_vault_read(ctx, totp, len, out->totp, PVS_PHONE_TOTP_LEN, &got) != 0)
            got = 0;
        len = got;
        out->totp_last_step = pvs_col_i64(&st, 4);
        out->failed = pvs_col_i64(&st, 5);
        out->locked_until = pvs_col_i64(&st, 6);
        out->staff_active = pvs_col_i64(&st, 7) != 0 && totp && len == PVS_PHONE_TOTP_LEN;
        snprintf(out->display_name, sizeof out->display_name, "%s", pvs_col_text(&st, 8));
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_phone_login_failed(pvs_db *db, int64_t staff_id, int64_t now)
{
    int64_t n = pvs_exec(db,
                         "UPDATE staff_logins SET failed_logins = failed_logins + 1,"
                         " locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END"
                         " WHERE staff_id = ?",
                         PVS_ARGS(PVS_I64(PVS_PHONE_MAX_FAILS), PVS_I64(now + PVS_PHONE_LOCK_S),
                                  PVS_I64(staff_id)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_phone_login_ok(pvs_db *db, int64_t staff_id, int64_t step)
{
    int64_t n = pvs_exec(db,
                         "UPDATE staff_logins SET failed_logins = 0, locked_until = 0,"
                         " totp_last_step = ? WHERE staff_id = ?",
                         PVS_ARGS(PVS_I64(step), PVS_I64(staff_id)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_phone_session_create(pvs_db *db, int64_t staff_id, const uint8_t hash[32], int64_t now,
                             int64_t expires)
{
    int64_t n = pvs_exec(db, "DELETE FROM phone_sessions WHERE expires_at <= ?",
                         PVS_ARGS(PVS_I64(now)));
    if (n >= 0)
        n = pvs_exec(db,
                     "INSERT INTO phone_sessions (id_hash, staff_id, expires_at, created_at)"
                     " VALUES (?, ?, ?, ?)",
                     PVS_ARGS(PVS_BLOB(hash, 32), PVS_I64(staff_id), PVS_I64(expires), PVS_I64(now)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_phone_session_load(pvs_db *db, const uint8_t hash[32], int64_t now, int64_t *staff_id,
                           int64_t *provider_id)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT p.staff_id, s.provider_id FROM phone_sessions p"
                       " JOIN staff s ON s.id = p.staff_id"
                       " JOIN staff_logins l ON l.staff_id = p.staff_id"
                       " WHERE p.id_hash = ? AND p.expires_at > ? AND s.active = 1",
                       PVS_ARGS(PVS_BLOB(hash, 32), PVS_I64(now)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        *staff_id = pvs_col_i64(&st, 0);
        *provider_id = pvs_col_i64(&st, 1);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_phone_enrol(pvs_db *db, int64_t staff_id, int64_t provider_id, const uint8_t pk[PV_PK_SIZE],
                    const char *label, int64_t now, int64_t *bearer_id,
                    uint8_t secret[PVS_PHONE_SECRET_LEN])
{
    int rc = pvs_query_i64(db,
                           "INSERT INTO bearers (staff_id, provider_id, kind, label, public_key,"
                           " created_at) VALUES (?, ?, 'phone', ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(staff_id), PVS_I64(provider_id), PVS_TEXT(label),
                                    PVS_BLOB(pk, PV_PK_SIZE), PVS_I64(now)),
                           bearer_id);
    if (rc != PVS_DB_OK)
        return rc;
    randombytes_buf(secret, PVS_PHONE_SECRET_LEN);
    uint8_t sealed[PVS_PHONE_SECRET_LEN + PVS_VAULT_OVERHEAD];
    size_t slen = 0;
    char ctx[48];
    pvs_vault_ctx_phone(*bearer_id, ctx);
    int64_t n = pvs_vault_seal(ctx, secret, PVS_PHONE_SECRET_LEN, sealed, sizeof sealed, &slen) != 0
                    ? PVS_DB_ERROR
                    : pvs_exec(db, "INSERT INTO phone_secrets (bearer_id, secret, created_at)"
                                   " VALUES (?, ?, ?)",
                               PVS_ARGS(PVS_I64(*bearer_id), PVS_BLOB(sealed, slen), PVS_I64(now)));
    if (n < 0)
        sodium_memzero(secret, PVS_PHONE_SECRET_LEN);
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_phone_secret(pvs_db *db, int64_t staff_id, int64_t bearer_id,
                     uint8_t secret[PVS_PHONE_SECRET_LEN], enum pvs_phone_refusal *why)
{
    *why = PVS_PHONE_NOT_YOURS;
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT b.state, p.secret FROM bearers b JOIN phone_secrets p"
                       " ON p.bearer_id = b.id WHERE b.id = ? AND b.staff_id = ? AND b.kind = 'phone'",
                       PVS_ARGS(PVS_I64(bearer_id), PVS_I64(staff_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0, got = 0;
        const void *s = pvs_col_blob(&st, 1, &len);
        bool active = strcmp(pvs_col_text(&st, 0), "active") == 0;
        char ctx[48];
        pvs_vault_ctx_phone(bearer_id, ctx);
        uint8_t clear[PVS_PHONE_SECRET_LEN];
        if (!s || pvs_vault_read(ctx, s, len, clear, sizeof clear, &got) != 0)
            got = 0;
        *why = got != PVS_PHONE_SECRET_LEN ? PVS_PHONE_NOT_YOURS
               : active                    ? PVS_PHONE_OK
                                           : PVS_PHONE_BLOCKED;
        if (*why == PVS_PHONE_OK)
            memcpy(secret, clear, PVS_PHONE_SECRET_LEN);
        sodium_memzero(clear, sizeof clear);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_OK;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_phone_change_token(pvs_db *db, int64_t bearer_id, char *out, size_t cap,
                           enum pvs_phone_refusal *why)
{
    pvs_stmt st;
    *why = PVS_PHONE_NOT_YOURS;
    out[0] = '\0';
    int rc = pvs_query(db, &st,
                       "SELECT b.state, (SELECT value FROM rights_generation WHERE id = 1),"
                       " (SELECT COALESCE(MAX(version), 0) FROM revlists),"
                       " (SELECT COUNT(*) FROM alarm_grants g WHERE g.bearer_id = b.id),"
                       " (SELECT COALESCE(SUM(COALESCE(g.ended_at, 0)), 0) FROM alarm_grants g"
                       "  WHERE g.bearer_id = b.id)"
                       " FROM bearers b WHERE b.id = ?",
                       PVS_ARGS(PVS_I64(bearer_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        bool active = strcmp(pvs_col_text(&st, 0), "active") == 0;
        *why = active ? PVS_PHONE_OK : PVS_PHONE_BLOCKED;
        if (active)
            snprintf(out, cap, "%lld.%lld.%lld.%lld", (long long)pvs_col_i64(&st, 1),
                     (long long)pvs_col_i64(&st, 2), (long long)pvs_col_i64(&st, 3),
                     (long long)pvs_col_i64(&st, 4));
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_OK;
    }
    pvs_finalize(&st);
    return rc;
}

/* ---- use cases, each in its own transaction (phone.h) ---- */

int pvs_phone_staff_provider(pvs_db *db, int64_t staff, int64_t *provider)
{
    return pvs_query_i64(db, "SELECT provider_id FROM staff WHERE id = ?",
                         PVS_ARGS(PVS_I64(staff)), provider);
}

int pvs_phone_login_make(pvs_db *db, const struct pvs_audit_actor *who, int64_t staff,
                         int64_t provider, const char *username, const char *pw_hash,
                         const uint8_t totp[PVS_PHONE_TOTP_LEN], int64_t now,
                         const char *details)
{
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_phone_login_set(db, staff, provider, username, pw_hash, totp, now);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, "staff.phone_login", "staff", staff, details);
    return pvs_tx_finish(db, rc);
}

int pvs_phone_login_failure(pvs_db *db, const char *client_addr, int64_t staff, int64_t now)
{
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    int64_t n = pvs_exec(db, "INSERT INTO login_failures (client_addr, at) VALUES (?, ?)",
                         PVS_ARGS(PVS_TEXT(client_addr), PVS_I64(now)));
    rc = n < 0 ? (int)n : staff ? pvs_phone_login_failed(db, staff, now) : PVS_DB_OK;
    return pvs_tx_finish(db, rc);
}

int pvs_phone_failures_since(pvs_db *db, const char *client_addr, int64_t since, int64_t *n)
{
    return pvs_query_i64(db, "SELECT COUNT(*) FROM login_failures WHERE client_addr = ? AND at > ?",
                         PVS_ARGS(PVS_TEXT(client_addr), PVS_I64(since)), n);
}

int pvs_phone_session_open(pvs_db *db, int64_t staff, int64_t step, const uint8_t hash[32],
                           int64_t now)
{
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_phone_login_ok(db, staff, step);
    if (rc == PVS_DB_OK)
        rc = pvs_phone_session_create(db, staff, hash, now, now + PVS_PHONE_SESSION_S);
    return pvs_tx_finish(db, rc);
}

int pvs_phone_enrol_key(pvs_db *db, const struct pvs_audit_actor *who, int64_t staff,
                        int64_t provider, const uint8_t pk[PV_PK_SIZE], const char *label,
                        int64_t now, int64_t *bearer_id, uint8_t secret[PVS_PHONE_SECRET_LEN])
{
    char det[64];
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_phone_enrol(db, staff, provider, pk, label, now, bearer_id, secret);
    snprintf(det, sizeof det, "{\"kind\":\"phone\",\"staff_id\":%lld}", (long long)staff);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, provider, "bearer.enrol_phone", "bearer", *bearer_id, det);
    return pvs_tx_finish(db, rc);
}
