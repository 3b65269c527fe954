/* A care recipient who leaves (moves away, moves to a care home, dies): from the departure
 * date no provider cares for them, every right to their doors ends the day before, keys lose
 * them at their next sync (the grant generation moves), and once the departure is older than
 * `retain-departed-days` the purge erases them (pvs/erase.h). docs/privacy.md, "Departure". */
#ifndef PVS_SERVICES_DEPART_H
#define PVS_SERVICES_DEPART_H

#include "pvs/audit_record.h"
#include "pvs/server.h"

enum pvs_depart_result {
    PVS_DEPART_DONE = 0,
    PVS_DEPART_NOT_FOUND,
    PVS_DEPART_ALREADY,  /* a departure is already recorded */
    PVS_DEPART_PAST,     /* the date is before today */
};

/* What a departure changed. */
struct pvs_depart_counts {
    enum pvs_depart_result result;
    int64_t provider_id; /* the provider caring for them until the date (0: none) */
    int64_t rights_ended, rights_deleted;
};

/*
 * In one write transaction of its own: record that recipient `id` leaves on `date`
 * (YYYY-MM-DD, day number `day`, not before `today`), end their provider period on it, drop
 * later periods, end their rights the day before (rights starting later are deleted), move the
 * grant generation, audited as "recipient.depart" by `who`. Returns a pvs_db_rc; a refusal is
 * PVS_DB_OK with out->result saying why.
 */
int pvs_recipient_depart(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                         int32_t day, int32_t today, struct pvs_depart_counts *out) PV_MUST_CHECK;

#endif
