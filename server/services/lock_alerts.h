/* Outgoing events a lock's log batch raises while it is stored (outbox.h): a gap opened in
 * the lock's log, the battery falling below PV_LOCK_LOW_BATTERY_MV, and (checked
 * periodically) a lock no key has heard from for days. */
#ifndef PVS_SERVICES_LOCK_ALERTS_H
#define PVS_SERVICES_LOCK_ALERTS_H

#include <stdint.h>

#include "portvakt/proto.h"
#include "pvs/store.h"

/*
 * Call inside the ingest transaction before the lock's row is updated: batch `b` starts at
 * seq `first`, the lock's log was complete up to `expected` (its next seq). Adds
 * lock.log_gap when first > expected, and lock.battery_low when the batch's last battery
 * reading is below the threshold while the stored one was not (or none was). Each event's
 * key names the lock and the range or reading, so a batch stored again adds nothing.
 * Returns a pvs_db_rc.
 */
int pvs_lock_alerts(pvs_db *db, const pv_logbatch *b, uint32_t first, uint64_t expected,
                    int64_t now) PV_MUST_CHECK;

#define PVS_LOCK_SILENT_DAYS 7 /* a lock visited daily that nobody's key has heard for a week */
#define PVS_LOCK_SILENT_BATCH 256

/*
 * The periodic check (run by the webhook worker about hourly, in its own write transaction):
 * lock.silent for every lock not removed whose newest log event is older than
 * PVS_LOCK_SILENT_DAYS at `now`; the key names the lock and that event's time, so each
 * silence is reported once. At most PVS_LOCK_SILENT_BATCH locks a call. Returns a pvs_db_rc.
 */
int pvs_lock_silent_scan(pvs_db *db, int64_t now) PV_MUST_CHECK;

#endif
