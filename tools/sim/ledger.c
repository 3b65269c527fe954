/* Log completeness: which lock events the authorization system holds, and the gaps. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

sim_lock *sim_lock_by_id(sim *s, uint32_t id)
{
    for (size_t i = 0; i < s->nlocks; i++)
        if (s->locks[i].id == id)
            return &s->locks[i];
    return NULL;
}

int sim_mark_stored(sim *s, uint32_t lock_id, uint32_t seq)
{
    sim_lock *l = sim_lock_by_id(s, lock_id);
    if (!l || seq > 1000000u)
        return PV_E_NOT_FOUND;
    if (seq >= l->got_cap) {
        uint32_t cap = seq + 256;
        uint8_t *g = realloc(l->got, cap);
        if (!g)
            return PV_E_NOMEM;
        memset(g + l->got_cap, 0, cap - l->got_cap);
        l->got = g;
        l->got_cap = cap;
    }
    if (l->got[seq])
        return PV_E_STALE; /* a duplicate */
    l->got[seq] = 1;
    return PV_OK;
}

/* Events a lost key took from locks (while they did not yet know of the block) left with
 * the key: the server sees them as missing. They are counted apart, not as gaps. */
static void mark_carried(sim *s)
{
    if (s->lost_staff < 0)
        return;
    pv_key *k = s->staff[s->lost_staff].key.key;
    s->m.lost_key_batches_dropped = pv_key_batch_dropped(k);
    for (uint32_t i = 0; i < pv_key_batch_count(k); i++) {
        const uint8_t *b;
        size_t len;
        pv_logbatch lb;
        if (pv_key_batch_get(k, i, &b, &len) != PV_OK || pv_logbatch_decode(b, len, &lb) != PV_OK)
            continue;
        for (unsigned e = 0; e < lb.count; e++) {
            pv_event ev;
            if (pv_event_decode(lb.events + 16u * e, &ev) == PV_OK &&
                sim_mark_stored(s, lb.lock_id, ev.seq) == PV_OK)
                sim_lock_by_id(s, lb.lock_id)->got[ev.seq] = 2;
        }
    }
}

static int is_access(const sim_lock *l, uint32_t seq)
{
    pv_event ev;
    uint8_t chain[PV_HASH_SIZE];
    return pv_lock_event(l->hw->lock, seq, &ev, chain) == PV_OK &&
           (ev.kind == PV_EV_OPEN || ev.kind == PV_EV_DENY);
}

/* Completeness of the access log (passages and refusals, what the server's access log
 * holds): generated = every such event the lock cores wrote; a gap is a run of missing
 * ones below the newest stored one; pending = the tail still on the lock, waiting for the
 * next key. Housekeeping events (clock, list, battery) travel the same way but are not
 * counted here. */
void sim_count_logs(sim *s)
{
    mark_carried(s);
    s->m.events_generated = s->m.events_stored = s->m.events_pending = s->m.log_gaps = 0;
    s->m.events_with_lost_key = 0;
    for (size_t i = 0; i < s->nlocks; i++) {
        sim_lock *l = &s->locks[i];
        pv_lock_info in;
        pv_lock_get_info(l->hw->lock, &in);
        uint32_t top = 0;
        int any = 0, in_gap = 0;
        for (uint32_t q = 0; q < in.next_seq; q++)
            if (q < l->got_cap && l->got[q] && is_access(l, q))
                top = q, any = 1;
        for (uint32_t q = 0; q < in.next_seq; q++) {
            if (!is_access(l, q))
                continue;
            uint8_t g = q < l->got_cap ? l->got[q] : 0;
            s->m.events_generated++;
            s->m.events_stored += g == 1;
            s->m.events_with_lost_key += g == 2;
            if (!g && any && q < top) {
                s->m.log_gaps += !in_gap; /* count runs, not events */
                in_gap = 1;
            } else {
                in_gap = 0;
            }
            s->m.events_pending += !g && (!any || q > top);
        }
    }
}

void sim_shift(const sim *s, const sim_staff *st, uint64_t t, uint64_t *from, uint64_t *until)
{
    uint64_t d = s->day0 + ((t - s->day0) / 86400u) * 86400u; /* midnight of t's day */
    if (!st->night) {
        *from = d + 7 * 3600;
        *until = d + 15 * 3600 + 30 * 60;
        return;
    }
    if (t < d + 7 * 3600) { /* the night that began yesterday */
        *from = d - 3 * 3600;
        *until = d + 7 * 3600;
    } else {
        *from = d + 21 * 3600;
        *until = d + 31 * 3600;
    }
}
