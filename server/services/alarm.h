/* Alarm access (trygghetslarm): the alarm centre grants a named responder's key (phone or
 * fob) a time-boxed right to one recipient's apartment door and the entrance and common
 * doors of their building, tied to an alarm; the grant ends by itself or early. Issuing
 * adds the grant's doors to the responder's next credential flagged PV_ENTRY_F_ALARM, so
 * every opening under it is flagged in the lock's own signed log. Each change owns its
 * transaction and audit entry; the alarm system's token (scope "alarm") is made here too. */
#ifndef PVS_SERVICES_ALARM_H
#define PVS_SERVICES_ALARM_H

#include <stdint.h>

#include "../rules/rights.h"
#include "pvs/audit_record.h"
#include "pvs/store.h"
#include "rows.h"

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

/* A grant with its state and the number of flagged openings under it. */
#define PVS_ALARM_GRANT_SHAPE                                                              \
    "id:i,alarm_ref:s,recipient_id:i,alarm_code:s,bearer_id:i,bearer_label:s,starts_at:i," \
    "ends_at:i,ended_at:n,created_by:s,ended_by:s,running:b,openings:i"
/* A lock-signed opening flagged alarm under a grant. */
#define PVS_ALARM_OPENING_SHAPE "lock_id:i,lock_kind:s,seq:i,time:i,flags:i"

/* Grants of responders' keys of provider `scope` (0: all) at `now`, a page by id. */
int pvs_alarm_list(pvs_db *db, int64_t scope, int64_t now, const struct pvs_range *rg,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Grant `id` in `scope` to `grant`, then every flagged opening under it to `openings`, in
 * time order, in one read transaction. PVS_DB_NOTFOUND when there is none in scope. */
int pvs_alarm_get(pvs_db *db, int64_t id, int64_t scope, int64_t now,
                  const struct pvs_rows_out *grant,
                  const struct pvs_rows_out *openings) PV_MUST_CHECK;

/* Grants from the whole minute of `now` for req->minutes, recorded "alarm.grant" (details:
 * canonical audit text) for `provider`, and the grant to `row`. PVS_DB_OK with *why saying
 * whether it was refused (nothing written then), or the store error. */
int pvs_alarm_create(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider,
                     const pvs_alarm_req *req, const char *details, int64_t now,
                     enum pvs_alarm_refusal *why, const struct pvs_rows_out *row) PV_MUST_CHECK;
/* Ends grant `id` early if it is still running ("alarm.end" recorded then; ending an ended
 * grant changes nothing) and hands the grant to `row`. PVS_DB_NOTFOUND when there is none. */
int pvs_alarm_stop(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider, int64_t id,
                   const char *by, int64_t now, const struct pvs_rows_out *row) PV_MUST_CHECK;

/* The scope of API token `id` ("full" or "alarm"). PVS_DB_NOTFOUND when there is none. */
int pvs_token_scope(pvs_db *db, int64_t id, char scope[16]) PV_MUST_CHECK;
/* A central API token of scope "alarm" named `name` with secret hash `hash` (32 bytes),
 * recorded "token.create_alarm" for `provider` (details: canonical audit text), in one
 * transaction. */
int pvs_alarm_token_create(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider,
                           const char *name, const uint8_t *hash, const char *details,
                           int64_t *id) PV_MUST_CHECK;

/* Adds the doors of every grant of the bearer that overlaps the credential window, flagged
 * PV_ENTRY_F_ALARM (apartment door | ALARM, entrance/common doors | ALARM), each clipped to
 * the grant. Call after the ordinary grants are applied and derived. */
int pvs_alarm_apply(pvs_db *db, uint32_t bearer_id, pvs_rights *r) PV_MUST_CHECK;

#endif
