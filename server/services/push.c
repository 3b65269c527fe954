/* The held requests of the phone's push (push.h) and the watcher that wakes them: every
 * PVS_PUSH_TICK_MS one cheap query per store tells whether anything a key's token depends on
 * may have moved; only then (or for a request it has not looked at yet, or every few seconds
 * for what time alone changes) is each waiting key's own token computed, and only the keys
 * whose token moved are woken. Works across instances: the store is what is watched. */
#include "push.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvs/clock.h"

#define FULL_RECHECK_TICKS 50 /* every 5 s each key's token anyway (day change, staff state) */
#define MAX_STORES 8          /* servers in one process (tests run several) */

struct pvs_push_wait {
    struct pvs_push_wait *next;
    pvs_store *store;
    int64_t bearer_id;
    char token[PVS_PUSH_TOKEN_LEN + 1];
    char addr[64];
    double deadline_ms;
    bool fresh; /* not looked at by the watcher since it was armed */
    void *req;
    void (*wake)(void *req);
};

struct addr_slot {
    char addr[64];
    unsigned n;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    bool running, stopping;
    struct pvs_push_wait *armed; /* handed over, not yet taken by the watcher */
    unsigned held;
    struct addr_slot *slots;
    unsigned nslots, capslots;
    struct {
        pvs_store *store;
        int64_t fp[6];
    } seen[MAX_STORES];
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

unsigned pvs_push_held(void)
{
    pthread_mutex_lock(&P.mu);
    unsigned n = P.held;
    pthread_mutex_unlock(&P.mu);
    return n;
}

int64_t pvs_push_bearer(const struct pvs_push_wait *w)
{
    return w->bearer_id;
}

/* The per-address count of `addr` (created at 0 when absent); NULL when the table is full. */
static struct addr_slot *addr_slot(const char *addr)
{
    struct addr_slot *empty = NULL;
    for (unsigned i = 0; i < P.nslots; i++) {
        if (P.slots[i].n && strcmp(P.slots[i].addr, addr) == 0)
            return &P.slots[i];
        if (!P.slots[i].n && !empty)
            empty = &P.slots[i];
    }
    if (!empty && P.nslots < P.capslots)
        empty = &P.slots[P.nslots++];
    if (empty)
        snprintf(empty->addr, sizeof empty->addr, "%s", addr);
    return empty;
}

static void *watch(void *arg);

enum pvs_push_admit pvs_push_reserve(pvs_store *store, unsigned max_total, const char *addr,
                                     int64_t bearer_id, const char *token,
                                     struct pvs_push_wait **out)
{
    *out = NULL;
    struct pvs_push_wait *w = calloc(1, sizeof *w);
    if (!w)
        return PVS_PUSH_NOMEM;
    w->store = store;
    w->bearer_id = bearer_id;
    snprintf(w->token, sizeof w->token, "%s", token);
    snprintf(w->addr, sizeof w->addr, "%s", addr);
    enum pvs_push_admit rc = PVS_PUSH_ADMITTED;
    pthread_mutex_lock(&P.mu);
    if (!P.slots && (P.slots = calloc(max_total, sizeof *P.slots)) != NULL)
        P.capslots = max_total;
    struct addr_slot *a = P.slots ? addr_slot(addr) : NULL;
    if (P.stopping || P.held >= max_total || P.held >= P.capslots || !a)
        rc = PVS_PUSH_FULL;
    else if (a->n >= PVS_PUSH_PER_ADDR)
        rc = PVS_PUSH_ADDR_FULL;
    else if (!P.running && pthread_create(&P.th, NULL, watch, NULL) != 0)
        rc = PVS_PUSH_NOMEM;
    if (rc == PVS_PUSH_ADMITTED) {
        P.running = true;
        a->n++;
        P.held++;
    }
    pthread_mutex_unlock(&P.mu);
    if (rc != PVS_PUSH_ADMITTED)
        free(w);
    else
        *out = w;
    return rc;
}

void pvs_push_arm(struct pvs_push_wait *w, void *req, void (*wake)(void *req))
{
    w->req = req;
    w->wake = wake;
    w->fresh = true;
    w->deadline_ms = pvs_mono_ms() + PVS_PUSH_HOLD_S * 1000.0;
    pthread_mutex_lock(&P.mu);
    bool now = P.stopping;
    if (!now) {
        w->next = P.armed;
        P.armed = w;
    }
    pthread_mutex_unlock(&P.mu);
    if (now)
        w->wake(w->req);
}

void pvs_push_release(struct pvs_push_wait *w)
{
    pthread_mutex_lock(&P.mu);
    struct addr_slot *a = addr_slot(w->addr);
    if (a && a->n)
        a->n--;
    P.held--;
    pthread_mutex_unlock(&P.mu);
    free(w);
}

/* What any key's token depends on, in one cheap statement: when it is unchanged since the
 * last tick, no key's token moved (except by time, the periodic recheck). */
static bool fingerprint_moved(pvs_db *db, pvs_store *store)
{
    int64_t fp[6] = {0};
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT (SELECT value FROM rights_generation WHERE id = 1),"
                       " (SELECT COALESCE(MAX(version), 0) FROM revlists),"
                       " (SELECT COUNT(*) FROM alarm_grants),"
                       " (SELECT COALESCE(SUM(COALESCE(ended_at, 0)), 0) FROM alarm_grants),"
                       " (SELECT COUNT(*) FROM bearers WHERE state = 'active'),"
                       " (SELECT COALESCE(SUM(id), 0) FROM bearers WHERE state = 'active')",
                       PVS_NOARGS);
    if (rc != PVS_DB_OK)
        return true;
    if (pvs_next(&st) == PVS_DB_ROW)
        for (int i = 0; i < 6; i++)
            fp[i] = pvs_col_i64(&st, i);
    pvs_finalize(&st);
    int slot = -1;
    for (int i = 0; i < MAX_STORES && slot < 0; i++)
        if (P.seen[i].store == store || !P.seen[i].store)
            slot = i;
    if (slot < 0)
        return true;
    bool moved = P.seen[slot].store != store || memcmp(P.seen[slot].fp, fp, sizeof fp) != 0;
    P.seen[slot].store = store;
    memcpy(P.seen[slot].fp, fp, sizeof fp);
    return moved;
}

/* Whether w's request is due to be woken now (its token moved, it is unknown or blocked). */
static bool due(struct pvs_push_wait *w, pvs_db *db, bool moved, double now_ms)
{
    if (now_ms >= w->deadline_ms)
        return true;
    if (!moved && !w->fresh)
        return false;
    w->fresh = false;
    char token[PVS_PUSH_TOKEN_LEN + 1];
    enum pvs_phone_refusal why;
    int rc = pvs_push_key_token(db, w->bearer_id, pvs_now(), token, &why);
    return rc == PVS_DB_OK && (why != PVS_PHONE_OK || strcmp(token, w->token) != 0);
}

/* One look at every held request of `store` in *list; the woken are taken out of it. */
static void tick_store(pvs_store *store, struct pvs_push_wait **list, bool recheck)
{
    pvs_db *db = pvs_store_acquire(store);
    bool moved = recheck || fingerprint_moved(db, store);
    double now_ms = pvs_mono_ms();
    for (struct pvs_push_wait **pp = list; *pp;) {
        struct pvs_push_wait *w = *pp;
        if (w->store != store || !due(w, db, moved, now_ms)) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        w->wake(w->req); /* from here on the woken request owns w */
    }
    pvs_store_release(store, db);
}

static void wake_all(struct pvs_push_wait *list)
{
    while (list) {
        struct pvs_push_wait *w = list;
        list = w->next;
        w->wake(w->req);
    }
}

static void *watch(void *arg)
{
    (void)arg;
    struct pvs_push_wait *list = NULL;
    for (unsigned tick = 1;; tick++) {
        pthread_mutex_lock(&P.mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += PVS_PUSH_TICK_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        if (!P.stopping)
            pthread_cond_timedwait(&P.cv, &P.mu, &ts);
        bool stop = P.stopping;
        struct pvs_push_wait *in = P.armed;
        P.armed = NULL;
        pthread_mutex_unlock(&P.mu);
        while (in) { /* the newly armed join the list */
            struct pvs_push_wait *w = in;
            in = w->next;
            w->next = list;
            list = w;
        }
        if (stop)
            break;
        /* each store once: the first request of a store not yet looked at this tick */
        pvs_store *done[MAX_STORES] = {0};
        for (struct pvs_push_wait *w = list; w;) {
            unsigned k = 0;
            while (k < MAX_STORES && done[k] && done[k] != w->store)
                k++;
            if (k < MAX_STORES && !done[k]) {
                done[k] = w->store;
                tick_store(w->store, &list, tick % FULL_RECHECK_TICKS == 0);
                w = list; /* the list changed: look again from its start */
                continue;
            }
            w = w->next;
        }
    }
    wake_all(list);
    return NULL;
}

void pvs_push_stop(void)
{
    pthread_mutex_lock(&P.mu);
    bool running = P.running;
    P.stopping = true;
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    if (running)
        pthread_join(P.th, NULL);
    pthread_mutex_lock(&P.mu);
    struct pvs_push_wait *left = P.armed;
    P.armed = NULL;
    P.running = false;
    memset(P.seen, 0, sizeof P.seen);
    pthread_mutex_unlock(&P.mu);
    wake_all(left);
    pthread_mutex_lock(&P.mu);
    P.stopping = false;
    pthread_mutex_unlock(&P.mu);
}
