/* Process-wide state of the domain module (kept in pvs_server.domain): the key that makes
 * sync challenges verifiable without storing them, and the lock that serialises the sync
 * path's write transactions in-process instead of leaving writers to SQLite's sleeping
 * busy handler (which turns contention into tens of milliseconds of tail latency). */
#ifndef PVS_DOMAIN_STATE_H
#define PVS_DOMAIN_STATE_H

#include <pthread.h>
#include <stdint.h>

#include "pvs/ratelimit.h"
#include "pvs/server.h"

/* Refused syncs a client may have at once, then one per PVD_SYNC_REFUSAL_EVERY_S: a key
 * at a station is refused rarely (expired challenge, lost key), a forger all the time. */
#define PVD_SYNC_REFUSAL_BURST 20
#define PVD_SYNC_REFUSAL_EVERY_S 3

typedef struct pvd_state {
    uint8_t nonce_key[32];
    pthread_mutex_t write_lock;
    pvs_rate sync_refusals; /* by station, or by address without a station signature */
} pvd_state;

/* The state, or NULL before pvs_domain_init(). */
static inline pvd_state *pvd_state_of(const struct pvs_server *s)
{
    return (pvd_state *)s->domain;
}

#endif
