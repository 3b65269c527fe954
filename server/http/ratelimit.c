/* Per-client budgets of refused attempts (pvs/ratelimit.h): a fixed table of token buckets,
 * found by a hash of the client's key and a few probes. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "pvs/ratelimit.h"

#define PROBES 8

int pvs_rate_init(pvs_rate *r, double burst, double every_s)
{
    memset(r, 0, sizeof *r);
    r->burst = burst;
    r->every_s = every_s;
    return pthread_mutex_init(&r->mu, NULL) == 0 ? 0 : -1;
}

void pvs_rate_fini(pvs_rate *r)
{
    pthread_mutex_destroy(&r->mu);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a: spreads addresses, no secret needed for a cache */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The key's bucket refilled to `now`; a new one (full) when the key is not tracked. */
static int find(pvs_rate *r, const char *key, double now)
{
    uint32_t h = hash(key);
    int best = -1;
    double best_tokens = -1;
    for (int i = 0; i < PROBES; i++) {
        int k = (int)((h + (uint32_t)i) % PVS_RATE_SLOTS);
        if (strcmp(r->slot[k].key, key) == 0) {
            double t = r->slot[k].tokens + (now - r->slot[k].at) / r->every_s;
            r->slot[k].tokens = t > r->burst ? r->burst : t;
            r->slot[k].at = now;
            return k;
        }
        double t = r->slot[k].key[0] ? r->slot[k].tokens + (now - r->slot[k].at) / r->every_s
                                     : r->burst + 1; /* free: best of all */
        if (t > best_tokens) {
            best_tokens = t;
            best = k;
        }
    }
    snprintf(r->slot[best].key, sizeof r->slot[best].key, "%s", key);
    r->slot[best].tokens = r->burst;
    r->slot[best].at = now;
    return best;
}

unsigned pvs_rate_wait(pvs_rate *r, const char *key, double now)
{
    pthread_mutex_lock(&r->mu);
    int k = find(r, key, now);
    double lack = 1.0 - r->slot[k].tokens;
    pthread_mutex_unlock(&r->mu);
    if (lack <= 0)
        return 0;
    double w = lack * r->every_s;
    return (unsigned)w + ((double)(unsigned)w < w ? 1u : 0u); /* rounded up */
}

void pvs_rate_charge(pvs_rate *r, const char *key, double now)
{
    pthread_mutex_lock(&r->mu);
    int k = find(r, key, now);
    if (r->slot[k].tokens > -r->burst) /* a flood digs no deeper than one more burst */
        r->slot[k].tokens -= 1.0;
    pthread_mutex_unlock(&r->mu);
}
