/* Outgoing events a lock's log batch raises while it is stored (outbox.h): a gap opened in
 * the lock's log, and the battery falling below PV_LOCK_LOW_BATTERY_MV. */
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

#endif
