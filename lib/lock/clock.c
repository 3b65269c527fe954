/* The lock's clock and the updates keys carry to it: issuer-signed time beacons (forward
 * freely, backward only within a budget), revocation lists (only ever newer), and the
 * failure backoff. Rules and their reasons: docs/lock.md, "Clock" and "Backoff". */
#include <string.h>

#include "internal.h"

uint64_t pv_lock_now(const pv_lock *l)
{
    uint64_t tick = l->ops->tick_ms(l->ops->ctx);
    uint64_t since = tick >= l->clock_base_ms ? tick - l->clock_base_ms : 0;
    return l->clock_base_s + since / 1000u;
}

void pv_lock_set_clock(pv_lock *l, uint64_t t)
{
    /* keep the sub-second phase of the tick so repeated corrections do not drift */
    uint64_t tick = l->ops->tick_ms(l->ops->ctx);
    l->clock_base_s = t;
    l->clock_base_ms = tick;
}

lock_issuer *pv_lock_find_issuer(pv_lock *l, uint32_t issuer_id)
{
    for (unsigned i = 0; i < l->cfg.nissuers; i++)
        if (l->cfg.iss[i].cfg.issuer_id == issuer_id)
            return &l->cfg.iss[i];
    return NULL;
}

int pv_lock_issuer_in_scope(const pv_lock *l, const lock_issuer *is)
{
    for (unsigned i = 0; i < is->cfg.nscopes && i < PV_LOCK_MAX_SCOPES; i++)
        if (l->cfg.lock_id >= is->cfg.scopes[i].lo && l->cfg.lock_id <= is->cfg.scopes[i].hi)
            return 1;
    return 0;
}

/* A refused update is logged as tamper; a failed log write cannot make it worse. */
static void log_tamper(pv_lock *l, uint16_t source, uint32_t subject)
{
    pv_lock_log(l, PV_EV_TAMPER, 0, source, subject);
}

/* The back-step budget grows with the time the clock ran since it was last set forward, at
 * the most a crystal can run fast (PV_LOCK_CLOCK_BACK_PER_S), up to the tolerance. */
static void budget_grow(pv_lock *l, uint64_t now)
{
    if (now <= l->back_since)
        return;
    uint64_t grown = (now - l->back_since) / PV_LOCK_CLOCK_BACK_PER_S;
    if (l->back_budget_s + grown >= PV_LOCK_CLOCK_BACK_TOL_S) {
        l->back_budget_s = PV_LOCK_CLOCK_BACK_TOL_S;
        l->back_since = now;
        return;
    }
    l->back_budget_s += (uint32_t)grown;
    l->back_since += grown * PV_LOCK_CLOCK_BACK_PER_S;
}

/* A beacon behind the clock: either the clock ran fast or the beacon is old (a key carries
 * it for hours). It cannot tell which, so it steps back only as far as the clock could have
 * run fast, and never below the beacon. Not a tamper sign: old beacons are normal. */
static void step_back(pv_lock *l, uint64_t now, uint64_t target, uint8_t *flags)
{
    budget_grow(l, now);
    uint64_t want = now - target;
    uint64_t step = want < l->back_budget_s ? want : l->back_budget_s;
    if (step == 0)
        return;
    pv_lock_set_clock(l, now - step);
    l->back_budget_s -= (uint32_t)step;
    *flags |= PV_RESULT_F_CLOCK_SET;
    pv_lock_log(l, PV_EV_CLOCK, 0, 2, (uint32_t)(now - step));
}

int pv_lock_apply_beacon(pv_lock *l, const uint8_t *b, size_t len, uint8_t *flags)
{
    pv_beacon bc;
    int rc = pv_beacon_decode(b, len, &bc);
    if (rc != PV_OK)
        return rc;
    lock_issuer *is = pv_lock_find_issuer(l, bc.issuer_id);
    if (!is)
        return PV_E_UNKNOWN_ISSUER;
    if (!pv_lock_issuer_in_scope(l, is))
        return PV_E_SCOPE; /* no authority at this door: may not move its clock either */
    if (bc.time <= is->beacon_time)
        return PV_E_STALE; /* old or replayed: costs no verify */
    l->verifies++;
    if (pv_beacon_verify(b, is->cfg.pk) != PV_OK) {
        log_tamper(l, PV_TAMPER_BAD_UPDATE, bc.issuer_id);
        return PV_E_SIGNATURE;
    }
    uint64_t now = pv_lock_now(l);
    if (l->clock_valid && bc.time > now + PV_LOCK_CLOCK_FUTURE_S) {
        log_tamper(l, PV_TAMPER_FUTURE_BEACON, (uint32_t)bc.time);
        return PV_E_CLOCK_FUTURE;
    }
    is->beacon_time = bc.time;
    if (bc.time > now) {
        pv_lock_set_clock(l, bc.time);
        l->back_budget_s = 0; /* set from a lower bound: only drift from here on */
        l->back_since = bc.time;
        *flags |= PV_RESULT_F_CLOCK_SET;
        pv_lock_log(l, PV_EV_CLOCK, 0, 1, (uint32_t)bc.time);
    } else if (bc.time < now) {
        /* the new clock stays >= bc.time > every earlier beacon: never below the last */
        step_back(l, now, bc.time, flags);
    }
    l->clock_valid = 1;
    return pv_lock_config_save(l);
}

uint64_t pv_lock_list_time(const pv_lock *l, const lock_issuer *is)
{
    uint8_t t[8];
    if (is->revlist_len < PV_REVLIST_HDR_SIZE + PV_SIG_SIZE ||
        pv_lock_revlist_read(l, (unsigned)(is - l->cfg.iss), PV_REVLIST_HDR_SIZE - 8, t,
                             sizeof t) != PV_OK)
        return 0; /* unreadable: the list itself then fails closed at the revocation check */
    return pv_load64_le(t);
}

/* The issuer drops an entry from its list once revoked_at + 48 h has passed, so a list
 * issued at t may omit a revocation only for credentials that expired by t: a clock behind
 * t moves up to it (CLOCK aux 4), or a lagging clock would let the pruned list undo the
 * revocation (docs/model.md, "Found"). */
static void list_time_witness(pv_lock *l, uint64_t issued_at, uint64_t now, uint8_t *flags)
{
    if (issued_at <= now)
        return;
    pv_lock_set_clock(l, issued_at);
    l->back_budget_s = 0;
    l->back_since = issued_at;
    *flags |= PV_RESULT_F_CLOCK_SET;
    pv_lock_log(l, PV_EV_CLOCK, 0, 4, (uint32_t)issued_at);
}

int pv_lock_apply_revlist(pv_lock *l, const uint8_t *rl, size_t len, uint8_t *flags)
{
    pv_revlist r;
    int rc = pv_revlist_decode(rl, len, &r);
    if (rc != PV_OK)
        return rc;
    lock_issuer *is = pv_lock_find_issuer(l, r.issuer_id);
    if (!is)
        return PV_E_UNKNOWN_ISSUER;
    if (!pv_lock_issuer_in_scope(l, is))
        return PV_E_SCOPE; /* its list could refuse nothing here: spend no verify on it */
    if (r.version <= is->revlist_version)
        return PV_E_STALE;
    if (len > PV_REVLIST_MAX_SIZE)
        return PV_E_LENGTH;
    l->verifies++;
    if (pv_revlist_verify(rl, len, is->cfg.pk) != PV_OK) {
        log_tamper(l, PV_TAMPER_BAD_UPDATE, r.issuer_id);
        return PV_E_SIGNATURE;
    }
    /* the list's issue time becomes a time witness (below): one from further ahead than
     * a beacon may jump is refused, as such a beacon is, and the held list stays */
    uint64_t now = pv_lock_now(l);
    if (l->clock_valid && r.issued_at > now + PV_LOCK_CLOCK_FUTURE_S) {
        log_tamper(l, PV_TAMPER_FUTURE_LIST, (uint32_t)r.issued_at);
        return PV_E_CLOCK_FUTURE;
    }
    /* the list lives in flash only: it counts from the save on (a failed save keeps the
     * old one, and the caller checks this attempt against the delivered list itself) */
    uint16_t old_len = is->revlist_len;
    uint64_t old_version = is->revlist_version;
    is->revlist_len = (uint16_t)len;
    is->revlist_version = r.version;
    l->rl_new = rl;
    l->rl_new_iss = (uint8_t)(is - l->cfg.iss);
    rc = pv_lock_config_save(l);
    l->rl_new = NULL;
    if (rc != PV_OK) {
        is->revlist_len = old_len;
        is->revlist_version = old_version;
        return rc;
    }
    *flags |= PV_RESULT_F_REVLIST_TAKEN;
    list_time_witness(l, r.issued_at, now, flags);
    pv_lock_log(l, PV_EV_REVLIST, 0, r.count, (uint32_t)r.version);
    return rc;
}

/* The delay after f consecutive failures: 0 s for the first PV_LOCK_BACKOFF_FREE, then
 * 1 s doubling to the cap. */
static uint64_t backoff_delay(uint32_t f)
{
    if (f <= PV_LOCK_BACKOFF_FREE)
        return 0;
    uint32_t shift = f - PV_LOCK_BACKOFF_FREE - 1;
    uint64_t delay = shift >= 5 ? PV_LOCK_BACKOFF_CAP_MS : (uint64_t)PV_LOCK_BACKOFF_BASE_MS << shift;
    return delay > PV_LOCK_BACKOFF_CAP_MS ? PV_LOCK_BACKOFF_CAP_MS : delay;
}

/* One more failed attempt: the next challenge waits backoff_delay(failures). */
void pv_lock_fail(pv_lock *l)
{
    if (l->failures < 0xFFFFFFFFu)
        l->failures++;
    uint32_t f = l->failures;
    l->backoff_until_ms = l->ops->tick_ms(l->ops->ctx) + backoff_delay(f);
    /* log entering backoff and every doubling of the count, not every failure twice */
    if (f == PV_LOCK_BACKOFF_FREE + 1 || (f > PV_LOCK_BACKOFF_FREE && (f & (f - 1)) == 0))
        pv_lock_log(l, PV_EV_BACKOFF, 0, 0, f);
}

/* After a reboot the failure count resumes from the event ring, so pulling the battery does
 * not reset the backoff, at no extra flash writes while nothing failed: the last BACKOFF
 * record's count plus the denials after it, or the denials since the last open or boot.
 * A count carried over is logged again (after this boot's BOOT record), so the next boot
 * finds it without scanning past this one. */
void pv_lock_backoff_resume(pv_lock *l)
{
    uint32_t denies = 0, failures = 0;
    for (uint32_t seq = l->next_seq; seq > l->oldest_seq; seq--) {
        pv_event ev;
        uint8_t chain[PV_HASH_SIZE];
        if (pv_lock_ring_read(l, seq - 1, &ev, chain) != PV_OK)
            break;
        if (ev.kind == PV_EV_BACKOFF) {
            failures = ev.subject + denies;
            break;
        }
        if (ev.kind == PV_EV_OPEN || ev.kind == PV_EV_COMMISSION ||
            (ev.kind == PV_EV_BOOT && seq != l->next_seq)) /* not the BOOT just written */
            break;
        if (ev.kind == PV_EV_DENY) /* a summary record stands for aux refusals */
            denies += ev.aux > 0 ? ev.aux : 1u;
        failures = denies;
    }
    l->failures = failures;
    l->backoff_until_ms = l->ops->tick_ms(l->ops->ctx) + backoff_delay(failures);
    if (failures > 0)
        pv_lock_log(l, PV_EV_BACKOFF, 0, 1, failures); /* aux 1: carried over a reboot */
}
