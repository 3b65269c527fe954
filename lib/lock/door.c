/* The lock's side of the unlock exchange: HELLO -> CHALLENGE, PRESENT -> decision ->
 * RESULT. Checks run cheapest first so a forged attempt costs little battery; the one
 * issuer verify and the possession check come last. Order and reasons: docs/lock.md. */
#include <string.h>

#include <sodium.h>

#include "internal.h"

static void end_session(pv_lock *l)
{
    pv_session_wipe(&l->s);
    l->state = PV_LOCK_IDLE;
}

static int on_hello(pv_lock *l, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                    size_t *outlen)
{
    uint64_t tick = l->ops->tick_ms(l->ops->ctx);
    if (l->state == PV_LOCK_CHALLENGED) {
        /* an abandoned challenge is a failed attempt: otherwise HELLO floods are free */
        end_session(l);
        pv_lock_log_deny(l, (uint8_t)-PV_E_CHALLENGE_EXPIRED, 0);
        l->denials++;
        pv_lock_fail(l);
    }
    if (tick < l->backoff_until_ms)
        return PV_E_BACKOFF; /* refused before any asymmetric work */
    if (cap < PV_CHALLENGE_SIZE)
        return PV_E_BUFSIZE;
    int rc = pv_lock_hs_hello(&l->s, in, len, &l->hello);
    if (rc != PV_OK) {
        end_session(l);
        return rc;
    }
    pv_challenge ch;
    memset(&ch, 0, sizeof ch);
    ch.lock_id = l->cfg.lock_id;
    ch.lock_time = pv_lock_now(l);
    lock_issuer *is = pv_lock_find_issuer(l, l->hello.issuer_id);
    if (is) {
        ch.revlist_version = is->revlist_version;
        ch.beacon_time = is->beacon_time;
    }
    /* fresh challenge bytes make every session's keys unique; the lock's own X25519 key
     * pair (static, derived at boot) saves a base multiplication per unlock */
    if (l->ops->random(l->ops->ctx, ch.nonce, PV_CHALLENGE_RAND) != PV_OK) {
        end_session(l);
        return PV_E_CRYPTO;
    }
    rc = pv_lock_hs_challenge_static(&l->s, &ch, l->x_sk, l->x_pk, out);
    l->x25519 += 1;
    if (rc != PV_OK) {
        end_session(l);
        pv_lock_fail(l); /* a low-order ephemeral key is an attack, and it cost an X25519 */
        return rc;
    }
    l->challenge_ms_at = tick;
    l->state = PV_LOCK_CHALLENGED;
    *outlen = PV_CHALLENGE_SIZE;
    return PV_OK;
}

/* Is `now` inside the credential's window and the entry's minute window? */
static int window_check(const pv_cred *c, const pv_entry *e, uint64_t now)
{
    if (now < c->not_before)
        return PV_E_NOT_YET_VALID;
    if (now >= c->not_after)
        return PV_E_EXPIRED;
    uint64_t start = c->not_before + (uint64_t)e->start_min * 60u;
    uint64_t end = c->not_before + (uint64_t)e->end_min * 60u;
    if (now < start)
        return PV_E_NOT_YET_VALID;
    if (now >= end)
        return PV_E_EXPIRED;
    return PV_OK;
}

/* The issuer signed the credential's issue time, so once the signature checks the lock's
 * clock is at least that: a lock that lost power resumes from its last persisted time and
 * may have had no beacon since. A time further ahead than a beacon may jump is not used.
 * The held list's issue time is a lower bound too (checked against the future when taken):
 * a back-step must not bring back a credential the list no longer names. */
static uint64_t credential_now(const pv_lock *l, const lock_issuer *is, const pv_cred *c)
{
    uint64_t now = pv_lock_now(l);
    uint64_t listed = pv_lock_list_time(l, is);
    if (listed > now)
        now = listed;
    if (c->issued_at > now && !(l->clock_valid && c->issued_at > now + PV_LOCK_CLOCK_FUTURE_S))
        return c->issued_at;
    return now;
}

/* Called after the signature checked: move the clock up to the issue time, keep it. */
static void clock_from_credential(pv_lock *l, uint64_t t)
{
    if (t <= pv_lock_now(l))
        return;
    pv_lock_set_clock(l, t);
    pv_lock_log(l, PV_EV_CLOCK, 0, 3, (uint32_t)t);
    /* a failed save loses only this lower bound: the next save or credential brings it */
    int rc = pv_lock_config_save(l);
    (void)rc;
}

/* The repeat cache (docs/lock.md, "Repeat unlocks"): the entry for exactly these
 * credential bytes, or NULL. Every slot is compared, in constant time. */
static lock_repeat *repeat_find(pv_lock *l, const uint8_t h[PV_HASH_SIZE], uint64_t now)
{
    lock_repeat *hit = NULL;
    for (unsigned i = 0; i < PV_LOCK_REPEAT_BEARERS; i++) {
        lock_repeat *r = &l->repeat[i];
        if (sodium_memcmp(r->cred_hash, h, PV_HASH_SIZE) == 0 && r->not_after > now)
            hit = r;
    }
    return hit;
}

/* The entry of a bearer key, whatever credential it came with, or NULL. */
static lock_repeat *repeat_find_bearer(pv_lock *l, const uint8_t pk[PV_PK_SIZE])
{
    lock_repeat *hit = NULL;
    for (unsigned i = 0; i < PV_LOCK_REPEAT_BEARERS; i++) {
        lock_repeat *r = &l->repeat[i];
        if (sodium_memcmp(r->bearer_pk, pk, PV_PK_SIZE) == 0 && r->not_after != 0)
            hit = r;
    }
    return hit;
}

/* One slot per bearer key: its newest proven credential replaces the older one. */
static void repeat_put(pv_lock *l, const uint8_t h[PV_HASH_SIZE], const pv_cred *c,
                       const uint8_t dh[32])
{
    lock_repeat *r = repeat_find_bearer(l, c->bearer_pk);
    if (!r) {
        r = &l->repeat[l->repeat_next];
        l->repeat_next = (uint8_t)((l->repeat_next + 1u) % PV_LOCK_REPEAT_BEARERS);
    }
    memcpy(r->cred_hash, h, PV_HASH_SIZE);
    memcpy(r->bearer_pk, c->bearer_pk, PV_PK_SIZE);
    memcpy(r->dh, dh, sizeof r->dh);
    r->not_after = c->not_after;
}

/* X25519(lock x_sk, bearer key): from the cache when this key proved possession here
 * before (a new shift's credential of a known bearer), else computed. Called only with a
 * key from a credential whose signature has just checked. */
static int static_dh(pv_lock *l, const uint8_t pk[PV_PK_SIZE], uint8_t dh[32])
{
    const lock_repeat *known = repeat_find_bearer(l, pk);
    if (known) {
        memcpy(dh, known->dh, 32);
        return PV_OK;
    }
    l->x25519++;
    return crypto_scalarmult(dh, l->x_sk, pk) == 0 ? PV_OK : PV_E_CRYPTO;
}

/* The issuer's signature and the bearer's static Diffie-Hellman: taken from the repeat
 * cache when these exact credential bytes were proven here before, else the signature is
 * verified (the Diffie-Hellman still comes from the cache for a known bearer key) and the
 * result kept once the bearer has proven possession. The possession tag itself is checked
 * every time, under a key from this session's fresh exchange. */
static int prove(pv_lock *l, const uint8_t *cred, const lock_issuer *is, const pv_cred *c,
                 const uint8_t *in, size_t len, uint64_t now)
{
    uint8_t h[PV_HASH_SIZE], dh[32];
    crypto_generichash(h, sizeof h, cred, PV_CRED_SIZE, NULL, 0);
    const lock_repeat *hit = repeat_find(l, h, now);
    if (hit)
        return pv_lock_hs_possession_dh(&l->s, in, len, hit->dh) == PV_OK ? PV_OK
                                                                          : PV_E_POSSESSION;
    l->verifies++;
    if (pv_cred_verify(cred, is->cfg.pk) != PV_OK)
        return PV_E_SIGNATURE;
    clock_from_credential(l, now);
    int rc = static_dh(l, c->bearer_pk, dh);
    if (rc == PV_OK)
        rc = pv_lock_hs_possession_dh(&l->s, in, len, dh);
    if (rc == PV_OK)
        repeat_put(l, h, c, dh);
    sodium_memzero(dh, sizeof dh);
    return rc == PV_OK ? PV_OK : PV_E_POSSESSION;
}

/* The stored list of the credential's issuer, searched in flash entry by entry (sorted
 * by bearer id): the list was verified when taken and its slot checked at boot. */
static int revocation_check(pv_lock *l, const lock_issuer *is, const pv_cred *c)
{
    if (is->revlist_len < PV_REVLIST_HDR_SIZE + PV_SIG_SIZE)
        return PV_OK;
    unsigned iss = (unsigned)(is - l->cfg.iss);
    uint32_t lo = 0, hi = (is->revlist_len - PV_REVLIST_HDR_SIZE - PV_SIG_SIZE) /
                          PV_REVLIST_ENTRY_SIZE; /* search [lo, hi) */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint8_t e[PV_REVLIST_ENTRY_SIZE];
        if (pv_lock_revlist_read(l, iss, PV_REVLIST_HDR_SIZE + mid * PV_REVLIST_ENTRY_SIZE, e,
                                 sizeof e) != PV_OK)
            return PV_E_CORRUPT; /* fail closed: the list cannot be read */
        uint32_t id = pv_load32_le(e);
        if (id == c->bearer_id)
            return c->issued_at <= pv_load64_le(e + 4) ? PV_E_REVOKED : PV_OK;
        if (id < c->bearer_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return PV_OK;
}

/* A list this very PRESENT delivered and the lock verified but could not save (flash
 * failure) still counts for this attempt. */
static int delivered_check(const uint8_t *rl, size_t len, const lock_issuer *is,
                           const pv_cred *c)
{
    pv_revlist r;
    if (pv_revlist_decode(rl, len, &r) != PV_OK || r.issuer_id != is->cfg.issuer_id)
        return PV_OK;
    return pv_revlist_check(&r, c->bearer_id, c->issued_at);
}

/* Every check of a PRESENT up to and including possession. Updates the decision inputs
 * (*c, *e, *flags) as it goes so the caller can log who was refused. The opened inner
 * goes to `work` (the reply buffer: the RESULT is written only after the decision, so the
 * lock needs no third message-sized buffer). */
static int decide(pv_lock *l, const uint8_t *in, size_t len, uint8_t *work, size_t cap,
                  pv_cred *c, pv_entry *e, uint8_t *flags)
{
    pv_present p;
    int rc = pv_lock_hs_open(&l->s, in, len, work, cap, &p);
    if (rc != PV_OK)
        return rc;
    if (l->ops->tick_ms(l->ops->ctx) - l->challenge_ms_at > l->challenge_ms)
        return PV_E_CHALLENGE_EXPIRED; /* relayed or replayed too slowly */
    rc = pv_cred_decode(p.cred, PV_CRED_SIZE, c);
    if (rc != PV_OK)
        return rc;
    lock_issuer *is = pv_lock_find_issuer(l, c->issuer_id);
    if (!is || c->issuer_id != l->hello.issuer_id)
        return PV_E_UNKNOWN_ISSUER;
    /* updates first, so a list or a beacon counts for this very attempt */
    int unsaved = p.revlist &&
                  pv_lock_apply_revlist(l, p.revlist, p.revlist_len, flags) == PV_E_FLASH;
    if (p.beacon)
        (void)pv_lock_apply_beacon(l, p.beacon, PV_BEACON_SIZE, flags);
    if (!pv_lock_issuer_in_scope(l, is))
        return PV_E_SCOPE;
    rc = pv_entry_decode(p.entry, e);
    if (rc != PV_OK)
        return rc;
    if (e->lock_id != l->cfg.lock_id)
        return PV_E_WRONG_LOCK;
    rc = pv_merkle_verify(p.entry, p.leaf_index, c->entry_count,
                          (const uint8_t(*)[PV_HASH_SIZE])p.siblings, p.nsiblings, c->root);
    if (rc != PV_OK)
        return PV_E_PROOF;
    uint64_t now = credential_now(l, is, c);
    rc = window_check(c, e, now);
    if (rc != PV_OK)
        return rc;
    rc = revocation_check(l, is, c);
    if (rc == PV_OK && unsaved)
        rc = delivered_check(p.revlist, p.revlist_len, is, c);
    if (rc != PV_OK)
        return rc;
    return prove(l, p.cred, is, c, in, len, now);
}

/* Is a log batch due on this open? (PV_LOCK_BATCH_MIN_EVENTS, PV_LOCK_BATCH_MAX_AGE_S) */
static int batch_due(pv_lock *l)
{
    uint32_t first = l->cursor_seq > l->oldest_seq ? l->cursor_seq : l->oldest_seq;
    if (first >= l->next_seq)
        return 0;
    if (!l->batch_handed || l->next_seq - first >= PV_LOCK_BATCH_MIN_EVENTS)
        return 1;
    pv_event ev;
    uint8_t chain[PV_HASH_SIZE];
    if (pv_lock_ring_read(l, first, &ev, chain) != PV_OK)
        return 1;
    return pv_lock_now(l) >= (uint64_t)ev.time + PV_LOCK_BATCH_MAX_AGE_S;
}

static int on_present(pv_lock *l, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                      size_t *outlen)
{
    if (l->state != PV_LOCK_CHALLENGED)
        return PV_E_STATE; /* a replayed M3 finds no session */
    pv_cred c;
    pv_entry e;
    memset(&c, 0, sizeof c);
    memset(&e, 0, sizeof e);
    pv_result r;
    memset(&r, 0, sizeof r);
    int decision = decide(l, in, len, out, cap, &c, &e, &r.flags);
    if (decision == PV_OK) {
        l->ops->motor_open(l->ops->ctx);
        l->opens++;
        l->failures = 0;
        l->backoff_until_ms = 0;
        pv_lock_log(l, PV_EV_OPEN, 0, e.flags, c.bearer_id);
        size_t blen = 0;
        if (batch_due(l) && pv_lock_log_batch(l, l->batch, sizeof l->batch, &blen) == PV_OK) {
            l->batch_handed = 1;
            l->cursor_dirty = 1;
            r.batch = l->batch;
            r.batch_len = (uint16_t)blen;
        }
    } else {
        l->denials++;
        pv_lock_log_deny(l, (uint8_t)-decision, c.bearer_id);
        pv_lock_fail(l);
    }
    l->last_decision = decision;
    r.status = (int8_t)decision;
    r.lock_time = pv_lock_now(l);
    r.battery_mv = l->ops->battery_mv(l->ops->ctx);
    if (r.battery_mv < PV_LOCK_LOW_BATTERY_MV)
        r.flags |= PV_RESULT_F_LOW_BATTERY;
    size_t n = 0;
    if (pv_lock_hs_result(&l->s, &r, out, cap, &n) == PV_OK)
        *outlen = n; /* a frame too broken to answer gets no answer */
    sodium_memzero(out + *outlen, cap - *outlen); /* what is left of the opened inner */
    end_session(l);
    return decision;
}

int pv_lock_handle(pv_lock *l, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen)
{
    if (!l || !in || !out || !outlen)
        return PV_E_ARG;
    *outlen = 0;
    if (l->state == PV_LOCK_UNCOMMISSIONED)
        return PV_E_STATE;
    if (len < 2)
        return PV_E_TRUNCATED;
    if (in[0] != PV_PROTO_VERSION)
        return PV_E_VERSION;
    switch (in[1]) {
    case PV_T_HELLO:
        return on_hello(l, in, len, out, cap, outlen);
    case PV_T_PRESENT:
        return on_present(l, in, len, out, cap, outlen);
    default:
        return PV_E_TYPE;
    }
}

int pv_lock_poll(pv_lock *l)
{
    if (!l || !l->ops->radio_recv || !l->ops->radio_send)
        return PV_E_ARG;
    size_t n = 0, outlen = 0;
    int rc = l->ops->radio_recv(l->ops->ctx, l->rx, sizeof l->rx, &n);
    if (rc != PV_OK)
        return rc;
    int decision = pv_lock_handle(l, l->rx, n, l->tx, sizeof l->tx, &outlen);
    if (outlen > 0 && l->ops->radio_send(l->ops->ctx, l->tx, outlen) != PV_OK)
        return PV_E_IO;
    return decision;
}
