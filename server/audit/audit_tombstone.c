/* Audit checkpoints and tombstones (pvs/audit_tombstone.h): cutting expired records from the
 * front of the hash chain so that what remains still verifies, and a cut made by anyone but
 * the purge (or a tombstone moved) does not. */
#include <inttypes.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "pvs/audit.h"
#include "pvs/audit_tombstone.h"

int pvs_audit_start_read(pvs_db *db, struct pvs_audit_start *out)
{
    memset(out, 0, sizeof out[0]);
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT through_seq, through_hash, attest_seq FROM"
                                " audit_tombstones ORDER BY through_seq DESC LIMIT 1",
                       PVS_NOARGS);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *h = pvs_col_blob(&st, 1, &len);
        out->through_seq = pvs_col_i64(&st, 0);
        out->attest_seq = pvs_col_i64(&st, 2);
        rc = len == 32 && out->through_seq > 0 ? PVS_DB_OK : PVS_DB_ERROR;
        if (rc == PVS_DB_OK)
            memcpy(out->through_hash, h, 32);
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_OK;
    }
    pvs_finalize(&st);
    return rc;
}

bool pvs_audit_attests(const struct pvs_audit_start *start, const char *action,
                       const char *details)
{
    if (!action || strcmp(action, "audit.truncate") != 0 || !details)
        return false;
    json_error_t err;
    json_t *d = json_loads(details, 0, &err);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, start->through_hash, 32);
    const char *h = json_string_value(json_object_get(d, "through_hash"));
    bool ok = d && json_integer_value(json_object_get(d, "through_seq")) == start->through_seq &&
              h && strlen(h) == 64 && sodium_memcmp(h, hex, 64) == 0;
    json_decref(d);
    return ok;
}

/* The last record to remove: the one before the first record written at or after `cutoff`,
 * never the newest one. 0 when nothing is due. */
static int last_due(pvs_db *db, int64_t cutoff, int64_t *seq, uint8_t hash[32])
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT seq, hash FROM audit_log WHERE seq < COALESCE("
                       " (SELECT MIN(seq) FROM audit_log WHERE at >= ?),"
                       " (SELECT MAX(seq) FROM audit_log)) ORDER BY seq DESC LIMIT 1",
                       PVS_ARGS(PVS_I64(cutoff)));
    if (rc != PVS_DB_OK)
        return rc;
    *seq = 0;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *h = pvs_col_blob(&st, 1, &len);
        *seq = pvs_col_i64(&st, 0);
        rc = len == 32 ? PVS_DB_OK : PVS_DB_ERROR;
        if (rc == PVS_DB_OK)
            memcpy(hash, h, 32);
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_OK;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_audit_truncate(pvs_db *db, const struct pvs_audit_actor *who, int64_t cutoff,
                       int64_t *removed)
{
    *removed = 0;
    int64_t through = 0, attest = 0;
    uint8_t hash[32];
    char hex[65];
    int rc = last_due(db, cutoff, &through, hash);
    if (rc != PVS_DB_OK || through == 0)
        return rc;
    sodium_bin2hex(hex, sizeof hex, hash, 32);
    json_t *d = json_pack("{s:I, s:s}", "through_seq", (json_int_t)through, "through_hash", hex);
    rc = pvs_audit_append_raw(db, who, 0, "audit.truncate", "audit", 0, d);
    json_decref(d);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, "SELECT seq FROM audit_head WHERE id = 1", PVS_NOARGS, &attest);
    int64_t n = rc == PVS_DB_OK ? pvs_exec(db, "DELETE FROM audit_log WHERE seq <= ?",
                                           PVS_ARGS(PVS_I64(through)))
                                : rc;
    if (n >= 0)
        *removed = n;
    if (n >= 0)
        n = pvs_exec(db, "INSERT INTO audit_tombstones (through_seq, through_hash, attest_seq,"
                         " removed) VALUES (?, ?, ?, ?)",
                     PVS_ARGS(PVS_I64(through), PVS_BLOB(hash, 32), PVS_I64(attest),
                              PVS_I64(*removed)));
    return n < 0 ? (int)n : PVS_DB_OK;
}
