/* Whether an access-log event was an opening under an alarm right, as SQL for the services
 * that read the log (the access log, its passages view, the resident's page, the register
 * extract): one definition, so every place a person reads the log flags the same openings.
 * A lock-signed opening carries the entry's flags in `aux` (PV_ENTRY_F_ALARM, 0x8: the lock
 * logged the right it opened with); a key's own report of an opening is flagged when it lies
 * inside an alarm grant of that key (until the lock's signed record arrives). */
#ifndef PVS_SERVICES_ALARM_FLAG_H
#define PVS_SERVICES_ALARM_FLAG_H

/* `e`: an alias of lock_events. 1 or 0. */
#define PVS_SQL_LOCK_ALARM(e) "(CASE WHEN " e ".kind = 1 AND (" e ".aux & 8) <> 0 THEN 1 ELSE 0 END)"
/* `v`: an alias of bearer_events. 1 or 0. */
#define PVS_SQL_KEY_ALARM(v)                                                                  \
    "(CASE WHEN " v ".kind = 'open' AND EXISTS (SELECT 1 FROM alarm_grants ag"                 \
    " WHERE ag.bearer_id = " v ".bearer_id AND ag.starts_at <= " v ".time"                     \
    " AND " v ".time <= COALESCE(ag.ended_at, ag.ends_at)) THEN 1 ELSE 0 END)"

#endif
