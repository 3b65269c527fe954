/* The access log's passages view (issue 9): the lock-signed and key-reported events with
 * the caller's filters and the door's kind and label, in time order, for the handler to
 * merge into one row per passage. Runs inside the caller's open transaction or alone. */
#ifndef PVS_SERVICES_PASSAGES_H
#define PVS_SERVICES_PASSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/store.h"
#include "rows.h"

/*
 * f = provider, recipient, lock, staff, bearer (0: no filter), from, to (unix seconds). A
 * recipient filter takes the recipient's own door and its building's entrance and common
 * doors as used by staff who hold a right to that recipient. At most `rows` rows, newest
 * first when `desc`, each to `out` with columns: source ('lock' | 'key'), lock_id, seq,
 * time, kind ('open' | 'refused'), reason (text; a lock's is -pv_err as a number),
 * bearer_id, staff_id, provider_id, lock kind, lock label, alarm (1: an opening under an
 * alarm right, services/alarm_flag.h). PVS_DB_OK or the store error.
 */
int pvs_passages_rows(pvs_db *db, const int64_t f[7], bool desc, int64_t rows,
                      const struct pvs_rows_out *out) PV_MUST_CHECK;

#endif
