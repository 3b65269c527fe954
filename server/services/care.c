/* Care recipients (see care.h): the SQL and transactions behind /recipients. */
#include "care.h"

#include "grants.h"
#include "issue.h"
#include "pvs/clock.h"
#include "../rules/calendar.h"

/* ?1 today, ?2 the scope; the caller adds its conditions from ?3. */
#define REC_SELECT                                                                          \
    "SELECT c.id, c.alarm_code, c.building_id, b.address, c.apartment, c.lock_id,"          \
    " (SELECT p.provider_id FROM recipient_providers p WHERE p.recipient_id = c.id"         \
    "  AND p.valid_from <= ?1 AND (p.valid_until IS NULL OR p.valid_until > ?1)),"          \
    " c.created_at, (SELECT l.state FROM locks l WHERE l.id = c.lock_id),"                  \
    " EXISTS (SELECT 1 FROM consents k WHERE k.withdrawn_at IS NULL"                        \
    "  AND k.kind = 'recipient' AND k.recipient_id = c.id),"                                \
    " EXISTS (SELECT 1 FROM consents k WHERE k.withdrawn_at IS NULL AND ((k.kind ="         \
    "  'property' AND k.building_id = c.building_id) OR (k.kind = 'portfolio'"              \
    "  AND k.owner_id = b.owner_id)))"                                                      \
    " FROM recipients c JOIN buildings b ON b.id = c.building_id"                           \
    " WHERE (?2 = 0 OR EXISTS (SELECT 1 FROM recipient_providers q WHERE"                   \
    "  q.recipient_id = c.id AND q.provider_id = ?2 AND (q.valid_until IS NULL OR"          \
    "  q.valid_until > ?1)))"

static void today(char out[PVS_DATE_LEN])
{
    pvs_date_format(pvs_local_day(pvs_now()), out);
}

int pvs_recipients_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                        const struct pvs_rows_out *out)
{
    char day[PVS_DATE_LEN];
    today(day);
    return pvs_rows_range(db, REC_SELECT " AND c.id > ?3 ORDER BY c.id LIMIT ?4",
                          PVS_ARGS(PVS_TEXT(day), PVS_I64(scope)), rg, out);
}

int pvs_recipient_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_recipient_out *out)
{
    char day[PVS_DATE_LEN];
    today(day);
    int rc = pvs_rows_one(db, REC_SELECT " AND c.id = ?3",
                          PVS_ARGS(PVS_TEXT(day), PVS_I64(scope), PVS_I64(id)), out->row);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db,
                          "SELECT id, provider_id, valid_from, valid_until FROM recipient_providers"
                          " WHERE recipient_id = ? ORDER BY valid_from, id",
                          PVS_ARGS(PVS_I64(id)), out->periods);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db,
                          "SELECT l.id FROM locks l JOIN recipients c ON c.building_id = l.building_id"
                          " WHERE c.id = ? AND l.kind <> 'apartment' AND l.state <> 'removed'"
                          " ORDER BY l.id",
                          PVS_ARGS(PVS_I64(id)), out->doors);
    return rc;
}

/* An apartment lock given for a recipient must be an apartment lock in its building. */
static int check_lock_fits(pvs_db *db, int64_t lock, int64_t building, struct pvs_care_outcome *o)
{
    int64_t n = 0;
    if (lock == 0)
        return PVS_DB_OK;
    int rc = pvs_query_i64(db,
                           "SELECT COUNT(*) FROM locks WHERE id = ? AND kind = 'apartment'"
                           " AND building_id = ?",
                           PVS_ARGS(PVS_I64(lock), PVS_I64(building)), &n);
    if (rc == PVS_DB_OK && n == 0)
        *o = (struct pvs_care_outcome){PVS_CARE_LOCK_MISFIT, lock, building};
    return rc;
}

/* The end of a change: roll back a refusal, else read the recipient back and finish. */
static int change_end(pvs_db *db, int rc, int64_t id, const struct pvs_care_outcome *o,
                      const struct pvs_recipient_out *out)
{
    if (rc == PVS_DB_OK && o->refused) {
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_recipient_get(db, id, 0, out);
    return pvs_tx_finish(db, rc);
}

int pvs_recipient_create(pvs_db *db, const struct pvs_audit_actor *who,
                         const struct pvs_recipient_new *n, const char *details,
                         struct pvs_care_outcome *o, const struct pvs_recipient_out *out)
{
    char day[PVS_DATE_LEN];
    int64_t id = 0;
    today(day);
    *o = (struct pvs_care_outcome){0};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = check_lock_fits(db, n->lock_id, n->building_id, o);
    if (rc != PVS_DB_OK || o->refused)
        return change_end(db, rc, 0, o, out);
    rc = pvs_query_i64(db,
                       "INSERT INTO recipients (alarm_code, building_id, apartment, lock_id,"
                       " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                       PVS_ARGS(PVS_TEXT(n->alarm_code), PVS_I64(n->building_id),
                                PVS_TEXT(n->apartment), PVS_ID_OR_NULL(n->lock_id),
                                PVS_I64(pvs_now())),
                       &id);
    if (rc == PVS_DB_OK && pvs_exec(db,
                                    "INSERT INTO recipient_providers (recipient_id, provider_id,"
                                    " valid_from, created_at) VALUES (?, ?, ?, ?)",
                                    PVS_ARGS(PVS_I64(id), PVS_I64(n->provider_id),
                                             PVS_TEXT(n->valid_from ? n->valid_from : day),
                                             PVS_I64(pvs_now()))) < 0)
        rc = PVS_DB_FOREIGN;
    if (rc == PVS_DB_OK)
        rc = pvs_grants_changed(db);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, n->provider_id, "recipient.create", "recipient", id,
                              details);
    return change_end(db, rc, id, o, out);
}

/* The recipient's building and apartment lock (0 for none); refused PVS_CARE_MISSING. */
static int recipient_place(pvs_db *db, int64_t id, int64_t place[2], struct pvs_care_outcome *o)
{
    int rc = pvs_rows_i64s(db, "SELECT building_id, lock_id FROM recipients WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)), place, 2);
    if (rc != PVS_DB_NOTFOUND)
        return rc;
    o->refused = PVS_CARE_MISSING;
    return PVS_DB_OK;
}

int pvs_recipient_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                         const struct pvs_recipient_change *c, const char *details,
                         struct pvs_care_outcome *o, const struct pvs_recipient_out *out)
{
    int64_t place[2] = {0, 0}, building = 0, lock = 0;
    *o = (struct pvs_care_outcome){0};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = recipient_place(db, id, place, o);
    if (rc == PVS_DB_OK && !o->refused) {
        building = c->building_id ? c->building_id : place[0];
        lock = c->set_lock ? c->lock_id : place[1];
        rc = check_lock_fits(db, lock, building, o);
    }
    if (rc != PVS_DB_OK || o->refused)
        return change_end(db, rc, id, o, out);
    rc = pvs_rows_changed(pvs_exec(db,
                                   "UPDATE recipients SET building_id = ?, lock_id = ?,"
                                   " apartment = COALESCE(?, apartment) WHERE id = ?",
                                   PVS_ARGS(PVS_I64(building), PVS_ID_OR_NULL(lock),
                                            PVS_TEXT_OR_NULL(c->apartment), PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_rights_refresh_recipient(db, id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, 0, "recipient.update", "recipient", id, details);
    return change_end(db, rc, id, o, out);
}
