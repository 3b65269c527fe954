/* A recipient's departure and the erasure of departed recipients after retention
 * (services/depart.h). */
#include <stdio.h>
#include <string.h>

#include "../rules/calendar.h"
#include "depart.h"
#include "grants.h"
#include "pvs/audit_record.h"
#include "pvs/erase.h"

/* Whether the recipient exists and has left already; their current provider. */
static int check(pvs_db *db, int64_t id, const char *date, struct pvs_depart_counts *out)
{
    char departed[16] = "";
    int rc = pvs_query_text(db, "SELECT COALESCE(departed_on, '') FROM recipients WHERE id = ?",
                            PVS_ARGS(PVS_I64(id)), departed, sizeof departed);
    if (rc == PVS_DB_NOTFOUND)
        out->result = PVS_DEPART_NOT_FOUND;
    else if (rc == PVS_DB_OK && departed[0])
        out->result = PVS_DEPART_ALREADY;
    if (rc != PVS_DB_OK)
        return rc == PVS_DB_NOTFOUND ? PVS_DB_OK : rc;
    rc = pvs_query_i64(db, "SELECT provider_id FROM recipient_providers WHERE recipient_id = ?"
                           " AND valid_from <= ? AND (valid_until IS NULL OR valid_until > ?)"
                           " ORDER BY valid_from DESC LIMIT 1",
                       PVS_ARGS(PVS_I64(id), PVS_TEXT(date), PVS_TEXT(date)), &out->provider_id);
    return rc == PVS_DB_NOTFOUND ? PVS_DB_OK : rc;
}

static int apply(pvs_db *db, int64_t id, const char *date, const char *eve,
                 struct pvs_depart_counts *out)
{
    int64_t n = pvs_exec(db, "UPDATE recipient_providers SET valid_until = ? WHERE recipient_id = ?"
                             " AND valid_from < ? AND (valid_until IS NULL OR valid_until > ?)",
                         PVS_ARGS(PVS_TEXT(date), PVS_I64(id), PVS_TEXT(date), PVS_TEXT(date)));
    if (n >= 0)
        n = pvs_exec(db, "DELETE FROM recipient_providers WHERE recipient_id = ? AND valid_from >= ?",
                     PVS_ARGS(PVS_I64(id), PVS_TEXT(date)));
    if (n >= 0)
        n = out->rights_ended = pvs_exec(
            db, "UPDATE rights SET valid_until = ? WHERE recipient_id = ? AND valid_from < ?"
                " AND (valid_until IS NULL OR valid_until >= ?)",
            PVS_ARGS(PVS_TEXT(eve), PVS_I64(id), PVS_TEXT(date), PVS_TEXT(date)));
    if (n >= 0)
        n = out->rights_deleted = pvs_exec(
            db, "DELETE FROM rights WHERE recipient_id = ? AND valid_from >= ?",
            PVS_ARGS(PVS_I64(id), PVS_TEXT(date)));
    if (n >= 0)
        n = pvs_exec(db, "UPDATE recipients SET departed_on = ? WHERE id = ?",
                     PVS_ARGS(PVS_TEXT(date), PVS_I64(id)));
    return n < 0 ? (int)n : pvs_grants_changed(db);
}

int pvs_recipient_depart(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                         int32_t day, int32_t today, struct pvs_depart_counts *out)
{
    *out = (struct pvs_depart_counts){0};
    if (day < today) {
        out->result = PVS_DEPART_PAST;
        return PVS_DB_OK;
    }
    char date[PVS_DATE_LEN], eve[PVS_DATE_LEN];
    pvs_date_format(day, date);
    pvs_date_format(day - 1, eve);
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = check(db, id, date, out);
    if (rc == PVS_DB_OK && out->result == PVS_DEPART_DONE)
        rc = apply(db, id, date, eve, out);
    if (rc == PVS_DB_OK && out->result == PVS_DEPART_DONE) {
        /* canonical details (sorted keys, compact): the date is digits and dashes only */
        char d[160];
        snprintf(d, sizeof d, "{\"departed_on\":\"%s\",\"rights_deleted\":%lld,\"rights_ended\":%lld}",
                 date, (long long)out->rights_deleted, (long long)out->rights_ended);
        rc = pvs_audit_record(db, who, out->provider_id, "recipient.depart", "recipient", id, d);
    }
    if (rc == PVS_DB_OK && out->result == PVS_DEPART_DONE)
        return pvs_tx_commit(db);
    pvs_tx_rollback(db);
    return rc;
}

int pvs_domain_purge_departed(pvs_db *db, const struct pvs_audit_actor *who,
                              const struct pvs_config *cfg, int64_t now, int64_t *erased)
{
    *erased = 0;
    if (!cfg->retain_departed_days)
        return PVS_DB_OK;
    char cutoff[PVS_DATE_LEN];
    pvs_date_format(pvs_local_day(now) - (int32_t)cfg->retain_departed_days, cutoff);
    int64_t ids[64];
    size_t n = 0;
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT id FROM recipients WHERE departed_on IS NOT NULL"
                                " AND departed_on < ? AND erased_at IS NULL ORDER BY id LIMIT 64",
                       PVS_ARGS(PVS_TEXT(cutoff)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW)
        ids[n++] = pvs_col_i64(&st, 0);
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE)
        return rc;
    rc = PVS_DB_OK;
    for (size_t i = 0; i < n && rc == PVS_DB_OK; i++) { /* the rest on the next day's run */
        struct pvs_erase_counts c;
        rc = pvs_person_erase_tx(db, who, "recipient", ids[i], &c);
        *erased += rc == PVS_DB_OK && c.result == PVS_ERASE_DONE;
    }
    return rc;
}
