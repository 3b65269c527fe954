/* Enrolling a key by code (enrol.h): the pending keys a station hands up, the code's
 * lookup, and the key made from an enrolment under the one-label-one-key rule. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "enrol.h"
#include "people.h"

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

/* pvs_enrol_offer inside its transaction. */
static int offer(pvs_db *db, int64_t provider, int64_t station, const uint8_t pk[32],
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

/* The enrolment by normalised code (code != NULL) or by id, visible to `scope` (0 = every
 * provider). PVS_ENROL_UNKNOWN when missing, out of scope or expired; PVS_ENROL_USED when
 * already redeemed; else PVS_ENROL_OK with *out filled, or a negative pvs_db_rc. */
static int find(pvs_db *db, const char *code, int64_t id, int64_t scope, int64_t now,
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

/* Makes the enrolment's key a key of staff member `staff` (of the enrolment's provider)
 * called `label`, and marks the enrolment used. PVS_ENROL_LABEL if the label is taken;
 * else PVS_ENROL_OK and *bearer_id, or a negative pvs_db_rc. */
static int make_key(pvs_db *db, const pvs_enrolment *e, int64_t staff, const char *label,
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

int pvs_enrol_offer(pvs_db *db, int64_t provider, int64_t station, const uint8_t pk[32],
                    const char *kind, int64_t now, pvs_enrolment *out)
{
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    rc = offer(db, provider, station, pk, kind, now, out);
    if (rc == PVS_ENROL_REGISTERED) {
        pvs_tx_rollback(db);
        return rc;
    }
    return pvs_tx_finish(db, rc);
}

int pvs_enrol_list(pvs_db *db, int64_t scope, int64_t now, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT e.id, e.provider_id, COALESCE(e.station_id, 0),"
                          " COALESCE(s.name, ''), e.kind, e.code, e.created_at, e.expires_at"
                          " FROM key_enrolments e LEFT JOIN stations s ON s.id = e.station_id"
                          " WHERE (? = 0 OR e.provider_id = ?) AND e.bearer_id IS NULL"
                          " AND e.expires_at > ? AND e.id > ? ORDER BY e.id LIMIT ?",
                          PVS_ARGS(PVS_I64(scope), PVS_I64(scope), PVS_I64(now)), rg, out);
}

/* The provider of staff member `staff` when `scope` may see it (PVS_ENROL_NO_STAFF if not). */
static int staff_provider(pvs_db *db, int64_t staff, int64_t scope, int64_t *prov)
{
    int rc = pvs_query_i64(db, "SELECT provider_id FROM staff WHERE id = ?",
                           PVS_ARGS(PVS_I64(staff)), prov);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && scope != 0 && (*prov == 0 || *prov != scope)))
        return PVS_ENROL_NO_STAFF;
    return rc;
}

/* The enrolment a redeem names, by code or id, in provider `prov`: PVS_ENROL_OK, a
 * refusal (with the code it names in out->code) or a store error. */
static int named(pvs_db *db, const struct pvs_enrol_redeem_req *q, int64_t prov,
                 pvs_enrolment *e, struct pvs_enrol_outcome *out)
{
    if (q->code && !pvs_enrol_code_parse(q->code, strlen(q->code), out->code))
        return PVS_ENROL_MISTYPED;
    if (!q->code && q->enrolment_id <= 0)
        return PVS_ENROL_NAMELESS;
    memset(e, 0, sizeof *e);
    int rc = find(db, q->code ? out->code : NULL, q->enrolment_id, prov, q->now, e);
    if (rc > 0 && !q->code)
        snprintf(out->code, sizeof out->code, "%s", e->code[0] ? e->code : "-");
    return rc;
}

/* "bearer.create" with the request's details and the enrolment's code and kind. */
static int audit_key(pvs_db *db, const struct pvs_audit_actor *who, int64_t prov,
                     const pvs_enrolment *e, int64_t bearer, const char *details)
{
    char det[1024];
    if (!details || details[0] != '{' || details[1] == '}')
        return PVS_DB_MISUSE;
    int n = snprintf(det, sizeof det, "{\"enrolment_code\":\"%s\",\"kind\":\"%s\",%s", e->code,
                     e->kind, details + 1);
    if (n < 0 || (size_t)n >= sizeof det)
        return PVS_DB_MISUSE;
    return pvs_audit_record(db, who, prov, "bearer.create", "bearer", bearer, det);
}

int pvs_enrol_redeem(pvs_db *db, const struct pvs_audit_actor *who,
                     const struct pvs_enrol_redeem_req *q, struct pvs_enrol_outcome *out,
                     const struct pvs_rows_out *row)
{
    *out = (struct pvs_enrol_outcome){0};
    pvs_enrolment e;
    int64_t prov = 0, bearer = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = staff_provider(db, q->staff_id, q->scope, &prov);
    if (rc == PVS_DB_OK)
        rc = named(db, q, prov, &e, out);
    if (rc == PVS_DB_OK)
        rc = make_key(db, &e, q->staff_id, q->label, q->now, &bearer);
    if (rc > 0) {
        out->refused = rc;
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = audit_key(db, who, prov, &e, bearer, q->details);
    if (rc == PVS_DB_OK)
        rc = pvs_bearer_get(db, bearer, 0, row);
    return pvs_tx_finish(db, rc);
}
