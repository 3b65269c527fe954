/* The outbox of outgoing events (webhooks): an event is written in the same write
 * transaction as the change it reports, with one pending delivery per webhook subscribed to
 * its kind, so a change that commits always has its event and a rolled-back one never does.
 * The delivery worker (webhook_worker.c) sends it afterwards, at least once. */
#ifndef PVS_SERVICES_OUTBOX_H
#define PVS_SERVICES_OUTBOX_H

#include <stdint.h>

#include "pvs/store.h"

/* Event kinds (the "type" of the JSON body and what a webhook subscribes to). */
#define PVS_EV_KEY_LOST "key.reported_lost"
#define PVS_EV_ALARM_OPENED "alarm.opened"
#define PVS_EV_ALARM_ENDED "alarm.ended"
#define PVS_EV_CONSENT_WITHDRAWN "consent.withdrawn"
#define PVS_EV_LOG_GAP "lock.log_gap"
#define PVS_EV_BATTERY_LOW "lock.battery_low"
#define PVS_EV_LOCK_SILENT "lock.silent"

/* True when `kind` is one of the kinds above. */
bool pvs_outbox_kind_known(const char *kind);

/*
 * Record event `kind` with idempotency key `event_key` (≤ 120 bytes, unique forever: a
 * second add with the same key changes nothing and returns PVS_DB_OK) and `data` (canonical
 * JSON object text, NULL for {}) at `now`. Needs the caller's write transaction.
 * Returns a pvs_db_rc.
 */
int pvs_outbox_add(pvs_db *db, const char *kind, const char *event_key, const char *data,
                   int64_t now) PV_MUST_CHECK;

/*
 * Called by the audit trail for every record (seq, action...): the actions that are events
 * (bearer.report_lost, alarm.grant, alarm.end, consent.withdraw) are added with the key
 * "<kind>/audit-<seq>"; others change nothing. Returns a pvs_db_rc.
 */
int pvs_outbox_from_audit(pvs_db *db, int64_t seq, const char *action, const char *object_type,
                          int64_t object_id, int64_t provider_id, const char *details,
                          int64_t at) PV_MUST_CHECK;

#endif
