/* Rights and provider changes (see access_rights.h): the SQL and transactions behind
 * /rights and /recipients/{id}/provider-changes. */
#include "access_rights.h"

#include "grants.h"
#include "issue.h"
#include "pvs/clock.h"
#include "../rules/calendar.h"
#include "../rules/rights.h"

#define RIGHT_COLS \
    "id, staff_id, recipient_id, provider_id, kind, valid_from, valid_until, windows, created_at"
#define PERIODS_SQL                                                                        \
    "SELECT id, provider_id, valid_from, valid_until FROM recipient_providers"             \
    " WHERE recipient_id = ? ORDER BY valid_from, id"
#define PERIODS_MAX 256 /* provider history rows of one recipient considered */

struct periods {
    pvs_period p[PERIODS_MAX];
    size_t n;
};

static bool period_row(pvs_stmt *st, void *ctx)
{
    struct periods *ps = ctx;
    if (ps->n >= PERIODS_MAX)
        return false;
    pvs_period *q = &ps->p[ps->n++];
    q->row_id = pvs_col_i64(st, 0);
    q->provider_id = (uint32_t)pvs_col_i64(st, 1);
    const char *from = pvs_col_text(st, 2), *until = pvs_col_text(st, 3);
    if (!from || pvs_date_parse(from, &q->from_day) != PV_OK)
        q->from_day = PVS_DAY_OPEN;
    if (!until || pvs_date_parse(until, &q->until_day) != PV_OK)
        q->until_day = PVS_DAY_OPEN;
    return true;
}

/* The recipient's provider periods; PVS_DB_NOTFOUND if there is no such recipient. */
static int load_periods(pvs_db *db, int64_t rec, struct periods *ps)
{
    int64_t exists = 0;
    ps->n = 0;
    int rc = pvs_query_i64(db, "SELECT id FROM recipients WHERE id = ?", PVS_ARGS(PVS_I64(rec)),
                           &exists);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db, PERIODS_SQL, PVS_ARGS(PVS_I64(rec)),
                          &(struct pvs_rows_out){period_row, ps});
    return rc;
}

static int apply_action(pvs_db *db, const pvs_pc_action *a, int64_t rec, int64_t prov,
                        const char *date)
{
    int64_t ch;
    switch (a->kind) {
    case PVS_PC_CLOSE:
        ch = pvs_exec(db, "UPDATE recipient_providers SET valid_until = ? WHERE id = ?",
                      PVS_ARGS(PVS_TEXT(date), PVS_I64(a->row_id)));
        break;
    case PVS_PC_DROP:
        ch = pvs_exec(db, "DELETE FROM recipient_providers WHERE id = ?",
                      PVS_ARGS(PVS_I64(a->row_id)));
        break;
    default:
        ch = pvs_exec(db,
                      "INSERT INTO recipient_providers (recipient_id, provider_id, valid_from,"
                      " created_at) VALUES (?, ?, ?, ?)",
                      PVS_ARGS(PVS_I64(rec), PVS_I64(prov), PVS_TEXT(date), PVS_I64(pvs_now())));
        break;
    }
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Inside the open transaction: the actions that move `rec` to `prov` on `day`, or a refusal. */
static int plan_change(pvs_db *db, int64_t rec, int64_t prov, int32_t day, pvs_pc_action *a,
                       size_t *na, struct pvs_rights_outcome *o)
{
    struct periods ps; /* 6 KiB */
    int64_t exists = 0;
    int rc = pvs_query_i64(db, "SELECT id FROM providers WHERE id = ?", PVS_ARGS(PVS_I64(prov)),
                           &exists);
    if (rc == PVS_DB_NOTFOUND) {
        o->refused = PVS_RIGHTS_NO_PROVIDER;
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = load_periods(db, rec, &ps);
    if (rc != PVS_DB_OK)
        return rc;
    o->status = pvs_provider_change_plan(ps.p, ps.n, (uint32_t)prov, day,
                                         pvs_local_day(pvs_now()), a, PERIODS_MAX + 1, na);
    if (o->status != PVS_PC_OK)
        o->refused = PVS_RIGHTS_PLAN;
    return PVS_DB_OK;
}

/* The end of a change: roll back a refusal, else finish. */
static int change_end(pvs_db *db, int rc, const struct pvs_rights_outcome *o)
{
    if (rc == PVS_DB_OK && o->refused) {
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    return pvs_tx_finish(db, rc);
}

int pvs_provider_change(pvs_db *db, const struct pvs_audit_actor *who, int64_t rec, int64_t prov,
                        const char *date, int32_t day, const char *details,
                        struct pvs_rights_outcome *o, const struct pvs_rows_out *periods)
{
    pvs_pc_action a[PERIODS_MAX + 1];
    size_t na = 0;
    *o = (struct pvs_rights_outcome){0};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = plan_change(db, rec, prov, day, a, &na, o);
    if (rc != PVS_DB_OK || o->refused)
        return change_end(db, rc, o);
    for (size_t i = 0; i < na && rc == PVS_DB_OK; i++)
        rc = apply_action(db, &a[i], rec, prov, date);
    if (rc == PVS_DB_OK)
        rc = pvs_grants_changed(db);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "recipient.provider_change", "recipient", rec,
                              details);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_all(db, PERIODS_SQL, PVS_ARGS(PVS_I64(rec)), periods);
    return pvs_tx_finish(db, rc);
}

/* Inside the open transaction: the staff member's provider in the scope, and the recipient
 * with that provider on some day of the right; a refusal in *o. */
static int right_fits(pvs_db *db, const struct pvs_right_new *n, int64_t *prov,
                      struct pvs_rights_outcome *o)
{
    struct periods ps; /* 6 KiB */
    int rc = pvs_query_i64(db, "SELECT provider_id FROM staff WHERE id = ?",
                           PVS_ARGS(PVS_I64(n->staff_id)), prov);
    bool in_scope = n->scope == 0 || (*prov != 0 && *prov == n->scope);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && !in_scope)) {
        o->refused = PVS_RIGHTS_NO_STAFF;
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = load_periods(db, n->recipient_id, &ps);
    int32_t end = n->until_day == PVS_DAY_OPEN ? n->until_day : n->until_day + 1;
    if (rc != PVS_DB_OK || pvs_periods_overlap(ps.p, ps.n, (uint32_t)*prov, n->from_day, end))
        return rc;
    if (!pvs_periods_overlap(ps.p, ps.n, (uint32_t)*prov, 0, PVS_DAY_OPEN))
        return PVS_DB_NOTFOUND; /* never this provider's: as missing */
    o->refused = PVS_RIGHTS_NOT_YOUR_RECIPIENT;
    return PVS_DB_OK;
}

int pvs_right_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_right_new *n,
                     const char *details, struct pvs_rights_outcome *o,
                     const struct pvs_rows_out *out)
{
    int64_t prov = 0, id = 0;
    *o = (struct pvs_rights_outcome){0};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = right_fits(db, n, &prov, o);
    if (rc != PVS_DB_OK || o->refused)
        return change_end(db, rc, o);
    rc = pvs_query_i64(db,
                       "INSERT INTO rights (staff_id, recipient_id, provider_id, kind,"
                       " valid_from, valid_until, windows, created_by, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       PVS_ARGS(PVS_I64(n->staff_id), PVS_I64(n->recipient_id), PVS_I64(prov),
                                PVS_TEXT(n->kind), PVS_TEXT(n->valid_from),
                                PVS_TEXT_OR_NULL(n->valid_until),
                                PVS_BLOB(n->windows, n->windows_len), PVS_ID_OR_NULL(who->user_id),
                                PVS_I64(pvs_now())),
                       &id);
    if (rc == PVS_DB_OK)
        rc = pvs_rights_refresh_recipient(db, n->recipient_id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "right.create", "right", id, details);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, "SELECT " RIGHT_COLS " FROM rights WHERE id = ?",
                          PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}

int pvs_rights_list(pvs_db *db, int64_t scope, int64_t staff, int64_t rec,
                    const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT " RIGHT_COLS " FROM rights WHERE (? = 0 OR provider_id = ?)"
                          " AND (? = 0 OR staff_id = ?) AND (? = 0 OR recipient_id = ?)"
                          " AND id > ? ORDER BY id LIMIT ?",
                          PVS_ARGS(PVS_I64(scope), PVS_I64(scope), PVS_I64(staff), PVS_I64(staff),
                                   PVS_I64(rec), PVS_I64(rec)),
                          rg, out);
}

int pvs_right_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db,
                        "SELECT " RIGHT_COLS " FROM rights WHERE id = ? AND (? = 0 OR provider_id = ?)",
                        PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), out);
}

int pvs_right_delete(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope)
{
    int64_t prov = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "SELECT provider_id FROM rights WHERE id = ? AND (? = 0 OR provider_id = ?)",
                           PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), &prov);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db, "DELETE FROM rights WHERE id = ?", PVS_ARGS(PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_grants_changed(db);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "right.delete", "right", id, NULL);
    return pvs_tx_finish(db, rc);
}
