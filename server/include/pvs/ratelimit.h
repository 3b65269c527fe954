/* A budget of refused attempts per client (a token bucket per key, in memory): a client may
 * be refused `burst` times at once, then once per `every_s` seconds. Used where a refusal
 * costs the server work and anyone may try (POST /sync). Thread-safe. */
#ifndef PVS_RATELIMIT_H
#define PVS_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>

/* Clients tracked at once; past that the one with the fullest budget is forgotten (it had
 * been refused least lately), so a flood of addresses cannot evict a throttled one cheaply. */
#define PVS_RATE_SLOTS 1024
#define PVS_RATE_KEY 64

typedef struct pvs_rate {
    pthread_mutex_t mu;
    double burst, every_s;
    struct {
        char key[PVS_RATE_KEY];
        double tokens, at;
    } slot[PVS_RATE_SLOTS];
} pvs_rate;

/* 0, or -1 if the mutex cannot be made. */
int pvs_rate_init(pvs_rate *r, double burst, double every_s);
void pvs_rate_fini(pvs_rate *r);
/* Whole seconds `key` must wait before its next attempt is heard (0: now), at time `now`. */
unsigned pvs_rate_wait(pvs_rate *r, const char *key, double now);
/* One refusal charged to `key` at time `now`. */
void pvs_rate_charge(pvs_rate *r, const char *key, double now);

#endif
