/* Secrets shared by every server instance on one database: made once at random, kept in
 * server_secrets, read by each instance at start. */
#include "shared_secret.h"

#include <string.h>

#include <sodium.h>

int pvs_shared_secret(pvs_db *db, const char *name, uint8_t out[32])
{
    uint8_t fresh[32];
    randombytes_buf(fresh, sizeof fresh);
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK && pvs_exec(db, "INSERT INTO server_secrets (name, secret) VALUES (?, ?)"
                                        " ON CONFLICT DO NOTHING",
                                    PVS_ARGS(PVS_TEXT(name), PVS_BLOB(fresh, sizeof fresh))) < 0)
        rc = PVS_DB_ERROR;
    sodium_memzero(fresh, sizeof fresh);
    pvs_stmt st;
    if (rc == PVS_DB_OK)
        rc = pvs_query(db, &st, "SELECT secret FROM server_secrets WHERE name = ?",
                       PVS_ARGS(PVS_TEXT(name)));
    if (rc == PVS_DB_OK) {
        size_t len = 0;
        const void *p = pvs_next(&st) == PVS_DB_ROW ? pvs_col_blob(&st, 0, &len) : NULL;
        if (p && len == 32)
            memcpy(out, p, 32);
        else
            rc = PVS_DB_ERROR;
        pvs_finalize(&st);
    }
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    pvs_tx_rollback(db); /* harmless after a commit */
    if (rc != PVS_DB_OK)
        sodium_memzero(out, 32);
    return rc;
}
