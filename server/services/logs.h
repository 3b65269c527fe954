/* Reads behind the planner's views of what keys and locks reported: the access log, the
 * day's overview (keys synced, not synced, blocked; refusals) and how far the newest
 * revocation list has spread among the installed locks. */
#ifndef PVS_SERVICES_LOGS_H
#define PVS_SERVICES_LOGS_H

#include "rows.h"

/* Access-log filters; 0 means "any" (to: INT64_MAX / 2 for "no end"). */
struct pvs_log_filter {
    int64_t provider_id, recipient_id, lock_id, staff_id, bearer_id, from, to;
};
/* Lock-signed and key-reported events in a total order (time, source, lock, seq, bearer),
 * `limit` rows from position `offset`. Rows: 0 source ('lock'|'key'), 1 lock_id, 2 seq,
 * 3 time, 4 kind, 5 reason (a lock's is -pv_err as text), 6 bearer_id (NULL), 7 staff_id
 * (NULL), 8 provider_id (NULL), 9 alarm (1: an opening under an alarm right,
 * services/alarm_flag.h). */
int pvs_access_log(pvs_db *db, const struct pvs_log_filter *f, int64_t offset, int64_t limit,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;

enum pvs_overview_keys { PVS_KEYS_SYNCED_TODAY, PVS_KEYS_NOT_SYNCED, PVS_KEYS_BLOCKED };
/* Up to 500 keys of provider `scope` (0: all) of one overview group, synced or not since
 * `day_start`. Rows: 0 id, 1 label, 2 staff_id, 3 state, 4 last_sync_at (NULL). */
int pvs_overview_keys(pvs_db *db, enum pvs_overview_keys which, int64_t scope,
                      int64_t day_start, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Refusals since `since` by reason ("sync:<result>", a key's reason, "lock:<-pv_err>").
 * Rows: 0 reason, 1 count. */
int pvs_refusals_since(pvs_db *db, int64_t scope, int64_t since,
                       const struct pvs_rows_out *out) PV_MUST_CHECK;

/* The newest revocation list of `issuer` (PVS_DB_NOTFOUND before the first). Rows:
 * 0 issuer_id, 1 version, 2 issued_at, 3 entries, 4 truncated (0/1). */
int pvs_revlist_newest(pvs_db *db, int64_t issuer, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Installed locks, and those of them reporting list `version` or newer. */
int pvs_revlist_spread(pvs_db *db, int64_t version, int64_t *installed,
                       int64_t *current) PV_MUST_CHECK;
/* Up to 500 installed locks still behind `version`. Rows: 0 id, 1 kind, 2 building_id,
 * 3 revlist_version, 4 last_seen (NULL). */
int pvs_revlist_behind(pvs_db *db, int64_t version, const struct pvs_rows_out *out) PV_MUST_CHECK;

#endif
