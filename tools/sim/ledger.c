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

/* Generated = every event the lock cores wrote; a gap is a run of missing sequence numbers
 * below the newest stored one; pending = the tail still on the lock, waiting for a key. */
/* Events a lost key took from locks (while they did not yet know of the block) left with
 * the key: the server sees them as missing. They are counted apart, not as gaps. */
static void mark_carried(sim *s)
{
    s->m.events_with_lost_key = 0;
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
                sim_mark_stored(s, lb.lock_id, ev.seq) == PV_OK) {
                sim_lock_by_id(s, lb.lock_id)->got[ev.seq] = 2;
                s->m.events_with_lost_key++;
            }
        }
    }
}

void sim_count_logs(sim *s)
{
    mark_carried(s);
    s->m.events_generated = s->m.events_stored = s->m.events_pending = s->m.log_gaps = 0;
    for (size_t i = 0; i < s->nlocks; i++) {
        sim_lock *l = &s->locks[i];
        pv_lock_info in;
        pv_lock_get_info(l->hw->lock, &in);
        s->m.events_generated += in.next_seq;
        uint32_t top = 0;
        int any = 0;
        for (uint32_t q = 0; q < l->got_cap && q < in.next_seq; q++)
            if (l->got[q]) {
                s->m.events_stored += l->got[q] == 1;
                top = q;
                any = 1;
            }
        for (uint32_t q = 0; any && q < top; q++)
            if (!l->got[q] && (q == 0 || l->got[q - 1]))
                s->m.log_gaps++;
        s->m.events_pending += in.next_seq - (any ? top + 1 : 0);
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
