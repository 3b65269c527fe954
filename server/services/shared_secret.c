/* Secrets shared by every server instance on one database: made once at random, sealed
 * under the vault key in server_secrets, read by each instance at start. */
#include "shared_secret.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/vault.h"

#define SEALED_MAX (32 + PVS_VAULT_OVERHEAD)

/* The stored value opened into out: PVS_DB_OK, PVS_DB_NOTFOUND (no row, or a row that no
 * loaded vault key opens), or a store error. */
static int read_secret(pvs_db *db, const char *name, const char *ctx, uint8_t out[32])
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT value FROM server_secrets WHERE name = ?",
                       PVS_ARGS(PVS_TEXT(name)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    size_t len = 0, got = 0;
    const void *p = rc == PVS_DB_ROW ? pvs_col_blob(&st, 0, &len) : NULL;
    if (rc == PVS_DB_ROW)
        rc = p && pvs_vault_open(ctx, p, len, out, 32, &got) == 0 && got == 32 ? PVS_DB_OK
                                                                               : PVS_DB_NOTFOUND;
    else if (rc == PVS_DB_DONE)
        rc = PVS_DB_NOTFOUND;
    pvs_finalize(&st);
    return rc;
}

/* A fresh secret, sealed, in place of whatever row there was. */
static int make_secret(pvs_db *db, const char *name, const char *ctx, uint8_t out[32])
{
    uint8_t sealed[SEALED_MAX];
    size_t len = 0;
    randombytes_buf(out, 32);
    if (pvs_vault_seal(ctx, out, 32, sealed, sizeof sealed, &len) != 0)
        return PVS_DB_MISUSE;
    if (pvs_exec(db, "DELETE FROM server_secrets WHERE name = ?", PVS_ARGS(PVS_TEXT(name))) < 0 ||
        pvs_exec(db, "INSERT INTO server_secrets (name, value) VALUES (?, ?)",
                 PVS_ARGS(PVS_TEXT(name), PVS_BLOB(sealed, len))) != 1)
        return PVS_DB_ERROR;
    return PVS_DB_OK;
}

int pvs_shared_secret(pvs_db *db, const char *name, uint8_t out[32])
{
    char ctx[64];
    snprintf(ctx, sizeof ctx, "secret:%s", name);
    /* under the write lock: two instances starting at once agree on one secret */
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK) {
        rc = read_secret(db, name, ctx, out);
        if (rc == PVS_DB_NOTFOUND)
            rc = make_secret(db, name, ctx, out);
    }
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    pvs_tx_rollback(db); /* harmless after a commit */
    if (rc != PVS_DB_OK)
        sodium_memzero(out, 32);
    return rc;
}
