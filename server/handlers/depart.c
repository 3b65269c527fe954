/* POST /api/v1/recipients/{id}/departure {date}: the alarm centre records that a care
 * recipient leaves (services/depart.c: rights end, keys lose them at their next sync, the
 * data is erased after retain-departed-days). */
#include "../rules/calendar.h"
#include "../services/depart.h"
#include "domain_handlers.h"
#include "pvs/audit.h"
#include "util.h"

void pvd_recipient_depart(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {{"date", PVS_J_DATE, PVS_JF_REQUIRED, 0, 0}};
    int64_t id;
    int32_t day = 0;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    if (pvs_date_parse(pvs_jstr(b, "date", ""), &day) != PV_OK) {
        pvd_invalid(r, "date must be a date YYYY-MM-DD.");
        json_decref(b);
        return;
    }
    json_decref(b);
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    struct pvs_depart_counts c;
    int rc = pvs_recipient_depart(r->db, &who, id, day, pvd_today(), &c);
    if (rc != PVS_DB_OK)
        pvs_problem_db(r, rc, "recipient");
    else if (c.result == PVS_DEPART_NOT_FOUND)
        pvs_problem(r, 404, "not-found", "Not found", "Care recipient %lld does not exist.",
                    (long long)id);
    else if (c.result == PVS_DEPART_ALREADY)
        pvs_problem(r, 409, "already-departed", "Already departed",
                    "A departure is already recorded for this care recipient.");
    else if (c.result == PVS_DEPART_PAST)
        pvs_problem(r, 400, "departure-date-past", "Departure date in the past",
                    "A departure cannot be recorded back in time; give today or a later date.");
    else
        pvs_reply_json(r, 200, json_pack("{s:I, s:I, s:I}", "recipient_id", (json_int_t)id,
                                         "rights_ended", (json_int_t)c.rights_ended,
                                         "rights_deleted", (json_int_t)c.rights_deleted));
}
