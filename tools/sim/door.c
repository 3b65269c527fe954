/* One unlock attempt between a key core and a lock core over the in-process radio, and
 * the bookkeeping the report needs (refusals, low battery, who knows the revocation). */
#include <string.h>

#include "sim.h"

#define DOOR_DELAY_MS 200u /* the staff member's hand between challenge and answer */

static void note_revocation_state(sim *s, sim_lock *l)
{
    uint64_t ver = 0, bt = 0;
    if (!s->m.revlist_version || l->knows_revocation_at)
        return;
    if (pv_lock_issuer_state(l->hw->lock, s->issuer_id, &ver, &bt) == PV_OK &&
        ver >= s->m.revlist_version)
        l->knows_revocation_at = s->now;
}

/* M1..M4 like pv_sim_unlock(), keeping the key's outcome (flags, delivered updates). */
static int run_exchange(pv_sim_key *k, pv_sim_lock *l, pv_key_outcome *o)
{
    static uint8_t m2[PV_MSG_MAX], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    uint8_t m1[PV_HELLO_SIZE];
    size_t n2 = 0, n3 = 0, n4 = 0;
    memset(o, 0, sizeof *o);
    pv_key_confirm(k->key);
    int rc = pv_key_unlock_start(k->key, m1);
    if (rc != PV_OK)
        return rc;
    int lr = pv_lock_handle(l->lock, m1, sizeof m1, m2, sizeof m2, &n2);
    (void)lr; /* the lock's decision reaches the key inside M4; the key reports it */
    if (n2 == 0) {
        pv_key_abort(k->key, PV_E_TIMEOUT);
        return PV_E_TIMEOUT;
    }
    pv_sim_clock_advance(&k->clock, DOOR_DELAY_MS);
    pv_sim_clock_advance(&l->clock, DOOR_DELAY_MS);
    rc = pv_key_on_challenge(k->key, m2, n2, m3, sizeof m3, &n3);
    if (n3 == 0)
        return rc;
    lr = pv_lock_handle(l->lock, m3, n3, m4, sizeof m4, &n4);
    if (n4 == 0) {
        pv_key_abort(k->key, PV_E_TIMEOUT);
        return PV_E_TIMEOUT;
    }
    return pv_key_on_result(k->key, m4, n4, o);
}

int sim_unlock(sim *s, sim_staff *st, sim_lock *l, int legit)
{
    sim_touch(s, &l->hw->clock);
    sim_touch(s, &st->key.clock);
    note_revocation_state(s, l);
    int knew = l->knows_revocation_at != 0;
    pv_key_outcome o;
    int rc = run_exchange(&st->key, l->hw, &o);
    s->m.unlocks++;
    if (rc == PV_OK)
        s->m.unlocks_opened++;
    else if (-rc > 0 && -rc < SIM_NREASON)
        s->m.refusals[-rc]++;
    if ((o.flags & PV_RESULT_F_LOW_BATTERY) && l->low_battery_reports++ == 0) {
        s->m.battery_warnings++;
        sim_say(s, "lock %u reports a low battery (%u mV): the alarm centre schedules a "
                   "battery change", l->id, (unsigned)o.battery_mv);
    }
    if (!legit) {
        s->m.lost_key_attempts++;
        if (rc == PV_OK && knew)
            s->m.lost_key_opens_after_revocation++;
        else if (rc == PV_OK)
            s->m.lost_key_opens_before_lock_knew++;
    }
    note_revocation_state(s, l);
    return rc;
}
