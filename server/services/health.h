/* What a planner or technician should act on (GET /device-health, issue 9): dying lock
 * batteries from the locks' own signed battery events, locks, stations and keys not heard
 * from, and lost keys whose block has not reached every door. One read transaction. */
#ifndef PVS_SERVICES_HEALTH_H
#define PVS_SERVICES_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "rows.h"
#include "spread.h"

/* Rows per list: a day's work, not the whole city. */
#define PVS_HEALTH_ROWS 200
/* Lost keys looked at: the newest reported within a credential's lifetime. */
#define PVS_HEALTH_LOST_MAX 50

/* Batteries and silent locks: installed locks the caller may see. */
#define PVS_HEALTH_LOCK_SHAPE \
    "lock_id:i,kind:s,label:s,address:s,alarm_code:s,battery_mv:n,battery_at:n,last_seen:n"
#define PVS_HEALTH_STATION_SHAPE "station_id:i,name:s,last_seen:n"
#define PVS_HEALTH_KEY_SHAPE "bearer_id:i,label:s,staff:s,last_sync_at:n"

/* A lost key whose block has not yet reached every door of its rights. */
struct pvs_health_lost {
    int64_t bearer_id;
    char label[256];
    pvs_spread spread;
};

struct pvs_health_req {
    int64_t scope;  /* provider whose devices (0: every provider) */
    int64_t issuer; /* the issuer whose revocation lists count */
    int64_t now;
    int64_t before; /* "silent": not heard from since this time */
};

/* Where the lists go; each sink is called once per row, in the order of urgency. */
struct pvs_health_out {
    struct pvs_rows_out batteries;       /* PVS_HEALTH_LOCK_SHAPE, below the warning level,
                                            emptiest first */
    struct pvs_rows_out silent_locks;    /* PVS_HEALTH_LOCK_SHAPE, longest silent first */
    struct pvs_rows_out silent_stations; /* PVS_HEALTH_STATION_SHAPE */
    struct pvs_rows_out keys_not_synced; /* PVS_HEALTH_KEY_SHAPE */
    void (*lost)(void *ctx, const struct pvs_health_lost *k); /* newest report first */
    void *lost_ctx;
};

/* The device health of `q->scope`: a provider sees the apartment locks of its current
 * recipients and the entrance and common doors of their buildings, its own stations and
 * keys. PVS_DB_OK or the store error (the lists may then be partly handed out). */
int pvs_device_health(pvs_db *db, const struct pvs_health_req *q,
                      const struct pvs_health_out *out) PV_MUST_CHECK;

#endif
