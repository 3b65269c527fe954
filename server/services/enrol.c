/* Enrolling a key by code (enrol.h): the pending keys a station hands up, the code's
 * lookup, and the key made from an enrolment under the one-label-one-key rule. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "enrol.h"

#define ENROL_COLS "id, provider_id, COALESCE(station_id, 0), code, kind, public_key," \
                   " expires_at, COALESCE(bearer_id, 0)"

static int read_row(pvs_stmt *st, pvs_enrolment *e)
{
    size_t len = 0;
    const void *pk = pvs_col_blob(st, 5, &len);
    const char *code = pvs_col_text(st, 3), *kind = pvs_col_text(st, 4);
    memset(e, 0, sizeof *e);
    if (!pk || len != 32 || !code || !kind)
        return PVS_DB_ERROR;
    e->id = pvs_col_i64(st, 0);
    e->provider_id = pvs_col_i64(st, 1);
    e->station_id = pvs_col_i64(st, 2);
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    memcpy(e->public_key, pk, 32);
    e->expires_at = pvs_col_i64(st, 6);
    e->bearer_id = pvs_col_i64(st, 7);
    return PVS_DB_OK;
}

/* The first row of an ENROL_COLS query into *e: PVS_DB_OK, PVS_DB_NOTFOUND or an error. */
static int one(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
               pvs_enrolment *e)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    rc = rc == PVS_DB_ROW ? read_row(&st, e) : rc == PVS_DB_DONE ? PVS_DB_NOTFOUND : rc;
    pvs_finalize(&st);
    return rc;
}

/* A code no enrolment has used yet (35 random bits: a repeat is a one-in-billions event,
 * and the UNIQUE column still refuses it). */
static int fresh_code(pvs_db *db, char code[PVS_ENROL_CODE_TEXT])
{
    for (int tries = 0; tries < 4; tries++) {
        uint8_t rnd[5];
        int64_t n = 0;
        randombytes_buf(rnd, sizeof rnd);
        pvs_enrol_code_make(rnd, code);
        int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM key_enrolments WHERE code = ?",
                               PVS_ARGS(PVS_TEXT(code)), &n);
        if (rc != PVS_DB_OK || n == 0)
            return rc;
    }
    return PVS_DB_UNIQUE;
}

int pvs_enrol_offer(pvs_db *db, int64_t provider, int64_t station, const uint8_t pk[32],
                    const char *kind, int64_t now, pvs_enrolment *out)
{
    int64_t n = 0;
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM bearers WHERE public_key = ?",
                           PVS_ARGS(PVS_BLOB(pk, 32)), &n);
    if (rc != PVS_DB_OK || n > 0)
        return rc != PVS_DB_OK ? rc : PVS_ENROL_REGISTERED;
    rc = one(db, "SELECT " ENROL_COLS " FROM key_enrolments WHERE public_key = ?"
                 " AND provider_id = ? AND bearer_id IS NULL AND expires_at > ?"
                 " ORDER BY id DESC LIMIT 1",
             PVS_ARGS(PVS_BLOB(pk, 32), PVS_I64(provider), PVS_I64(now)), out);
    if (rc != PVS_DB_NOTFOUND)
        return rc;
    char code[PVS_ENROL_CODE_TEXT];
    if ((rc = fresh_code(db, code)) != PVS_DB_OK)
        return rc;
    int64_t id = 0;
    rc = pvs_query_i64(db,
                       "INSERT INTO key_enrolments (provider_id, station_id, code, kind,"
                       " public_key, created_at, expires_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                       PVS_ARGS(PVS_I64(provider), PVS_ID_OR_NULL(station), PVS_TEXT(code),
                                PVS_TEXT(kind), PVS_BLOB(pk, 32), PVS_I64(now),
                                PVS_I64(now + PVS_ENROL_TTL_S)),
                       &id);
    if (rc != PVS_DB_OK)
        return rc;
    return one(db, "SELECT " ENROL_COLS " FROM key_enrolments WHERE id = ?",
               PVS_ARGS(PVS_I64(id)), out);
}

int pvs_enrol_find(pvs_db *db, const char *code, int64_t id, int64_t scope, int64_t now,
                   pvs_enrolment *out)
{
    int rc = code ? one(db, "SELECT " ENROL_COLS " FROM key_enrolments WHERE code = ?",
                        PVS_ARGS(PVS_TEXT(code)), out)
                  : one(db, "SELECT " ENROL_COLS " FROM key_enrolments WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), out);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && scope && out->provider_id != scope))
        return PVS_ENROL_UNKNOWN;
    if (rc != PVS_DB_OK)
        return rc;
    if (out->bearer_id)
        return PVS_ENROL_USED;
    return out->expires_at <= now ? PVS_ENROL_UNKNOWN : PVS_ENROL_OK;
}

int pvs_bearer_label_taken(pvs_db *db, int64_t provider, const char *label, bool *taken,
                           int64_t *other)
{
    *taken = false;
    *other = 0;
    int rc = pvs_query_i64(db,
                           "SELECT id FROM bearers WHERE provider_id = ? AND state <> 'retired'"
                           " AND LOWER(TRIM(label)) = LOWER(TRIM(?)) ORDER BY id LIMIT 1",
                           PVS_ARGS(PVS_I64(provider), PVS_TEXT(label)), other);
    if (rc == PVS_DB_NOTFOUND)
        return PVS_DB_OK;
    *taken = rc == PVS_DB_OK;
    return rc;
}

int pvs_enrol_redeem(pvs_db *db, const pvs_enrolment *e, int64_t staff, const char *label,
                     int64_t now, int64_t *bearer_id)
{
    bool taken = false;
    int64_t other = 0;
    int rc = pvs_bearer_label_taken(db, e->provider_id, label, &taken, &other);
    if (rc != PVS_DB_OK || taken)
        return rc != PVS_DB_OK ? rc : PVS_ENROL_LABEL;
    rc = pvs_query_i64(db,
                       "INSERT INTO bearers (staff_id, provider_id, kind, label, public_key,"
                       " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                       PVS_ARGS(PVS_I64(staff), PVS_I64(e->provider_id), PVS_TEXT(e->kind),
                                PVS_TEXT(label), PVS_BLOB(e->public_key, 32), PVS_I64(now)),
                       bearer_id);
    if (rc != PVS_DB_OK)
        return rc;
    if (pvs_exec(db, "UPDATE key_enrolments SET bearer_id = ? WHERE id = ? AND bearer_id IS NULL",
                 PVS_ARGS(PVS_I64(*bearer_id), PVS_I64(e->id))) != 1)
        return PVS_DB_ERROR;
    return PVS_ENROL_OK;
}
