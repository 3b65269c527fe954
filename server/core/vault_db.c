/* The vault's work on the database: seal the secrets (administrators' and staff members'
 * TOTP secrets, per-phone secrets) a database from before the vault holds in clear, make the sealed capability-link pepper, and reseal everything under a new
 * key when the vault key rotates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/webhooks.h"
#include "pvs/audit_seal.h"
#include "pvs/vault.h"

#define SECRET_MAX 64 /* TOTP secrets are 20 bytes; the pepper 32 */
#define PEPPER_NAME "link-pepper"

/* Every column that holds a secret, with the row key its sealing context names. A table from
 * a module's migration is only visited once that migration has run (`since`). */
struct sealed_cols {
    int since;          /* schema_migrations version that made the table */
    const char *select; /* key, col1[, col2] of rows with a value */
    const char *update; /* SET col1 = ?[, col2 = ?] WHERE key = ? */
    int ncols;
    void (*ctx)(int64_t key, char out[48]); /* the sealing context of a row */
};
static const struct sealed_cols tables[] = {
    {1, "SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret IS NOT NULL OR"
        " totp_pending IS NOT NULL ORDER BY id",
     "UPDATE users SET totp_secret = ?, totp_pending = ? WHERE id = ?", 2, pvs_vault_ctx_totp},
    {120, "SELECT staff_id, totp_secret FROM staff_logins ORDER BY staff_id",
     "UPDATE staff_logins SET totp_secret = ? WHERE staff_id = ?", 1, pvs_vault_ctx_staff_totp},
    {120, "SELECT bearer_id, secret FROM phone_secrets ORDER BY bearer_id",
     "UPDATE phone_secrets SET secret = ? WHERE bearer_id = ?", 1, pvs_vault_ctx_phone},
    {60, "SELECT id, sealed_key FROM person_keys ORDER BY id",
     "UPDATE person_keys SET sealed_key = ? WHERE id = ?", 1, pvs_vault_ctx_person},
};

/* One row's secret columns as stored. */
struct secret_row_v {
    int64_t id;
    uint8_t v[2][SECRET_MAX + PVS_VAULT_OVERHEAD];
    size_t len[2];
    bool null[2];
};

static int read_rows(pvs_db *db, const struct sealed_cols *t, struct secret_row_v **out,
                     size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    pvs_stmt st;
    int rc = pvs_query(db, &st, t->select, PVS_NOARGS);
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct secret_row_v *g = realloc(*out, cap * sizeof *g);
            if (!g) {
                rc = PVS_DB_ERROR;
                break;
            }
            *out = g;
        }
        struct secret_row_v *r = &(*out)[(*n)++];
        r->id = pvs_col_i64(&st, 0);
        for (int c = 0; c < t->ncols; c++) {
            size_t len = 0;
            const void *p = pvs_col_blob(&st, c + 1, &len);
            r->null[c] = pvs_col_is_null(&st, c + 1);
            r->len[c] = p && len <= sizeof r->v[c] ? len : 0;
            if (r->len[c])
                memcpy(r->v[c], p, len);
        }
        rc = PVS_DB_OK;
    }
    if (rc == PVS_DB_DONE)
        rc = PVS_DB_OK;
    pvs_finalize(&st);
    return rc;
}

/* Seal (reseal: open and seal again) one stored value in place; *changed when it did. */
static int seal_value(const char *ctx, uint8_t *v, size_t *len, bool reseal, bool *changed)
{
    uint8_t clear[SECRET_MAX];
    size_t clen = 0;
    *changed = false;
    if (*len == 0 || pvs_vault_is_sealed(v, *len) != reseal)
        return 0;
    int rc = pvs_vault_read(ctx, v, *len, clear, sizeof clear, &clen);
    if (rc == 0)
        rc = pvs_vault_seal(ctx, clear, clen, v, SECRET_MAX + PVS_VAULT_OVERHEAD, len);
    sodium_memzero(clear, sizeof clear);
    *changed = rc == 0;
    return rc;
}

static int write_row(pvs_db *db, const struct sealed_cols *t, const struct secret_row_v *r)
{
    struct pvs_param p[3];
    int k = 0;
    for (int c = 0; c < t->ncols; c++)
        p[k++] = r->null[c] ? PVS_NULL : PVS_BLOB(r->v[c], r->len[c]);
    p[k++] = PVS_I64(r->id);
    int64_t n = pvs_exec(db, t->update, p, (size_t)k);
    return n == 1 ? PVS_DB_OK : n < 0 ? (int)n : PVS_DB_ERROR;
}

static int seal_table(pvs_db *db, const struct sealed_cols *t, bool reseal, int *count)
{
    int64_t present = 0;
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                           PVS_ARGS(PVS_I64(t->since)), &present);
    if (rc != PVS_DB_OK || !present)
        return rc;
    struct secret_row_v *rows = NULL;
    size_t n = 0;
    rc = read_rows(db, t, &rows, &n);
    for (size_t i = 0; rc == PVS_DB_OK && i < n; i++) {
        char ctx[48];
        bool ch[2] = {false, false};
        t->ctx(rows[i].id, ctx);
        for (int c = 0; c < t->ncols && rc == PVS_DB_OK; c++)
            if (seal_value(ctx, rows[i].v[c], &rows[i].len[c], reseal, &ch[c]) != 0)
                rc = PVS_DB_ERROR;
        if (rc == PVS_DB_OK && (ch[0] || ch[1]))
            rc = write_row(db, t, &rows[i]);
        *count += ch[0] + ch[1];
    }
    if (rows)
        sodium_memzero(rows, n * sizeof *rows);
    free(rows);
    return rc;
}

static int seal_all(pvs_db *db, bool reseal, int *count)
{
    int rc = PVS_DB_OK;
    for (size_t i = 0; rc == PVS_DB_OK && i < sizeof tables / sizeof tables[0]; i++)
        rc = seal_table(db, &tables[i], reseal, count);
    return rc;
}

/* The server_secrets rows: made when missing (make), or resealed (reseal). */
static int secret_row(pvs_db *db, const char *name, bool make, bool reseal, int *count)
{
    uint8_t v[SECRET_MAX + PVS_VAULT_OVERHEAD];
    size_t len = 0;
    char ctx[64];
    snprintf(ctx, sizeof ctx, "secret:%s", name);
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT value FROM server_secrets WHERE name = ?",
                       PVS_ARGS(PVS_TEXT(name)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        const void *p = pvs_col_blob(&st, 0, &len);
        if (!p || len > sizeof v)
            len = 0;
        else
            memcpy(v, p, len);
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_ROW && rc != PVS_DB_DONE)
        return rc;
    bool changed = false;
    if (rc == PVS_DB_DONE && make) {
        uint8_t fresh[32];
        randombytes_buf(fresh, sizeof fresh);
        rc = pvs_vault_seal(ctx, fresh, sizeof fresh, v, sizeof v, &len) == 0 ? PVS_DB_OK
                                                                                : PVS_DB_ERROR;
        sodium_memzero(fresh, sizeof fresh);
        if (rc == PVS_DB_OK)
            rc = (int)pvs_exec(db, "INSERT INTO server_secrets (name, value) VALUES (?, ?)",
                               PVS_ARGS(PVS_TEXT(name), PVS_BLOB(v, len)));
        *count += rc >= 0;
        return rc < 0 ? rc : PVS_DB_OK;
    }
    if (rc == PVS_DB_DONE || !reseal)
        return PVS_DB_OK;
    if (len == 0 || seal_value(ctx, v, &len, true, &changed) != 0)
        return PVS_DB_ERROR;
    int64_t k = pvs_exec(db, "UPDATE server_secrets SET value = ? WHERE name = ?",
                         PVS_ARGS(PVS_BLOB(v, len), PVS_TEXT(name)));
    *count += changed;
    return k == 1 ? PVS_DB_OK : PVS_DB_ERROR;
}

int pvs_vault_seal_database(pvs_db *db, int *sealed)
{
    *sealed = 0;
    if (!pvs_vault_ready())
        return PVS_DB_MISUSE;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = seal_all(db, false, sealed);
    if (rc == PVS_DB_OK)
        rc = secret_row(db, PEPPER_NAME, true, false, sealed);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(db);
        return rc;
    }
    return *sealed ? pvs_vault_scrub(db) : PVS_DB_OK;
}

int pvs_vault_scrub(pvs_db *db)
{
    /* SQLite: the write-ahead log still holds the pages as they were before; copy them into
     * the file (secure_delete zeroes the freed space there) and cut the log to nothing */
    if (strcmp(pvs_db_ops_of(db)->name, "sqlite") != 0)
        return PVS_DB_OK;
    return pvs_db_exec_script(db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

int pvs_vault_reseal_database(pvs_db *db, int *count)
{
    *count = 0;
    int rc = seal_all(db, true, count);
    if (rc == PVS_DB_OK)
        rc = secret_row(db, PEPPER_NAME, false, true, count);
    if (rc == PVS_DB_OK)
        rc = pvs_webhooks_reseal(db, count);
    return rc;
}

int pvs_vault_database_sealed(pvs_db *db, bool *sealed)
{
    int64_t n = 0;
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM server_secrets", PVS_NOARGS, &n);
    *sealed = n > 0;
    return rc;
}

int pvs_vault_pepper(pvs_db *db, uint8_t out[32])
{
    uint8_t v[SECRET_MAX + PVS_VAULT_OVERHEAD];
    size_t len = 0, got = 0;
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT value FROM server_secrets WHERE name = ?",
                       PVS_ARGS(PVS_TEXT(PEPPER_NAME)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        const void *p = pvs_col_blob(&st, 0, &len);
        rc = p && len <= sizeof v ? (memcpy(v, p, len), PVS_DB_OK) : PVS_DB_ERROR;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    if (rc == PVS_DB_OK && (pvs_vault_open("secret:" PEPPER_NAME, v, len, out, 32, &got) != 0 ||
                            got != 32))
        rc = PVS_DB_ERROR;
    return rc;
}
