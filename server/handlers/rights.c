/* Route handlers for provider changes (effective-dated, no manual clean-up) and rights
 * (staff -> recipient, validity dates, weekly windows, standing or temporary). The SQL,
 * transactions and audit entries: services/access_rights.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/access_rights.h"
#include "../services/care.h"
#include "util.h"
#include "../rules/calendar.h"
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "../rules/rights.h"

/* The refusal of a rights change (every sentence as before the split). */
static void refusal(struct pvs_req *r, const struct pvs_rights_outcome *o, int64_t id,
                    const char *from)
{
    if (o->refused == PVS_RIGHTS_NO_PROVIDER)
        pvd_invalid(r, "Provider %lld does not exist.", (long long)id);
    else if (o->refused == PVS_RIGHTS_PLAN)
        pvs_problem(r, o->status == PVS_PC_PAST ? 400 : 409,
                    o->status == PVS_PC_PAST ? "effective-date-past" : "provider-change-refused",
                    "Provider change refused", "%s.", pvs_pc_status_text(o->status));
    else if (o->refused == PVS_RIGHTS_NO_STAFF)
        pvs_problem(r, 404, "not-found", "Not found", "Staff member %lld does not exist.",
                    (long long)id);
    else
        pvs_problem(r, 409, "not-your-recipient", "Not this provider's recipient",
                    "Care recipient %lld is not a recipient of the staff member's provider on "
                    "any day from %s; a right can only be granted for days when the recipient "
                    "is with that provider.", (long long)id, from);
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
    int32_t day = 0;
    struct pvd_change c;
    if (b && pvs_date_parse(pvs_jstr(b, "effective_date", ""), &day) != PV_OK)
        pvd_invalid(r, "effective_date must be a date YYYY-MM-DD.");
    else if (b && pvd_change_begin(r, &c, b, PVS_PERIOD_SHAPE)) {
        int64_t prov = pvs_jint(b, "provider_id", 0);
        struct pvs_rights_outcome o;
        c.row.arr = json_array();
        int rc = pvs_provider_change(r->db, &c.who, rec, prov, pvs_jstr(b, "effective_date", ""),
                                     day, c.details, &o, PVD_APPEND(&c.row));
        free(c.details);
        if (rc == PVS_DB_OK && o.refused)
            refusal(r, &o, prov, NULL);
        else if (rc != PVS_DB_OK)
            pvs_problem_db(r, rc, rc == PVS_DB_NOTFOUND ? "Care recipient" : "provider period");
        else
            pvs_reply_json(r, 200, json_pack("{s:I,s:O}", "recipient_id", (json_int_t)rec,
                                             "providers", c.row.arr));
        json_decref(c.row.arr);
    }
    json_decref(b);
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
    size_t nw = 0;
    uint8_t blob[PVS_WINDOWS_MAX * PVS_WINDOW_BLOB];
    struct pvs_right_new n = {pvs_jint(b, "staff_id", 0), pvs_jint(b, "recipient_id", 0),
                              pvs_scope_provider(r), pvs_jstr(b, "kind", ""),
                              pvs_jstr(b, "valid_from", ""), pvs_jstr(b, "valid_until", NULL),
                              0, 0, blob, 0};
    struct pvd_change c;
    if (check_dates(r, b, &n.from_day, &n.until_day) &&
        parse_windows(r, json_object_get(b, "windows"), w, &nw) &&
        pvs_windows_encode(w, nw, blob, sizeof blob, &n.windows_len) == PV_OK &&
        pvd_change_begin(r, &c, b, PVS_RIGHT_SHAPE)) {
        struct pvs_rights_outcome o;
        int rc = pvs_right_create(r->db, &c.who, &n, c.details, &o, PVD_FIRST(&c.row));
        if (rc == PVS_DB_OK && o.refused) {
            free(c.details);
            refusal(r, &o, o.refused == PVS_RIGHTS_NO_STAFF ? n.staff_id : n.recipient_id,
                    n.valid_from);
        } else {
            pvd_change_end(r, &c, rc, "Care recipient", 201);
        }
    }
    json_decref(b);
}

void pvd_rights_list(struct pvs_req *r)
{
    int64_t sid, rid;
    struct pvd_page p;
    if (PVS_QUERY_ID(r, "staff_id", &sid) && PVS_QUERY_ID(r, "recipient_id", &rid) &&
        pvd_page_begin(r, &p, PVS_RIGHT_SHAPE))
        pvd_page_end(r, &p,
                     pvs_rights_list(r->db, pvs_scope_provider(r), sid, rid, &p.range, &p.out),
                     "list");
}

void pvd_rights_get(struct pvs_req *r)
{
    int64_t id;
    struct pvd_rows_json j = {PVS_RIGHT_SHAPE, NULL, NULL};
    if (pvs_req_id(r, 0, &id))
        pvd_get_reply(r, pvs_right_get(r->db, id, pvs_scope_provider(r), PVD_FIRST(&j)), &j,
                      "Right", id);
}

void pvd_rights_delete(struct pvs_req *r)
{
    int64_t id;
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    if (!pvs_req_id(r, 0, &id))
        return;
    int rc = pvs_right_delete(r->db, &who, id, pvs_scope_provider(r));
    if (rc == PVS_DB_OK)
        pvs_reply_empty(r);
    else
        pvs_problem_db(r, rc, "Right");
}
