/* The lock's lifecycle around the door logic: boot and recovery from flash,
 * commissioning, housekeeping, log batches and read-only views. */
#include <stdalign.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

const char *pv_lock_state_name(pv_lock_state s)
{
    switch (s) {
    case PV_LOCK_UNCOMMISSIONED:
        return "uncommissioned";
    case PV_LOCK_IDLE:
        return "idle";
    case PV_LOCK_CHALLENGED:
        return "challenged";
    default:
        PV_ASSERT(!"unknown state");
        return "unknown";
    }
}

size_t pv_lock_ctx_size(void)
{
    return sizeof(pv_lock);
}

static int ops_ok(const pv_lock_ops *o)
{
    return o && o->tick_ms && o->random && o->flash_read && o->flash_program &&
           o->flash_erase && o->motor_open && o->battery_mv;
}

/* After a reboot the clock resumes from the latest time the lock can prove it saw. */
static void clock_resume(pv_lock *l)
{
    uint64_t t = l->cfg.clock;
    for (unsigned i = 0; i < l->cfg.nissuers; i++) {
        if (l->cfg.iss[i].beacon_time > t)
            t = l->cfg.iss[i].beacon_time;
        if (pv_lock_list_time(l, &l->cfg.iss[i]) > t)
            t = pv_lock_list_time(l, &l->cfg.iss[i]);
    }
    pv_event ev;
    uint8_t chain[PV_HASH_SIZE];
    if (l->next_seq > 0 && pv_lock_ring_read(l, l->next_seq - 1, &ev, chain) == PV_OK &&
        ev.time > t)
        t = ev.time;
    pv_lock_set_clock(l, t);
    l->clock_valid = 0; /* no battery-backed RTC assumed: the next beacon may jump ahead */
    l->back_budget_s = 0; /* resumed behind real time: nothing to step back */
    l->back_since = t;
}

/* The exchange key pair follows from the identity key: one base multiplication per boot. */
static int derive_x_keys(pv_lock *l)
{
    return pv_bearer_x_keys(l->cfg.lock_sk, l->x_sk, l->x_pk) == PV_OK ? PV_OK : PV_E_CRYPTO;
}

int pv_lock_boot(void *mem, size_t size, const pv_lock_ops *ops, pv_lock **out)
{
    if (!mem || !out || size < sizeof(pv_lock) || (uintptr_t)mem % alignof(pv_lock) != 0 ||
        !ops_ok(ops))
        return PV_E_ARG;
    if (sodium_init() < 0)
        return PV_E_CRYPTO;
    pv_lock *l = mem;
    memset(l, 0, sizeof *l);
    l->ops = ops;
    l->challenge_ms = PV_LOCK_CHALLENGE_MS;
    l->state = PV_LOCK_UNCOMMISSIONED;
    *out = l;
    int rc = pv_lock_config_load(l);
    if (rc == PV_E_NOT_FOUND)
        return PV_OK;
    if (rc != PV_OK)
        return rc;
    rc = derive_x_keys(l);
    if (rc != PV_OK)
        return rc;
    rc = pv_lock_ring_recover(l);
    if (rc != PV_OK)
        return rc;
    if (l->cfg.cursor > l->cursor_seq && l->cfg.cursor <= l->next_seq)
        l->cursor_seq = l->cfg.cursor;
    clock_resume(l);
    l->state = PV_LOCK_IDLE;
    l->cfg.boot_count++;
    rc = pv_lock_config_save(l);
    if (rc != PV_OK)
        return rc;
    /* a log write that fails must not keep the door shut (counted in log_errors) */
    pv_lock_log(l, PV_EV_BOOT, 0, 0, l->cfg.boot_count);
    pv_lock_backoff_resume(l);
    return PV_OK;
}

static int setup_check(const pv_lock_setup *c)
{
    if (c->nissuers == 0 || c->nissuers > PV_LOCK_MAX_ISSUERS)
        return PV_E_RANGE;
    for (unsigned i = 0; i < c->nissuers; i++) {
        const pv_lock_issuer *is = &c->issuers[i];
        if (is->nscopes == 0 || is->nscopes > PV_LOCK_MAX_SCOPES)
            return PV_E_RANGE;
        for (unsigned j = 0; j < is->nscopes; j++)
            if (is->scopes[j].lo > is->scopes[j].hi)
                return PV_E_RANGE;
        for (unsigned j = 0; j < i; j++)
            if (c->issuers[j].issuer_id == is->issuer_id)
                return PV_E_ARG;
    }
    return PV_OK;
}

int pv_lock_commission(pv_lock *l, const pv_lock_setup *c)
{
    if (!l || !c)
        return PV_E_ARG;
    if (l->state != PV_LOCK_UNCOMMISSIONED)
        return PV_E_STATE;
    int rc = setup_check(c);
    if (rc != PV_OK)
        return rc;
    memset(&l->cfg, 0, sizeof l->cfg);
    l->cfg.lock_id = c->lock_id;
    memcpy(l->cfg.lock_sk, c->lock_sk, PV_SIGN_SK_SIZE);
    l->cfg.nissuers = c->nissuers;
    for (unsigned i = 0; i < c->nissuers; i++)
        l->cfg.iss[i].cfg = c->issuers[i];
    rc = derive_x_keys(l);
    if (rc != PV_OK)
        return rc;
    pv_lock_set_clock(l, c->time);
    l->clock_valid = 1;
    l->back_budget_s = 0;
    l->back_since = c->time;
    rc = pv_lock_ring_recover(l); /* keeps a previous life's events, if any, chained on */
    if (rc != PV_OK)
        return rc;
    /* but never hands them out under the new identity: they happened at another door
     * (or under another key), and a batch signed now would attribute them to this one */
    l->cursor_seq = l->next_seq;
    rc = pv_lock_config_save(l);
    if (rc != PV_OK)
        return rc;
    l->state = PV_LOCK_IDLE;
    pv_lock_log(l, PV_EV_COMMISSION, 0, 0, c->lock_id); /* the config is saved: it is done */
    return PV_OK;
}

int pv_lock_refresh(pv_lock *l)
{
    if (!l || l->state == PV_LOCK_UNCOMMISSIONED)
        return PV_E_STATE;
    if (l->state == PV_LOCK_CHALLENGED &&
        l->ops->tick_ms(l->ops->ctx) - l->challenge_ms_at > l->challenge_ms) {
        pv_session_wipe(&l->s);
        l->state = PV_LOCK_IDLE;
        l->denials++;
        pv_lock_log_deny(l, (uint8_t)-PV_E_CHALLENGE_EXPIRED, 0);
        pv_lock_fail(l);
    }
    pv_lock_deny_refresh(l);
    if (l->state == PV_LOCK_IDLE && l->cursor_dirty) {
        /* saved here, not at the door: two sector erases would delay the motor */
        int rc = pv_lock_config_save(l);
        if (rc != PV_OK)
            return rc;
    }
    uint16_t mv = l->ops->battery_mv(l->ops->ctx);
    if (mv < PV_LOCK_LOW_BATTERY_MV && !l->low_battery_logged) {
        l->low_battery_logged = 1;
        return pv_lock_report_battery(l);
    }
    if (mv >= PV_LOCK_LOW_BATTERY_MV)
        l->low_battery_logged = 0;
    return PV_OK;
}

int pv_lock_report_tamper(pv_lock *l, uint16_t source)
{
    if (!l || l->state == PV_LOCK_UNCOMMISSIONED)
        return PV_E_STATE;
    return pv_lock_ring_append(l, PV_EV_TAMPER, 0, source, 0);
}

int pv_lock_report_battery(pv_lock *l)
{
    if (!l || l->state == PV_LOCK_UNCOMMISSIONED)
        return PV_E_STATE;
    uint16_t mv = l->ops->battery_mv(l->ops->ctx);
    /* linear between 4.0 V (empty) and 6.0 V (full) for a 4xAA pack */
    uint32_t pct = mv <= 4000 ? 0 : mv >= 6000 ? 100 : (uint32_t)(mv - 4000) / 20u;
    return pv_lock_ring_append(l, PV_EV_BATTERY, 0, (uint16_t)pct, mv);
}

void pv_lock_set_challenge_ms(pv_lock *l, uint32_t ms)
{
    if (l)
        l->challenge_ms = ms;
}

void pv_lock_get_info(const pv_lock *l, pv_lock_info *i)
{
    memset(i, 0, sizeof *i);
    i->state = l->state;
    i->lock_id = l->cfg.lock_id;
    i->clock = l->state == PV_LOCK_UNCOMMISSIONED ? 0 : pv_lock_now(l);
    i->clock_valid = l->clock_valid;
    i->back_budget_s = l->back_budget_s;
    i->boot_count = l->cfg.boot_count;
    i->failures = l->failures;
    i->backoff_until_ms = l->backoff_until_ms;
    i->next_seq = l->next_seq;
    i->oldest_seq = l->oldest_seq;
    i->cursor_seq = l->cursor_seq;
    i->opens = l->opens;
    i->denials = l->denials;
    i->verifies = l->verifies;
    i->x25519 = l->x25519;
    i->log_errors = l->log_errors;
    i->last_decision = l->last_decision;
}

int pv_lock_event(const pv_lock *l, uint32_t seq, pv_event *ev, uint8_t chain[PV_HASH_SIZE])
{
    if (!l || !ev || !chain)
        return PV_E_ARG;
    return pv_lock_ring_read(l, seq, ev, chain);
}

int pv_lock_log_batch(pv_lock *l, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!l || !out || !outlen || l->state == PV_LOCK_UNCOMMISSIONED)
        return PV_E_ARG;
    pv_lock_deny_flush(l, 1); /* a read-out includes the refusals counted so far */
    /* the chain value before the first event must be known: the oldest retained event
     * of a ring that has wrapped serves only as that anchor */
    uint32_t first = l->cursor_seq;
    if (first < l->oldest_seq + (l->oldest_seq > 0 ? 1u : 0u))
        first = l->oldest_seq + (l->oldest_seq > 0 ? 1u : 0u);
    if (first >= l->next_seq)
        return PV_E_NOT_FOUND;
    uint32_t n = l->next_seq - first;
    if (n > PV_LOG_BATCH_MAX)
        n = PV_LOG_BATCH_MAX;
    pv_event evs[PV_LOG_BATCH_MAX];
    uint8_t prev[PV_HASH_SIZE], chain[PV_HASH_SIZE];
    memset(prev, 0, sizeof prev);
    pv_event anchor;
    if (first > 0 && pv_lock_ring_read(l, first - 1, &anchor, prev) != PV_OK)
        return PV_E_CORRUPT;
    for (uint32_t i = 0; i < n; i++)
        if (pv_lock_ring_read(l, first + i, &evs[i], chain) != PV_OK)
            return PV_E_CORRUPT;
    int rc = pv_logbatch_sign(l->cfg.lock_id, prev, evs, (uint8_t)n, l->cfg.lock_sk, out, cap,
                              outlen);
    if (rc == PV_OK)
        l->cursor_seq = first + n;
    return rc;
}

void pv_lock_rewind_cursor(pv_lock *l, uint32_t seq)
{
    if (!l)
        return;
    /* never past next_seq: a cursor ahead of the log would skip the events in between */
    if (seq > l->next_seq)
        seq = l->next_seq;
    l->cursor_seq = seq < l->oldest_seq ? l->oldest_seq : seq;
}

int pv_lock_issuer_state(const pv_lock *l, uint32_t issuer_id, uint64_t *revlist_version,
                         uint64_t *beacon_time)
{
    for (unsigned i = 0; i < l->cfg.nissuers; i++) {
        if (l->cfg.iss[i].cfg.issuer_id == issuer_id) {
            *revlist_version = l->cfg.iss[i].revlist_version;
            *beacon_time = l->cfg.iss[i].beacon_time;
            return PV_OK;
        }
    }
    return PV_E_UNKNOWN_ISSUER;
}
