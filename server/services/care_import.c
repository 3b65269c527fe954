/* The care-planning import against the store (see care_import.h). Provider changes follow
 * the same rule as POST /recipients/{id}/provider-changes (rules/provider_change.c). */
#include "care_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rules/calendar.h"
#include "../rules/provider_change.h"
#include "grants.h"
#include "rows.h"
#include "pvs/clock.h"

#define PERIODS_MAX 256 /* provider history rows of one recipient an import handles */

/* A recipient as the import sees it. */
struct rec {
    int64_t id;
    char address[PVS_IMP_ADDRESS_MAX + 1];
    char apartment[PVS_IMP_APARTMENT_MAX + 1];
};

/* The named provider's id; 0 after recording why not (or a store error). */
static int provider_by_name(pvs_db *db, pvs_imp_file *f, const pvs_imp_row *row, int64_t *id)
{
    pvs_stmt st;
    *id = 0;
    int rc = pvs_query(db, &st, "SELECT id, active FROM providers WHERE name = ?",
                       PVS_ARGS(PVS_TEXT(row->provider)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW && pvs_col_i64(&st, 1))
        *id = pvs_col_i64(&st, 0);
    else if (rc == PVS_DB_ROW || rc == PVS_DB_DONE)
        pvs_imp_add_error(f, row->line,
                          rc == PVS_DB_ROW ? PVS_IMPE_PROVIDER_INACTIVE : PVS_IMPE_NO_PROVIDER,
                          PVS_IMP_F_PROVIDER, row);
    pvs_finalize(&st);
    return rc < 0 ? rc : PVS_DB_OK;
}

/* The recipient with this alarm code; r->id 0 when there is none. */
static int recipient_by_code(pvs_db *db, const char *code, struct rec *r)
{
    pvs_stmt st;
    memset(r, 0, sizeof *r);
    int rc = pvs_query(db, &st,
                       "SELECT c.id, b.address, c.apartment FROM recipients c"
                       " JOIN buildings b ON b.id = c.building_id WHERE c.alarm_code = ?",
                       PVS_ARGS(PVS_TEXT(code)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        const char *a = pvs_col_text(&st, 1), *ap = pvs_col_text(&st, 2);
        r->id = pvs_col_i64(&st, 0);
        snprintf(r->address, sizeof r->address, "%s", a ? a : "");
        snprintf(r->apartment, sizeof r->apartment, "%s", ap ? ap : "");
    }
    pvs_finalize(&st);
    return rc < 0 ? rc : PVS_DB_OK;
}

/* The one building at the row's address; 0 after recording why not. */
static int building_by_address(pvs_db *db, pvs_imp_file *f, const pvs_imp_row *row, int64_t *id)
{
    pvs_stmt st;
    *id = 0;
    int rc = pvs_query(db, &st, "SELECT id FROM buildings WHERE address = ? LIMIT 2",
                       PVS_ARGS(PVS_TEXT(row->address)));
    if (rc != PVS_DB_OK)
        return rc;
    int found = 0;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW)
        if (found++ == 0)
            *id = pvs_col_i64(&st, 0);
    pvs_finalize(&st);
    if (rc < 0)
        return rc;
    if (found != 1) {
        *id = 0;
        pvs_imp_add_error(f, row->line, found ? PVS_IMPE_TWO_ADDRESSES : PVS_IMPE_NO_ADDRESS,
                          PVS_IMP_F_ADDRESS, row);
    }
    return PVS_DB_OK;
}

/* The audit entry of one line's change. Canonical details by hand: the alarm code's
 * characters (rules/care_import.c) and the date need no escaping. */
static int audit(pvs_db *db, const struct pvs_audit_actor *who, int64_t prov, const char *action,
                 int64_t rec, const pvs_imp_row *row)
{
    char d[256];
    int n = snprintf(d, sizeof d,
                     "{\"alarm_code\":\"%s\",\"effective_date\":\"%s\",\"line\":%u,"
                     "\"provider_id\":%lld,\"source\":\"care-planning import\"}",
                     row->alarm_code, row->date, (unsigned)row->line, (long long)prov);
    if (n < 0 || (size_t)n >= sizeof d)
        return PVS_DB_ERROR;
    return pvs_audit_record(db, who, prov, action, "recipient", rec, d);
}

/* A recipient line: create it, or find it already at this address. */
static int import_recipient(pvs_db *db, const struct pvs_audit_actor *who, pvs_imp_file *f,
                            const pvs_imp_row *row, int32_t today, pvs_imp_outcome *out)
{
    int64_t prov = 0, building = 0, id = 0;
    struct rec r;
    int rc = provider_by_name(db, f, row, &prov);
    if (rc == PVS_DB_OK && prov)
        rc = recipient_by_code(db, row->alarm_code, &r);
    if (rc != PVS_DB_OK || !prov)
        return rc;
    if (r.id) {
        if (strcmp(r.address, row->address) != 0 || strcmp(r.apartment, row->apartment) != 0)
            pvs_imp_add_error(f, row->line, PVS_IMPE_OTHER_ADDRESS, PVS_IMP_F_ADDRESS, row);
        else
            out->action = PVS_IMPA_SAME;
        return PVS_DB_OK;
    }
    rc = building_by_address(db, f, row, &building);
    if (rc != PVS_DB_OK || !building)
        return rc;
    char from[PVS_DATE_LEN];
    pvs_date_format(row->day ? row->day : today, from);
    rc = pvs_query_i64(db,
                       "INSERT INTO recipients (alarm_code, building_id, apartment, created_at)"
                       " VALUES (?, ?, ?, ?) RETURNING id",
                       PVS_ARGS(PVS_TEXT(row->alarm_code), PVS_I64(building),
                                PVS_TEXT(row->apartment), PVS_I64(pvs_now())),
                       &id);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db,
                                       "INSERT INTO recipient_providers (recipient_id, provider_id,"
                                       " valid_from, created_at) VALUES (?, ?, ?, ?)",
                                       PVS_ARGS(PVS_I64(id), PVS_I64(prov), PVS_TEXT(from),
                                                PVS_I64(pvs_now()))));
    if (rc == PVS_DB_OK)
        rc = audit(db, who, prov, "recipient.create", id, row);
    if (rc == PVS_DB_OK)
        out->action = PVS_IMPA_CREATE;
    return rc;
}

/* The recipient's provider periods, at most `cap` (*n == cap: maybe more). */
static int load_periods(pvs_db *db, int64_t rec, pvs_period *p, size_t cap, size_t *n)
{
    pvs_stmt st;
    *n = 0;
    int rc = pvs_query(db, &st,
                       "SELECT id, provider_id, valid_from, valid_until FROM recipient_providers"
                       " WHERE recipient_id = ? ORDER BY valid_from, id",
                       PVS_ARGS(PVS_I64(rec)));
    if (rc != PVS_DB_OK)
        return rc;
    while (*n < cap && (rc = pvs_next(&st)) == PVS_DB_ROW) {
        pvs_period *q = &p[(*n)++];
        const char *from = pvs_col_text(&st, 2), *until = pvs_col_text(&st, 3);
        q->row_id = pvs_col_i64(&st, 0);
        q->provider_id = (uint32_t)pvs_col_i64(&st, 1);
        if (!from || pvs_date_parse(from, &q->from_day) != PV_OK)
            q->from_day = PVS_DAY_OPEN;
        if (!until || pvs_date_parse(until, &q->until_day) != PV_OK)
            q->until_day = PVS_DAY_OPEN;
    }
    pvs_finalize(&st);
    return rc < 0 ? rc : PVS_DB_OK;
}

static int apply_actions(pvs_db *db, const pvs_pc_action *a, size_t na, int64_t rec,
                         int64_t prov, const char *date)
{
    int64_t ch = 0;
    for (size_t i = 0; i < na && ch >= 0; i++) {
        if (a[i].kind == PVS_PC_CLOSE)
            ch = pvs_exec(db, "UPDATE recipient_providers SET valid_until = ? WHERE id = ?",
                          PVS_ARGS(PVS_TEXT(date), PVS_I64(a[i].row_id)));
        else if (a[i].kind == PVS_PC_DROP)
            ch = pvs_exec(db, "DELETE FROM recipient_providers WHERE id = ?",
                          PVS_ARGS(PVS_I64(a[i].row_id)));
        else
            ch = pvs_exec(db,
                          "INSERT INTO recipient_providers (recipient_id, provider_id, valid_from,"
                          " created_at) VALUES (?, ?, ?, ?)",
                          PVS_ARGS(PVS_I64(rec), PVS_I64(prov), PVS_TEXT(date),
                                   PVS_I64(pvs_now())));
    }
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* The name of the provider the recipient has the day before the change ("" for none). */
static int provider_name(pvs_db *db, uint32_t id, char *out, size_t cap)
{
    out[0] = '\0';
    if (!id)
        return PVS_DB_OK;
    int rc = pvs_query_text(db, "SELECT name FROM providers WHERE id = ?",
                            PVS_ARGS(PVS_I64(id)), out, cap);
    return rc == PVS_DB_MISUSE || rc == PVS_DB_NOTFOUND ? PVS_DB_OK : rc;
}

/* A provider-change line: nothing when the recipient already has that provider on the
 * date; else the old period closes, later planned ones go, and the new one opens. */
static int import_change(pvs_db *db, const struct pvs_audit_actor *who, pvs_imp_file *f,
                         const pvs_imp_row *row, int32_t today, pvs_imp_outcome *out)
{
    pvs_period p[PERIODS_MAX];
    pvs_pc_action a[PERIODS_MAX + 1];
    int64_t prov = 0;
    struct rec r;
    size_t n = 0, na = 0;
    int rc = provider_by_name(db, f, row, &prov);
    if (rc == PVS_DB_OK && prov)
        rc = recipient_by_code(db, row->alarm_code, &r);
    if (rc != PVS_DB_OK || !prov)
        return rc;
    if (!r.id || (row->address[0] && strcmp(row->address, r.address) != 0)) {
        pvs_imp_add_error(f, row->line, r.id ? PVS_IMPE_OTHER_ADDRESS : PVS_IMPE_NO_RECIPIENT,
                          r.id ? PVS_IMP_F_ADDRESS : PVS_IMP_F_ALARM, row);
        return PVS_DB_OK;
    }
    if ((rc = load_periods(db, r.id, p, PERIODS_MAX, &n)) != PVS_DB_OK)
        return rc;
    if (pvs_periods_provider_at(p, n, row->day) == (uint32_t)prov) {
        out->action = PVS_IMPA_SAME;
        return PVS_DB_OK;
    }
    pvs_pc_status s = n == PERIODS_MAX ? PVS_PC_TOO_MANY
                                       : pvs_provider_change_plan(p, n, (uint32_t)prov, row->day,
                                                                  today, a, PERIODS_MAX + 1, &na);
    if (s != PVS_PC_OK) {
        pvs_imp_add_error(f, row->line, s == PVS_PC_PAST ? PVS_IMPE_PAST : PVS_IMPE_HISTORY,
                          PVS_IMP_F_DATE, row);
        return PVS_DB_OK;
    }
    rc = provider_name(db, pvs_periods_provider_at(p, n, row->day - 1), out->from_provider,
                       sizeof out->from_provider);
    if (rc == PVS_DB_OK)
        rc = apply_actions(db, a, na, r.id, prov, row->date);
    if (rc == PVS_DB_OK)
        rc = audit(db, who, prov, "recipient.provider_change", r.id, row);
    if (rc == PVS_DB_OK)
        out->action = PVS_IMPA_CHANGE;
    return rc;
}

/* Every line in file order (a recipient created above is seen by a change below). */
static int judge_all(pvs_db *db, const struct pvs_audit_actor *who, pvs_imp_file *f,
                     int32_t today, pvs_imp_result *res)
{
    for (size_t i = 0; i < f->nrows; i++) {
        const pvs_imp_row *row = &f->rows[i];
        pvs_imp_outcome *o = &res->outcome[i];
        int rc = row->record == PVS_IMP_RECIPIENT ? import_recipient(db, who, f, row, today, o)
                                                  : import_change(db, who, f, row, today, o);
        if (rc != PVS_DB_OK)
            return rc;
        res->created += o->action == PVS_IMPA_CREATE;
        res->changed += o->action == PVS_IMPA_CHANGE;
        res->unchanged += o->action == PVS_IMPA_SAME;
    }
    return PVS_DB_OK;
}

int pvs_care_import(pvs_db *db, const struct pvs_audit_actor *who, pvs_imp_file *f, bool apply,
                    int32_t today, pvs_imp_result *res)
{
    memset(res, 0, sizeof *res);
    res->outcome = calloc(f->nrows ? f->nrows : 1, sizeof *res->outcome);
    if (!res->outcome)
        return PVS_DB_ERROR;
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    rc = judge_all(db, who, f, today, res);
    if (rc == PVS_DB_OK && res->changed + res->created)
        rc = pvs_grants_changed(db);
    if (rc != PVS_DB_OK || !apply || f->errors_total) {
        /* a dry run made the same changes to show them exactly; none of it stays */
        pvs_tx_rollback(db);
        return rc;
    }
    rc = pvs_tx_commit(db);
    res->applied = rc == PVS_DB_OK;
    return rc;
}

void pvs_care_import_free(pvs_imp_result *res)
{
    free(res->outcome);
    res->outcome = NULL;
}
