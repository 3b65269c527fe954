/* The door the unlock benchmarks measure (host bench_unlock and the Cortex-M4 bench
 * firmware): an issuer, a commissioned simulated lock and a key holding `rights` rights of
 * which one opens it, with a revocation list and a time beacon to deliver. */
#ifndef PV_BENCH_DOOR_KIT_H
#define PV_BENCH_DOOR_KIT_H

#include "portvakt/sim.h"

#define BENCH_NOW 1795000000u /* a fixed wall time: runs are repeatable */
#define BENCH_LOCK 70001u      /* the door under test, placed inside the bearer's rights */

typedef struct door {
    uint8_t issuer_pk[PV_PK_SIZE], issuer_sk[PV_SIGN_SK_SIZE];
    uint8_t bearer_pk[PV_PK_SIZE]; /* the key's Ed25519 identity */
    uint32_t bearer_id;
    pv_sim_lock lock;
    pv_sim_key key;
    void *key_mem;
    uint8_t *entries;
    uint32_t rights;
} door;

/* Print what failed and exit(1). */
void door_die(const char *what, int rc);
void door_setup(door *d, uint32_t rights);
/* A new key (a bearer the lock has not seen) in the same memory; door_issue() next. */
void door_rekey(door *d, uint32_t bearer_id);
/* Sign a new credential (serial) over the same rights, list and beacon, and install it. */
void door_issue(door *d, uint64_t serial);
/* One visit a second after the last; dies unless the door opens. */
void door_unlock(door *d, pv_sim_unlock_stats *st);

#endif
