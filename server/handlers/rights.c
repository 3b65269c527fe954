/* Route handlers for provider changes (effective-dated, no manual clean-up) and rights
 * (staff -> recipient, validity dates, weekly windows, standing or temporary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/grants.h"
#include "../services/issue.h"
#include "util.h"
#include "../rules/calendar.h"
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "../rules/provider_change.h"
#include "../rules/rights.h"

#define RIGHT_COLS \
    "id, staff_id, recipient_id, provider_id, kind, valid_from, valid_until, windows, created_at"
#define RIGHT_SPEC \
    "id:i,staff_id:i,recipient_id:i,provider_id:i,kind:s,valid_from:d,valid_until:d,windows:w," \
    "created_at:i"
#define PERIODS_MAX 256 /* provider history rows of one recipient considered */

/* The recipient's provider periods; PVS_DB_NOTFOUND if there is no such recipient. */
static int load_periods(pvs_db *db, int64_t rec, pvs_period *p, size_t cap, size_t *n)
{
    int64_t exists = 0;
    int rc = pvs_query_i64(db, "SELECT id FROM recipients WHERE id = ?", PVS_ARGS(PVS_I64(rec)),
                           &exists);
    if (rc != PVS_DB_OK)
        return rc;
    pvs_stmt st;
    *n = 0;
    rc = pvs_query(db, &st,
                   "SELECT id, provider_id, valid_from, valid_until FROM recipient_providers"
                   " WHERE recipient_id = ? ORDER BY valid_from, id",
                   PVS_ARGS(PVS_I64(rec)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW && *n < cap) {
        pvs_period *q = &p[(*n)++];
        q->row_id = pvs_col_i64(&st, 0);
        q->provider_id = (uint32_t)pvs_col_i64(&st, 1);
        const char *from = pvs_col_text(&st, 2), *until = pvs_col_text(&st, 3);
        if (!from || pvs_date_parse(from, &q->from_day) != PV_OK)
            q->from_day = PVS_DAY_OPEN;
        if (!until || pvs_date_parse(until, &q->until_day) != PV_OK)
            q->until_day = PVS_DAY_OPEN;
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE || rc == PVS_DB_ROW ? PVS_DB_OK : rc;
}

static json_t *periods_json(pvs_db *db, int64_t rec)
{
    json_t *periods = json_array();
    pvs_stmt st;
    if (pvs_query(db, &st,
                  "SELECT id, provider_id, valid_from, valid_until FROM recipient_providers"
                  " WHERE recipient_id = ? ORDER BY valid_from, id",
                  PVS_ARGS(PVS_I64(rec))) == PVS_DB_OK) {
        while (pvs_next(&st) == PVS_DB_ROW)
            json_array_append_new(periods,
                                  pvd_row(&st, "id:i,provider_id:i,valid_from:d,valid_until:d"));
        pvs_finalize(&st);
    }
    return periods;
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

/* The actions that move recipient rec to provider prov on `day`, inside the caller's write
 * transaction; on refusal or error answers (rolled back) and returns false. */
static bool plan_change(struct pvs_req *r, int64_t rec, int64_t prov, int32_t day,
                        pvs_pc_action *a, size_t *na)
{
    pvs_period p[PERIODS_MAX];
    size_t n = 0;
    int64_t exists = 0;
    int rc = pvs_query_i64(r->db, "SELECT id FROM providers WHERE id = ?", PVS_ARGS(PVS_I64(prov)),
                           &exists);
    if (rc == PVS_DB_NOTFOUND) {
        pvd_invalid(r, "Provider %lld does not exist.", (long long)prov);
        return false;
    }
    if (rc == PVS_DB_OK)
        rc = load_periods(r->db, rec, p, PERIODS_MAX, &n);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "Care recipient");
        return false;
    }
    pvs_pc_status s = pvs_provider_change_plan(p, n, (uint32_t)prov, day, pvd_today(), a,
                                               PERIODS_MAX + 1, na);
    if (s != PVS_PC_OK) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, s == PVS_PC_PAST ? 400 : 409,
                    s == PVS_PC_PAST ? "effective-date-past" : "provider-change-refused",
                    "Provider change refused", "%s.", pvs_pc_status_text(s));
        return false;
    }
    return true;
}

/* POST /recipients/{id}/provider-changes {provider_id, effective_date}: the old provider's
 * rights stop counting on the date and the new provider's planners may grant from it. */
void pvd_provider_change(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"provider_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"effective_date", PVS_J_DATE, PVS_JF_REQUIRED, 0, 0},
    };
    int64_t rec;
    if (!pvs_req_id(r, 0, &rec))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    int64_t prov = pvs_jint(b, "provider_id", 0);
    const char *date = pvs_jstr(b, "effective_date", "");
    int32_t day = 0;
    if (pvs_date_parse(date, &day) != PV_OK || !pvd_begin(r, true)) {
        if (day == 0)
            pvd_invalid(r, "effective_date must be a date YYYY-MM-DD.");
        json_decref(b);
        return;
    }
    pvs_pc_action a[PERIODS_MAX + 1];
    size_t na = 0;
    if (!plan_change(r, rec, prov, day, a, &na)) {
        json_decref(b);
        return;
    }
    int rc = PVS_DB_OK;
    for (size_t i = 0; i < na && rc == PVS_DB_OK; i++)
        rc = apply_action(r->db, &a[i], rec, prov, date);
    if (rc == PVS_DB_OK)
        rc = pvs_grants_changed(r->db);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, prov, "recipient.provider_change", "recipient", rec, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "provider period");
        return;
    }
    json_t *periods = periods_json(r->db, rec);
    if (pvd_commit(r))
        pvs_reply_json(r, 200, json_pack("{s:I,s:o}", "recipient_id", (json_int_t)rec,
                                         "providers", periods));
    else
        json_decref(periods);
}

/* ------------------------------------------------------------------ rights */

/* Parses "windows": [{days:[1..7], from:"HH:MM", to:"HH:MM"}], 1..PVS_WINDOWS_MAX. */
static bool parse_windows(struct pvs_req *r, const json_t *arr, pvs_window *w, size_t *n)
{
    size_t i;
    json_t *v;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > PVS_WINDOWS_MAX) {
        pvd_invalid(r, "windows must be a list of 1 to %u weekly windows.", PVS_WINDOWS_MAX);
        return false;
    }
    json_array_foreach(arr, i, v) {
        static const struct pvs_jfield f[] = {
            {"days", PVS_J_ARRAY, PVS_JF_REQUIRED, 1, 7},
            {"from", PVS_J_STRING, PVS_JF_REQUIRED, 5, 5},
            {"to", PVS_J_STRING, PVS_JF_REQUIRED, 5, 5},
        };
        char where[48], errs[512] = "";
        snprintf(where, sizeof where, "windows[%zu]", i);
        if (!json_is_object(v) || !pvs_json_check(v, PVS_JFIELDS(f), where, errs, sizeof errs)) {
            pvd_invalid(r, "%s", errs[0] ? errs : "each window must be an object");
            return false;
        }
        pvs_window *x = &w[i];
        x->days = 0;
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(v, "days"), k, d) {
            json_int_t dn = json_is_integer(d) ? json_integer_value(d) : 0;
            if (dn < 1 || dn > 7 || (x->days & (1u << (dn - 1)))) {
                pvd_invalid(r, "%s.days must list distinct weekdays 1 (Monday) to 7 (Sunday).",
                            where);
                return false;
            }
            x->days |= (uint8_t)(1u << (dn - 1));
        }
        if (pvs_hhmm_parse(json_string_value(json_object_get(v, "from")), &x->from_min) != PV_OK ||
            pvs_hhmm_parse(json_string_value(json_object_get(v, "to")), &x->to_min) != PV_OK ||
            x->from_min == 1440 || pvs_window_check(x) != PV_OK) {
            pvd_invalid(r, "%s: from and to must be times HH:MM (00:00-24:00) and differ; a "
                           "window that ends before it starts runs past midnight.", where);
            return false;
        }
    }
    *n = json_array_size(arr);
    return true;
}

/* The staff member's provider, if the caller may manage them (404 otherwise). */
static bool staff_provider(struct pvs_req *r, int64_t staff, int64_t *prov)
{
    int rc = pvs_query_i64(r->db, "SELECT provider_id FROM staff WHERE id = ?",
                           PVS_ARGS(PVS_I64(staff)), prov);
    if (rc == PVS_DB_OK && pvs_scope_allows(r, *prov))
        return true;
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND) {
        pvd_fail(r, rc, "staff member");
        return false;
    }
    pvs_tx_rollback(r->db);
    pvs_problem(r, 404, "not-found", "Not found", "Staff member %lld does not exist.",
                (long long)staff);
    return false;
}

/* Checks dates and kind; fills the day range [from, until] (until inclusive, or open). */
static bool check_dates(struct pvs_req *r, const json_t *b, int32_t *from, int32_t *until)
{
    const char *kind = pvs_jstr(b, "kind", "");
    const char *vu = pvs_jstr(b, "valid_until", NULL);
    if (pvs_date_parse(pvs_jstr(b, "valid_from", ""), from) != PV_OK) {
        pvd_invalid(r, "valid_from must be a date YYYY-MM-DD.");
        return false;
    }
    *until = PVS_DAY_OPEN;
    if (vu && pvs_date_parse(vu, until) != PV_OK) {
        pvd_invalid(r, "valid_until must be a date YYYY-MM-DD or null.");
        return false;
    }
    if (strcmp(kind, "standing") != 0 && strcmp(kind, "temporary") != 0) {
        pvd_invalid(r, "kind must be \"standing\" or \"temporary\".");
        return false;
    }
    if (*until < *from) {
        pvd_invalid(r, "valid_until is before valid_from.");
        return false;
    }
    if (pvd_right_in_past(r, *until)) /* issue 9: refused with a sentence, not stored */
        return false;
    if (strcmp(kind, "temporary") == 0 && (!vu || *until - *from > 31)) {
        pvd_invalid(r, "A temporary right (a substitute) needs valid_until, at most 31 days "
                       "after valid_from.");
        return false;
    }
    return true;
}

/* The checked right, its recipient's rights rows refreshed, and the audit entry, inside
 * the caller's write transaction. who = {staff, recipient, provider}. */
static int insert_right(struct pvs_req *r, const json_t *b, const int64_t who[3],
                        const uint8_t *blob, size_t blen, int64_t *id)
{
    int rc = pvs_query_i64(r->db,
                           "INSERT INTO rights (staff_id, recipient_id, provider_id, kind,"
                           " valid_from, valid_until, windows, created_by, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(who[0]), PVS_I64(who[1]), PVS_I64(who[2]),
                                    PVS_TEXT(pvs_jstr(b, "kind", "")),
                                    PVS_TEXT(pvs_jstr(b, "valid_from", "")),
                                    PVS_TEXT_OR_NULL(pvs_jstr(b, "valid_until", NULL)),
                                    PVS_BLOB(blob, blen), PVS_ID_OR_NULL(r->who.user_id),
                                    PVS_I64(pvs_now())),
                           id);
    if (rc == PVS_DB_OK)
        rc = pvs_rights_refresh_recipient(r->db, who[1]);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, who[2], "right.create", "right", *id, b);
    return rc;
}

void pvd_rights_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"staff_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"recipient_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"valid_from", PVS_J_DATE, PVS_JF_REQUIRED, 0, 0},
        {"valid_until", PVS_J_DATE, PVS_JF_NULLABLE, 0, 0},
        {"kind", PVS_J_STRING, PVS_JF_REQUIRED, 1, 16},
        {"windows", PVS_J_ARRAY, PVS_JF_REQUIRED, 1, PVS_WINDOWS_MAX},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    pvs_window w[PVS_WINDOWS_MAX];
    size_t nw = 0, np = 0, blen = 0;
    int32_t from, until;
    uint8_t blob[PVS_WINDOWS_MAX * PVS_WINDOW_BLOB];
    int64_t staff = pvs_jint(b, "staff_id", 0), rec = pvs_jint(b, "recipient_id", 0), prov = 0;
    if (!check_dates(r, b, &from, &until) || !parse_windows(r, json_object_get(b, "windows"), w, &nw) ||
        pvs_windows_encode(w, nw, blob, sizeof blob, &blen) != PV_OK || !pvd_begin(r, true) ||
        !staff_provider(r, staff, &prov)) {
        json_decref(b);
        return;
    }
    pvs_period p[PERIODS_MAX];
    int rc = load_periods(r->db, rec, p, PERIODS_MAX, &np);
    if (rc == PVS_DB_OK &&
        !pvs_periods_overlap(p, np, (uint32_t)prov, from, until == PVS_DAY_OPEN ? until : until + 1)) {
        json_decref(b);
        if (!pvs_periods_overlap(p, np, (uint32_t)prov, 0, PVS_DAY_OPEN)) {
            pvd_fail(r, PVS_DB_NOTFOUND, "Care recipient"); /* never this provider's: as missing */
            return;
        }
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "not-your-recipient", "Not this provider's recipient",
                    "Care recipient %lld is not a recipient of the staff member's provider on "
                    "any day from %s; a right can only be granted for days when the recipient "
                    "is with that provider.", (long long)rec, pvs_jstr(b, "valid_from", ""));
        return;
    }
    int64_t id = 0;
    if (rc == PVS_DB_OK)
        rc = insert_right(r, b, (int64_t[3]){staff, rec, prov}, blob, blen, &id);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "Care recipient");
        return;
    }
    json_t *o = pvd_one(r->db, "SELECT " RIGHT_COLS " FROM rights WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), RIGHT_SPEC, &rc);
    pvd_commit_reply(r, o, rc, "right", 201);
}

void pvd_rights_list(struct pvs_req *r)
{
    int64_t p = pvs_scope_provider(r);
    int64_t sid, rid;
    if (!PVS_QUERY_ID(r, "staff_id", &sid) || !PVS_QUERY_ID(r, "recipient_id", &rid))
        return;
    pvd_list(r, "SELECT " RIGHT_COLS " FROM rights WHERE (? = 0 OR provider_id = ?)"
                " AND (? = 0 OR staff_id = ?) AND (? = 0 OR recipient_id = ?)"
                " AND id > ? ORDER BY id LIMIT ?",
             PVS_ARGS(PVS_I64(p), PVS_I64(p), PVS_I64(sid), PVS_I64(sid), PVS_I64(rid),
                      PVS_I64(rid)),
             RIGHT_SPEC);
}

void pvd_rights_get(struct pvs_req *r)
{
    int64_t id, p = pvs_scope_provider(r);
    if (pvs_req_id(r, 0, &id))
        pvd_get(r, "SELECT " RIGHT_COLS " FROM rights WHERE id = ? AND (? = 0 OR provider_id = ?)",
                PVS_ARGS(PVS_I64(id), PVS_I64(p), PVS_I64(p)), RIGHT_SPEC, "Right", id);
}

void pvd_rights_delete(struct pvs_req *r)
{
    int64_t id, scope = pvs_scope_provider(r), prov = 0;
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true))
        return;
    int rc = pvs_query_i64(r->db,
                           "SELECT provider_id FROM rights WHERE id = ? AND (? = 0 OR provider_id = ?)",
                           PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), &prov);
    if (rc == PVS_DB_OK)
        rc = (int)pvs_exec(r->db, "DELETE FROM rights WHERE id = ?", PVS_ARGS(PVS_I64(id)));
    if (rc >= 0)
        rc = pvs_grants_changed(r->db);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, prov, "right.delete", "right", id, NULL);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "Right");
        return;
    }
    if (pvd_commit(r))
        pvs_reply_empty(r);
}
