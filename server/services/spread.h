/* How far a lost key's block has spread (issue 9): for a key reported lost, every door it
 * had a right to on the day it was lost, and whether that door's own signed log shows it
 * holding a revocation list that names the key — since when — or not yet. The first list
 * naming the key is the first one the issuer signed at or after the report (every list
 * from then on carries the key until its last credential has expired). Runs inside the
 * caller's open read transaction. */
#ifndef PVS_SERVICES_SPREAD_H
#define PVS_SERVICES_SPREAD_H

#include <stdint.h>

#include "pvs/store.h"

typedef struct pvs_spread {
    int64_t bearer_id, staff_id, provider_id, revoked_at; /* revoked_at 0: not blocked */
    int64_t list_version, list_issued_at;                 /* 0: no list names it yet */
    int64_t credential_expires_at;                        /* 0: never synced */
    int64_t doors, doors_known;
    char state[16];
} pvs_spread;

/* One door of the key's rights as its own signed log tells it (strings cut to fit). */
typedef struct pvs_spread_door {
    int64_t lock_id, revlist_version, last_seen, known_since, opened_after_report; /* 0: none */
    int knows; /* the door holds a list naming the key */
    char kind[16], label[64], address[256], apartment[64], alarm_code[64];
} pvs_spread_door;

typedef void (*pvs_spread_door_fn)(void *ctx, const pvs_spread_door *door);

/*
 * Fills *out for bearer `id` seen by `scope` (0 = every provider) and calls `each` once per
 * door in lock id order. Returns PVS_DB_OK, PVS_DB_NOTFOUND when the key is not in scope,
 * or another pvs_db_rc.
 */
int pvs_spread_of(pvs_db *db, int64_t issuer, int64_t id, int64_t scope, int64_t now,
                  pvs_spread *out, pvs_spread_door_fn each, void *ctx);

#endif
