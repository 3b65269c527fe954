/* Alarm access (trygghetslarm): the alarm centre grants a named responder's key (phone or
 * fob) a time-boxed right to one recipient's apartment door and the entrance and common
 * doors of their building, tied to an alarm; the grant ends by itself or early. Issuing
 * adds the grant's doors to the responder's next credential flagged PV_ENTRY_F_ALARM, so
 * every opening under it is flagged in the lock's own signed log. SQL only; the handler
 * (server/handlers/alarm.c) owns HTTP, the transaction and the audit entry. */
#ifndef PVS_SERVICES_ALARM_H
#define PVS_SERVICES_ALARM_H

#include <stdint.h>

#include "../rules/rights.h"
#include "pvs/store.h"

#define PVS_ALARM_DEFAULT_MIN 120 /* "≤ 2 h by default" (issue 10) */
#define PVS_ALARM_MAX_MIN 240     /* a longer call-out gets a second grant, on the record */

typedef struct pvs_alarm_req {
    const char *alarm_ref; /* the alarm system's id of the alarm */
    int64_t recipient_id;
    int64_t bearer_id;
    int64_t minutes;
    const char *by; /* the actor's name, kept on the grant */
} pvs_alarm_req;

/* Why a grant is refused. */
enum pvs_alarm_refusal {
    PVS_ALARM_OK = 0,
    PVS_ALARM_NO_RECIPIENT,
    PVS_ALARM_NO_BEARER,     /* unknown bearer */
    PVS_ALARM_BEARER_BLOCKED /* lost, retired, or its staff member inactive */
};

/* Grants from the whole minute of `now` for req->minutes. Needs a write transaction. */
int pvs_alarm_grant(pvs_db *db, const pvs_alarm_req *req, int64_t now, int64_t *id,
                    enum pvs_alarm_refusal *why) PV_MUST_CHECK;
/* Ends a running grant early. PVS_DB_NOTFOUND when there is no such grant; *was_running
 * tells whether it was still running (ending an ended grant changes nothing). */
int pvs_alarm_end(pvs_db *db, int64_t id, const char *by, int64_t now, int *was_running) PV_MUST_CHECK;

/* Adds the doors of every grant of the bearer that overlaps the credential window, flagged
 * PV_ENTRY_F_ALARM (apartment door | ALARM, entrance/common doors | ALARM), each clipped to
 * the grant. Call after the ordinary grants are applied and derived. */
int pvs_alarm_apply(pvs_db *db, uint32_t bearer_id, pvs_rights *r) PV_MUST_CHECK;

#endif
