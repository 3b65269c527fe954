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

/* The in-process virtual radio (port/sim) between the key in the staff member's hand and
 * the lock on the door: every message crosses it as one frame. */
static pv_sim_queue air_kl, air_lk;
static pv_sim_radio key_ep, lock_ep;
static uint64_t air_bytes, air_frames;

/* One frame over the air: `from` sends, `to` receives it into buf. */
static int over_air(pv_sim_radio *from, pv_sim_radio *to, const uint8_t *msg, size_t n,
                    uint8_t *buf, size_t cap, size_t *got)
{
    int rc = pv_sim_radio_send(from, msg, n);
    if (rc == PV_OK)
        rc = pv_sim_radio_recv(to, buf, cap, got, 0);
    if (rc == PV_OK)
        air_bytes += n, air_frames++;
    return rc;
}

/* The lock's side of one frame: receive, decide, answer over the air. */
static int lock_turn(pv_sim_lock *l, uint8_t *buf, size_t n, uint8_t *ans, size_t *ans_len)
{
    size_t out = 0;
    int lr = pv_lock_handle(l->lock, buf, n, ans, PV_MSG_MAX, &out);
    (void)lr; /* the lock's decision reaches the key inside M4; the key reports it */
    *ans_len = 0;
    return out ? over_air(&lock_ep, &key_ep, ans, out, buf, PV_MSG_MAX, ans_len) : PV_E_TIMEOUT;
}

/* M1..M4 like pv_sim_unlock(), over the radio, keeping the key's outcome. */
static int run_exchange(pv_sim_key *k, pv_sim_lock *l, pv_key_outcome *o)
{
    static uint8_t buf[PV_MSG_MAX], msg[PV_MSG_MAX], ans[PV_MSG_MAX];
    size_t n = 0, len = 0, m3 = 0;
    if (!key_ep.tx)
        pv_sim_radio_pair(&key_ep, &lock_ep, &air_kl, &air_lk);
    memset(o, 0, sizeof *o);
    pv_key_confirm(k->key);
    int rc = pv_key_unlock_start(k->key, msg);
    if (rc != PV_OK)
        return rc;
    rc = over_air(&key_ep, &lock_ep, msg, PV_HELLO_SIZE, buf, sizeof buf, &n);
    if (rc == PV_OK)
        rc = lock_turn(l, buf, n, ans, &len); /* M2 arrives in buf */
    if (rc != PV_OK) {
        pv_key_abort(k->key, PV_E_TIMEOUT);
        return PV_E_TIMEOUT;
    }
    pv_sim_clock_advance(&k->clock, DOOR_DELAY_MS);
    pv_sim_clock_advance(&l->clock, DOOR_DELAY_MS);
    rc = pv_key_on_challenge(k->key, buf, len, msg, sizeof msg, &m3);
    if (m3 == 0)
        return rc;
    if (over_air(&key_ep, &lock_ep, msg, m3, buf, sizeof buf, &n) != PV_OK ||
        lock_turn(l, buf, n, ans, &len) != PV_OK) { /* M4 arrives in buf */
        pv_key_abort(k->key, PV_E_TIMEOUT);
        return PV_E_TIMEOUT;
    }
    return pv_key_on_result(k->key, buf, len, o);
}

uint64_t sim_air_bytes(void)
{
    return air_bytes;
}

int sim_unlock(sim *s, sim_staff *st, sim_lock *l, int legit)
{
    sim_touch(s, &l->hw->clock);
    sim_touch(s, &st->key.clock);
    note_revocation_state(s, l);
    /* the lock's own housekeeping between visits: a battery below its warning level goes
     * into its signed log, which this key then carries up (as lock-serve and the M4 do) */
    int hk = pv_lock_refresh(l->hw->lock);
    if (hk != PV_OK)
        sim_say(s, "lock %u: housekeeping failed (%s)", l->id, pv_strerror(hk));
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
