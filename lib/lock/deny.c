/* Coalesced refusals: identical refusals in a row at the door become one ring record for the
 * first and one summary record for the rest (count in aux, the last one's time), so a
 * stream of forged attempts cannot recycle the event ring (docs/lock.md). */
#include "internal.h"

void pv_lock_deny_flush(pv_lock *l, int end)
{
    lock_deny_run *r = &l->deny;
    if (!r->active)
        return;
    if (r->repeats > 0) {
        uint16_t n = r->repeats;
        r->repeats = 0;
        r->since = pv_lock_now(l);
        if (pv_lock_ring_append_at(l, PV_EV_DENY, r->reason, n, r->subject, r->last_time) != PV_OK)
            l->log_errors++;
    }
    if (end)
        r->active = 0;
}

void pv_lock_log_deny(pv_lock *l, uint8_t reason, uint32_t subject)
{
    lock_deny_run *r = &l->deny;
    uint64_t now = pv_lock_now(l);
    if (r->active && l->failures >= PV_LOCK_DENY_SINGLE && r->reason == reason &&
        r->subject == subject && r->repeats < 0xFFFFu) {
        r->repeats++;
        r->last_time = (uint32_t)now;
        return;
    }
    pv_lock_log(l, PV_EV_DENY, reason, 0, subject); /* writes out a run before it first */
    r->active = 1;
    r->reason = reason;
    r->subject = subject;
    r->repeats = 0;
    r->last_time = (uint32_t)now;
    r->since = now;
}

void pv_lock_deny_refresh(pv_lock *l)
{
    const lock_deny_run *r = &l->deny;
    if (r->active && r->repeats > 0 && pv_lock_now(l) >= r->since + PV_LOCK_DENY_FLUSH_S)
        pv_lock_deny_flush(l, 0); /* the run goes on: its next refusals count afresh */
}
