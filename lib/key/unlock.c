/* The key's side of the unlock exchange: armed only by an explicit user action, picks the
 * right covering the lock's time, carries newer lists and beacons, and logs every outcome
 * with a reason the user can read. */
#include <string.h>

#include <sodium.h>

#include "internal.h"
#include "portvakt/lock.h" /* the clock rules the key predicts */

const char *pv_key_reason_text(int status)
{
    switch (status) {
    case PV_OK:
        return "opened";
    case PV_E_EXPIRED:
        return "expired";
    case PV_E_NOT_YET_VALID:
        return "not valid yet";
    case PV_E_NO_RIGHT:
    case PV_E_WRONG_LOCK:
    case PV_E_SCOPE:
        return "no right to this door";
    case PV_E_REVOKED:
        return "key blocked";
    case PV_E_LOCK_CLOCK:
        return "lock clock out of range";
    case PV_E_BACKOFF:
        return "too many attempts at this door: wait a little";
    case PV_E_TIMEOUT:
        return "no answer from the lock";
    case PV_E_NOT_CONFIRMED:
        return "press the button first";
    case PV_E_NO_CREDENTIAL:
        return "sync the key first";
    case PV_E_CHALLENGE_EXPIRED:
        return "too slow: try again";
    case PV_E_UNKNOWN_ISSUER:
        return "this door does not trust the key's issuer";
    default:
        return "refused by the lock";
    }
}

void pv_key_confirm(pv_key *k)
{
    k->confirmed = 1;
    k->confirm_at = k->ops->tick_ms(k->ops->ctx);
}

static void end_unlock(pv_key *k)
{
    pv_session_wipe(&k->s);
    sodium_memzero(k->scratch, sizeof k->scratch);
    k->state = k->n > 0 ? PV_KEY_READY : PV_KEY_EMPTY;
    k->delivering = 0;
    k->local_reason = PV_OK;
}

int pv_key_unlock_start(pv_key *k, uint8_t m1[PV_HELLO_SIZE])
{
    if (!k || !m1)
        return PV_E_ARG;
    uint64_t now = k->ops->tick_ms(k->ops->ctx);
    int armed = k->confirmed && now - k->confirm_at <= PV_KEY_CONFIRM_MS;
    k->confirmed = 0; /* one press, one attempt */
    if (!armed) {
        pv_key_log(k, 0, 0, PV_E_NOT_CONFIRMED); /* a lock or relay tried to wake us */
        return PV_E_NOT_CONFIRMED;
    }
    if (k->state == PV_KEY_EMPTY)
        return PV_E_NO_CREDENTIAL;
    end_unlock(k);
    uint8_t r[32];
    if (k->ops->random(k->ops->ctx, r, sizeof r) != PV_OK)
        return PV_E_CRYPTO;
    int rc = pv_key_hs_start(&k->s, k->c.issuer_id, r, m1);
    sodium_memzero(r, sizeof r);
    if (rc != PV_OK)
        return rc;
    k->lock_id = 0;
    k->started_at = now;
    k->state = PV_KEY_HELLO_SENT;
    return PV_OK;
}

/* The lock's time after it takes what we carry: a beacon's forward jump or (at worst) a
 * back-step within the tolerance, then a list's signed issue time as a lower bound. */
static uint64_t lock_time_after(const pv_key *k, const pv_challenge *ch, int beacon, int list)
{
    uint64_t t = ch->lock_time;
    if (beacon && k->beacon_time > t) {
        t = k->beacon_time;
    } else if (beacon) {
        uint64_t back = t - k->beacon_time;
        t -= back < PV_LOCK_CLOCK_BACK_TOL_S ? back : PV_LOCK_CLOCK_BACK_TOL_S;
    }
    pv_revlist rl;
    if (list && pv_revlist_decode(k->revlist, k->revlist_len, &rl) == PV_OK && rl.issued_at > t)
        t = rl.issued_at;
    return t;
}

/* Why the key will not present a right at this lock, or PV_OK with *index. */
static int choose_right(const pv_key *k, const pv_challenge *ch, uint64_t lock_t,
                        uint32_t *index)
{
    if (k->revlist_len > 0) {
        pv_revlist rl;
        if (pv_revlist_decode(k->revlist, k->revlist_len, &rl) == PV_OK &&
            rl.issuer_id == k->c.issuer_id &&
            pv_revlist_check(&rl, k->c.bearer_id, k->c.issued_at) != PV_OK)
            return PV_E_REVOKED;
    }
    /* a lock behind the credential's signed issue time moves up to it once the signature
     * checks (docs/lock.md, "Clock"): judge the window by that time too */
    if (lock_t < k->c.issued_at)
        lock_t = k->c.issued_at;
    int any = 0;
    int64_t i = pv_key_find_right(k, ch->lock_id, lock_t, &any);
    if (i >= 0) {
        *index = (uint32_t)i;
        return PV_OK;
    }
    if (!any)
        return PV_E_NO_RIGHT;
    uint64_t now = k->ops->now_s(k->ops->ctx);
    if (pv_key_find_right(k, ch->lock_id, now, &any) >= 0)
        return PV_E_LOCK_CLOCK; /* valid by our clock, not by the lock's */
    if (now >= k->c.not_after || lock_t >= k->c.not_after)
        return PV_E_EXPIRED;
    /* inside the credential but outside this door's hours: is a window still to come? */
    return pv_key_right_later(k, ch->lock_id, lock_t) ? PV_E_NOT_YET_VALID : PV_E_EXPIRED;
}

int pv_key_on_challenge(pv_key *k, const uint8_t *m2, size_t m2_len, uint8_t *m3, size_t cap,
                        size_t *m3_len)
{
    if (!k || !m2 || !m3 || !m3_len)
        return PV_E_ARG;
    *m3_len = 0;
    if (k->state != PV_KEY_HELLO_SENT)
        return PV_E_STATE;
    if (k->ops->tick_ms(k->ops->ctx) - k->started_at > PV_KEY_SESSION_MS) {
        pv_key_log(k, 0, 0, PV_E_TIMEOUT); /* a late answer may come through a relay */
        end_unlock(k);
        return PV_E_TIMEOUT;
    }
    pv_challenge ch;
    int rc = pv_key_hs_challenge(&k->s, m2, m2_len, &ch, k->x_sk);
    if (rc != PV_OK) {
        pv_key_log(k, 0, 0, rc);
        end_unlock(k);
        return rc;
    }
    k->lock_id = ch.lock_id;
    int give_rl = k->revlist_len > 0 && k->revlist_version > ch.revlist_version;
    int give_b = k->beacon_time > 0 && k->beacon_time > ch.beacon_time;
    uint32_t index = 0;
    int reason = choose_right(k, &ch, lock_time_after(k, &ch, give_b, give_rl), &index);
    if (reason != PV_OK && !give_rl && !give_b) {
        pv_key_log(k, ch.lock_id, 0, reason);
        end_unlock(k);
        return reason;
    }
    /* present our right, or (refusing ourselves) any right, so the lock still takes
     * the newer list or beacon we carry */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    unsigned ns = 0;
    rc = pv_key_prove(k, reason == PV_OK ? index : 0, sib, &ns);
    if (rc == PV_OK) {
        pv_present p;
        memset(&p, 0, sizeof p);
        p.cred = k->cred;
        p.leaf_index = reason == PV_OK ? index : 0;
        p.entry = k->entries + (size_t)p.leaf_index * PV_ENTRY_SIZE;
        p.nsiblings = (uint8_t)ns;
        p.siblings = &sib[0][0];
        p.revlist = give_rl ? k->revlist : NULL;
        p.revlist_len = give_rl ? k->revlist_len : 0;
        p.beacon = give_b ? k->beacon : NULL;
        rc = pv_key_hs_present(&k->s, &p, m3, cap, m3_len);
    }
    if (rc != PV_OK) {
        *m3_len = 0;
        pv_key_log(k, ch.lock_id, 0, rc);
        end_unlock(k);
        return rc;
    }
    k->local_reason = reason;
    k->delivering = (uint8_t)(give_rl || give_b);
    k->state = PV_KEY_PRESENTED;
    return reason;
}

int pv_key_on_result(pv_key *k, const uint8_t *m4, size_t m4_len, pv_key_outcome *o)
{
    if (!k || !m4 || !o)
        return PV_E_ARG;
    memset(o, 0, sizeof *o);
    if (k->state != PV_KEY_PRESENTED)
        return PV_E_STATE;
    o->lock_id = k->lock_id;
    pv_result r;
    int rc = k->ops->tick_ms(k->ops->ctx) - k->started_at > PV_KEY_SESSION_MS
                 ? PV_E_TIMEOUT
                 : pv_key_hs_result(&k->s, m4, m4_len, k->scratch, sizeof k->scratch, &r);
    if (rc != PV_OK) {
        o->status = rc;
    } else {
        o->status = r.status;
        o->lock_time = r.lock_time;
        o->battery_mv = r.battery_mv;
        o->flags = r.flags;
        o->delivered = (r.flags & (PV_RESULT_F_REVLIST_TAKEN | PV_RESULT_F_CLOCK_SET)) != 0;
        pv_logbatch b;
        if (r.batch && pv_logbatch_decode(r.batch, r.batch_len, &b) == PV_OK) {
            pv_key_store_batch(k, r.batch, r.batch_len);
            o->got_batch = 1;
        }
    }
    /* our own reason is the more useful one when we presented only to deliver updates */
    if (k->local_reason != PV_OK && o->status != PV_OK)
        o->status = k->local_reason;
    o->message = pv_key_reason_text(o->status);
    pv_key_log(k, k->lock_id, o->status == PV_OK, o->status);
    end_unlock(k);
    return o->status;
}

void pv_key_abort(pv_key *k, int reason)
{
    if (!k || (k->state != PV_KEY_HELLO_SENT && k->state != PV_KEY_PRESENTED))
        return;
    pv_key_log(k, k->lock_id, 0, reason);
    end_unlock(k);
}
