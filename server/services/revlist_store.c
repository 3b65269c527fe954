/* The issuer's revocation lists in the store: the newest signed list, and rebuilding a
 * new version from the lost bearers whenever one is reported (see issue.h). */
#include <stdlib.h>
#include <string.h>

#include "../rules/revlist.h"
#include "issue.h"

static int store_list(pvs_db *db, const struct pvs_issuer *iss, uint64_t version, int64_t now,
                      const pv_revoked *e, uint16_t n, int truncated)
{
    uint8_t buf[PV_REVLIST_MAX_SIZE];
    size_t len = 0;
    int rc = pv_revlist_sign(iss->issuer_id, version, (uint64_t)now, e, n, iss->sk, buf,
                             sizeof buf, &len);
    if (rc != PV_OK)
        return rc;
    int64_t ch = pvs_exec(db,
                          "INSERT INTO revlists (issuer_id, version, issued_at, entries,"
                          " truncated, key_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          PVS_ARGS(PVS_I64(iss->issuer_id), PVS_I64(version), PVS_I64(now),
                                   PVS_I64(n), PVS_I64(truncated), PVS_I64(iss->key_id),
                                   PVS_BLOB(buf, len)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

int pvs_revlist_current(pvs_db *db, const struct pvs_issuer *iss, int64_t now, uint8_t *buf,
                        size_t cap, size_t *len, uint64_t *version)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT version, body, key_id FROM revlists WHERE issuer_id = ?"
                       " ORDER BY version DESC LIMIT 1",
                       PVS_ARGS(PVS_I64(iss->issuer_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    /* after a key rotation the newest list is signed again (as a new version) with the
     * current key, so keys never carry a list signed by a retired key */
    if (rc == PVS_DB_ROW && pvs_col_i64(&st, 2) != (int64_t)iss->key_id && pvs_tx_is_write(db)) {
        pvs_finalize(&st);
        rc = pvs_revlist_rebuild(db, iss, now, version);
        if (rc != PVS_DB_OK)
            return rc;
        return pvs_revlist_current(db, iss, now, buf, cap, len, version);
    }
    if (rc == PVS_DB_ROW) {
        size_t n = 0;
        const void *body = pvs_col_blob(&st, 1, &n);
        *version = (uint64_t)pvs_col_i64(&st, 0);
        if (!body || n > cap) {
            rc = PVS_DB_ERROR;
        } else {
            memcpy(buf, body, n);
            *len = n;
            rc = PVS_DB_OK;
        }
        pvs_finalize(&st);
        return rc;
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE)
        return rc;
    if (!pvs_tx_is_write(db))
        return PVS_DB_NOTFOUND;
    rc = pvs_revlist_rebuild(db, iss, now, version);
    if (rc != PVS_DB_OK)
        return rc;
    return pvs_revlist_current(db, iss, now, buf, cap, len, version);
}

int pvs_revlist_rebuild(pvs_db *db, const struct pvs_issuer *iss, int64_t now,
                        uint64_t *version)
{
    int64_t last = 0;
    int rc = pvs_query_i64(db, "SELECT COALESCE(MAX(version), 0) FROM revlists WHERE issuer_id = ?",
                           PVS_ARGS(PVS_I64(iss->issuer_id)), &last);
    if (rc != PVS_DB_OK)
        return rc;
    pvs_stmt st;
    rc = pvs_query(db, &st,
                   "SELECT id, revoked_at FROM bearers WHERE state IN ('lost', 'retired')"
                   " AND revoked_at IS NOT NULL AND revoked_at > ?",
                   PVS_ARGS(PVS_I64(now - (int64_t)PV_CRED_MAX_LIFETIME_S)));
    if (rc != PVS_DB_OK)
        return rc;
    size_t n = 0, cap = 0;
    pv_revoked *all = NULL;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            pv_revoked *p = realloc(all, nc * sizeof *p);
            if (!p) {
                rc = PV_E_NOMEM;
                break;
            }
            all = p;
            cap = nc;
        }
        all[n].bearer_id = (uint32_t)pvs_col_i64(&st, 0);
        all[n].revoked_at = (uint64_t)pvs_col_i64(&st, 1);
        n++;
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE) {
        free(all);
        return rc;
    }
    pv_revoked list[PV_REVLIST_MAX];
    uint16_t count = 0;
    int truncated = 0;
    pvs_revlist_assemble(all, n, (uint64_t)now, list, &count, &truncated);
    free(all);
    *version = (uint64_t)last + 1;
    return store_list(db, iss, *version, now, list, count, truncated);
}
