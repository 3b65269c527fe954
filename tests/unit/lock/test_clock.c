/* The lock's clock: only issuer-signed beacons move it; forward freely (within 7 days
 * while the clock is valid), back only within the budget and never below the last
 * beacon; old, forged and future beacons change nothing and the latter two are logged. */
#include <string.h>

#include <sodium.h>

#include "kit.h"

#define N 16
#define DOOR kit_lock_id(N / 2)

static kit_issuer iss;

static uint64_t clock_of(pv_sim_lock *l)
{
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    return i.clock;
}

static uint64_t beacon_of(pv_sim_lock *l)
{
    uint64_t v, b;
    if (pv_lock_issuer_state(l->lock, iss.id, &v, &b) != PV_OK)
        return 0;
    return b;
}

/* The newest event of `kind` (searching back 8 events): 1 and *ev, or 0. */
static int last_event(pv_sim_lock *l, unsigned kind, pv_event *ev)
{
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    for (uint32_t k = 1; k <= 8 && k <= i.next_seq; k++) {
        uint8_t ch[PV_HASH_SIZE];
        if (pv_lock_event(l->lock, i.next_seq - k, ev, ch) == PV_OK && ev->kind == kind)
            return 1;
    }
    return 0;
}

/* Deliver a beacon inside a genuine PRESENT and return the lock's decision. */
static int deliver(pv_sim_lock *l, kit_bearer *b, const uint8_t beacon[PV_BEACON_SIZE])
{
    kit_advance(l, b, PV_LOCK_BACKOFF_CAP_MS + 1);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(b, N / 2, &p, sib);
    p.beacon = beacon;
    kit_raw r = {.p = &p, .x_sk = b->x_sk, .flip = -1};
    return kit_raw_attempt(l, iss.id, &r);
}

static void test_rules(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 40, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t bc[PV_BEACON_SIZE];
    pv_event ev;

    /* forward */
    uint64_t c0 = clock_of(l);
    kit_beacon(&iss, c0 + 30 + 100, bc);
    CHECK_EQ(deliver(l, &b, bc), PV_OK);
    CHECK_EQ(beacon_of(l), c0 + 130);
    CHECK(clock_of(l) >= c0 + 130 && clock_of(l) <= c0 + 131);
    CHECK(last_event(l, PV_EV_CLOCK, &ev) && ev.aux == 1);

    /* old (validly signed, not newer than the last): ignored without a verify */
    pv_lock_info before, after;
    pv_lock_get_info(l->lock, &before);
    kit_beacon(&iss, c0 + 50, bc);
    uint64_t c1 = clock_of(l);
    CHECK_EQ(deliver(l, &b, bc), PV_OK);
    pv_lock_get_info(l->lock, &after);
    CHECK_EQ(after.verifies - before.verifies, 0); /* the credential is cached from the first visit */
    CHECK_EQ(beacon_of(l), c0 + 130);
    CHECK(clock_of(l) >= c1 + 30 && clock_of(l) <= c1 + 31); /* just time passing */

    /* forged: right issuer id, wrong key */
    kit_issuer forger;
    kit_issuer_new(&forger, 77);
    forger.id = iss.id;
    c1 = clock_of(l);
    kit_beacon(&forger, c1 + 60, bc); /* would be taken if genuine */
    CHECK_EQ(deliver(l, &b, bc), PV_OK);
    CHECK_EQ(beacon_of(l), c0 + 130);
    CHECK(clock_of(l) >= c1 + 30 && clock_of(l) <= c1 + 31);
    CHECK(last_event(l, PV_EV_TAMPER, &ev) && ev.aux == PV_TAMPER_BAD_UPDATE);

    /* future: genuinely signed, but eight days ahead of a valid clock */
    c1 = clock_of(l);
    kit_beacon(&iss, c1 + 8 * 86400, bc);
    CHECK_EQ(deliver(l, &b, bc), PV_OK);
    CHECK_EQ(beacon_of(l), c0 + 130);
    CHECK(clock_of(l) >= c1 + 30 && clock_of(l) <= c1 + 31);
    CHECK(last_event(l, PV_EV_TAMPER, &ev) && ev.aux == PV_TAMPER_FUTURE_BEACON);

    /* back: newer than the last beacon but behind the clock (the clock ran fast, or the
     * beacon is old). The budget grows at 200 ppm of the clock since it was last set
     * forward (by the beacon above): 100,000 s give 20 s. The credential has expired by
     * then; the beacon is taken before the window is judged. */
    kit_advance(l, &b, 100000ull * 1000);
    c1 = clock_of(l) + 30;           /* clock when the beacon arrives */
    kit_beacon(&iss, c1 - 3600, bc); /* an hour old: steps back the 20 s only, no tamper */
    (void)deliver(l, &b, bc);
    CHECK(clock_of(l) >= c1 - 20 && clock_of(l) <= c1 - 19);
    CHECK(last_event(l, PV_EV_CLOCK, &ev) && ev.aux == 2);
    CHECK(!last_event(l, PV_EV_TAMPER, &ev) || ev.aux != PV_TAMPER_CLOCK_BACK);
    c1 = clock_of(l) + 30;
    uint64_t last_b = beacon_of(l);
    kit_beacon(&iss, last_b + 1, bc); /* budget gone: no step back at all */
    (void)deliver(l, &b, bc);
    CHECK(clock_of(l) >= c1 && clock_of(l) <= c1 + 1);
    CHECK(clock_of(l) >= beacon_of(l)); /* never below the last beacon */
    kit_advance(l, &b, 50000ull * 1000); /* 10 s more */
    c1 = clock_of(l) + 30;
    kit_beacon(&iss, c1 - 8, bc); /* the clock ran 8 s fast: all of it corrected */
    (void)deliver(l, &b, bc);
    CHECK(clock_of(l) >= c1 - 8 && clock_of(l) <= c1 - 7);

    /* a forward correction empties the budget: the clock is now as right as a lower
     * bound of the time can make it, and only drift can make it fast again */
    c1 = clock_of(l) + 30;
    kit_beacon(&iss, c1 + 10, bc);
    (void)deliver(l, &b, bc);
    pv_lock_get_info(l->lock, &after);
    CHECK_EQ(after.back_budget_s, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* Rolling the clock back with recorded beacons cannot revive an expired credential. */
static void test_rollback_attack(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 41, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t early[PV_BEACON_SIZE], now_b[PV_BEACON_SIZE];
    kit_beacon(&iss, KIT_T0 + 60, early);
    kit_advance(l, &b, 13ull * 3600 * 1000); /* past the credential's end */
    kit_beacon(&iss, KIT_T0 + 13 * 3600, now_b);
    CHECK_EQ(deliver(l, &b, now_b), PV_E_EXPIRED);
    CHECK_EQ(deliver(l, &b, early), PV_E_EXPIRED); /* stale: ignored */
    /* a fresher beacon only a little back cannot reach 12 h back either */
    uint8_t back[PV_BEACON_SIZE];
    kit_beacon(&iss, KIT_T0 + 13 * 3600 + 1, back);
    CHECK_EQ(deliver(l, &b, back), PV_E_EXPIRED);
    CHECK_EQ(l->motor_opens, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* After a power loss the clock resumes from what the lock can prove and accepts the
 * next genuine beacon however far ahead (the lock may have been dead for weeks). */
static void test_reboot(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 42, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t bc[PV_BEACON_SIZE];
    kit_beacon(&iss, KIT_T0 + 3600, bc);
    CHECK_EQ(deliver(l, &b, bc), PV_OK);
    uint64_t before = clock_of(l);
    kit_advance(l, &b, 20ull * 86400 * 1000); /* battery out for 20 days */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    CHECK(i.clock >= before && i.clock >= KIT_T0 + 3600);
    CHECK_EQ(i.clock_valid, 0);
    CHECK_EQ(i.boot_count, 1);
    uint64_t t = pv_sim_clock_unix(&l->clock);
    kit_beacon(&iss, t, bc);
    CHECK_EQ(deliver(l, &b, bc), PV_E_EXPIRED); /* the bearer's shift is long over */
    CHECK(clock_of(l) >= t && clock_of(l) <= t + 1);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* After a power loss with no beacon since, a genuine credential's signed issue time raises
 * the clock: the new shift's credential opens (instead of "not yet valid"), a credential
 * that expired while the lock was dead no longer does, and the raised clock persists. */
static void test_issue_time_lower_bound(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer old, cur;
    CHECK_EQ(kit_bearer_new(&old, 44, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&old, &iss, N, NULL, 0, NULL), PV_OK); /* until KIT_T0 + 12 h */
    kit_advance(l, NULL, 20ull * 86400 * 1000);                /* battery out for 20 days */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    CHECK(clock_of(l) < KIT_T0 + 3600); /* resumed from what it had persisted */
    uint64_t t = pv_sim_clock_unix(&l->clock);
    CHECK_EQ(kit_bearer_new(&cur, 45, N, 0), PV_OK);
    pv_sim_clock_init(&cur.sim.clock, t);
    CHECK_EQ(kit_issue_window(&cur, &iss, N, t - 60, t + 3600, t - 60), PV_OK);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&cur.sim, l, 100, &st), PV_OK);
    CHECK(clock_of(l) >= t - 60);
    /* a key presenting the expired credential anyway (its clock wrong, or tampered) */
    static kit_raw r;
    pv_present p;
    uint8_t sib[32][PV_HASH_SIZE];
    kit_present(&old, N / 2, &p, sib);
    r.p = &p;
    r.x_sk = old.x_sk;
    r.flip = -1;
    kit_advance(l, NULL, 1000);
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_EXPIRED);
    CHECK_EQ(l->motor_opens, 1);
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    CHECK(clock_of(l) >= t - 60);
    kit_bearer_free(&old);
    kit_bearer_free(&cur);
    kit_lock_free(l);
}

/* Realistic drift (a crystal 100 ppm fast or slow, 8.6 s a day) over 60 days with one
 * beacon-carrying visit a day: every visit pulls the clock back to true time, and the
 * back-step budget is never exhausted. */
static void test_drift(int32_t ppm)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    l->clock.drift_ppm = ppm;
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 43, N, 0), PV_OK);
    int tampers = 0;
    for (int day = 1; day <= 60; day++) {
        kit_advance(l, &b, 86400ull * 1000 - (PV_LOCK_BACKOFF_CAP_MS + 1));
        uint64_t now = pv_sim_clock_unix(&l->clock) + (PV_LOCK_BACKOFF_CAP_MS + 1) / 1000;
        pv_sim_clock_init(&b.sim.clock, now);
        CHECK_EQ(kit_issue_window(&b, &iss, N, now - 3600, now + 3600, now - 3600), PV_OK);
        uint8_t bc[PV_BEACON_SIZE];
        kit_beacon(&iss, now, bc);
        CHECK_EQ(deliver(l, &b, bc), PV_OK);
        int64_t err = (int64_t)clock_of(l) - (int64_t)pv_sim_clock_unix(&l->clock);
        CHECK(err >= -1 && err <= 1);
        pv_event ev;
        if (last_event(l, PV_EV_TAMPER, &ev))
            tampers++;
    }
    CHECK_EQ(tampers, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* An accurate lock that gets only beacons carried for hours (a key syncs, then works its
 * shift): each is newer than the last, so it is taken, but it is no evidence that the
 * clock runs fast. The clock steps back at most what a crystal could have gained (17 s a
 * day at 200 ppm), not the whole 300 s tolerance, and logs no tamper. */
static void test_old_beacons(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 47, N, 0), PV_OK);
    int tampers = 0;
    int64_t worst = 0, prev = 0;
    for (int day = 1; day <= 10; day++) {
        kit_advance(l, &b, 86400ull * 1000 - (PV_LOCK_BACKOFF_CAP_MS + 1));
        uint64_t now = pv_sim_clock_unix(&l->clock) + (PV_LOCK_BACKOFF_CAP_MS + 1) / 1000;
        pv_sim_clock_init(&b.sim.clock, now);
        CHECK_EQ(kit_issue_window(&b, &iss, N, now - 5 * 3600, now + 3600, now - 5 * 3600),
                 PV_OK);
        uint8_t bc[PV_BEACON_SIZE];
        kit_beacon(&iss, now - 5 * 3600, bc); /* fetched at the sync five hours ago */
        CHECK_EQ(deliver(l, &b, bc), PV_OK);
        int64_t err = (int64_t)clock_of(l) - (int64_t)pv_sim_clock_unix(&l->clock);
        CHECK(prev - err <= 18); /* a day's drift allowance at most */
        prev = err;
        worst = err < worst ? err : worst;
        pv_event ev;
        if (last_event(l, PV_EV_TAMPER, &ev))
            tampers++;
    }
    CHECK(worst >= -10 * 18);
    CHECK_EQ(tampers, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* The issuer drops an entry at revoked_at + 48 h. A lock whose clock lags (here: it resumed
 * after 60 h without power) takes the pruned list; the list's signed issue time moves its
 * clock up, so the revoked credential is expired instead of opening again (spin found the
 * gap: tests/model, model_rules_pruned_list_gap). */
static void test_pruned_list(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer x;
    CHECK_EQ(kit_bearer_new(&x, 48, N, 0), PV_OK);
    uint64_t t = pv_sim_clock_unix(&l->clock);
    pv_sim_clock_init(&x.sim.clock, t);
    CHECK_EQ(kit_issue_window(&x, &iss, N, t, t + 48 * 3600, t), PV_OK);
    pv_revoked lost = {.bearer_id = 48, .revoked_at = t};
    static uint8_t v1[PV_REVLIST_MAX_SIZE], v2[PV_REVLIST_MAX_SIZE], v3[PV_REVLIST_MAX_SIZE];
    size_t n1 = kit_revlist_at(&iss, 1, t, &lost, 1, v1);
    static kit_raw r;
    pv_present p;
    uint8_t sib[32][PV_HASH_SIZE];
    kit_present(&x, N / 2, &p, sib);
    p.revlist = v1;
    p.revlist_len = (uint16_t)n1;
    r.p = &p;
    r.x_sk = x.x_sk;
    r.flip = -1;
    kit_advance(l, &x, 1000);
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_REVOKED);
    /* a list more than 7 days ahead of a valid clock is refused and logged; v1 stays */
    size_t n3 = kit_revlist_at(&iss, 3, t + 8 * 86400, NULL, 0, v3);
    p.revlist = v3;
    p.revlist_len = (uint16_t)n3;
    kit_advance(l, &x, PV_LOCK_BACKOFF_CAP_MS + 1);
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_REVOKED);
    pv_event ev;
    CHECK(last_event(l, PV_EV_TAMPER, &ev) && ev.aux == PV_TAMPER_FUTURE_LIST);
    kit_advance(l, &x, 60ull * 3600 * 1000); /* battery out for 60 h */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    CHECK(clock_of(l) < t + 3600);
    uint64_t t2 = pv_sim_clock_unix(&l->clock);
    size_t n2 = kit_revlist_at(&iss, 4, t2, NULL, 0, v2); /* pruned: 48 h have passed */
    p.revlist = v2;
    p.revlist_len = (uint16_t)n2;
    kit_advance(l, &x, PV_LOCK_BACKOFF_CAP_MS + 1);
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_EXPIRED);
    CHECK(clock_of(l) >= t2);
    CHECK(last_event(l, PV_EV_CLOCK, &ev) && ev.aux == 4);
    CHECK_EQ(l->motor_opens, 0);
    uint64_t v, bt;
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &v, &bt), PV_OK);
    CHECK_EQ(v, 4);
    /* the raised clock survives another reboot (the held list is a persisted witness) */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    CHECK(clock_of(l) >= t2);
    kit_bearer_free(&x);
    kit_lock_free(l);
}

/* An issuer the lock trusts, but whose scope does not cover this lock, has no authority
 * here: its beacon may not move the clock (that would expire every other issuer's
 * credentials at a shared door) and its list is not taken. */
static void test_foreign_scope(void)
{
    kit_issuer other;
    kit_issuer_new(&other, 2);
    const kit_issuer *both[2] = {&iss, &other};
    uint32_t lo[2] = {1, 5}, hi[2] = {1000000, 6}; /* `other` covers locks 5..6 only */
    pv_sim_lock *l = kit_lock_new_multi(DOOR, both, lo, hi, 2);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 44, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t ahead[PV_BEACON_SIZE];
    kit_beacon(&other, KIT_T0 + 3 * 86400, ahead);
    CHECK_EQ(deliver(l, &b, ahead), PV_OK); /* the genuine key still opens */
    uint64_t t = pv_sim_clock_unix(&l->clock);
    CHECK(clock_of(l) >= t - 1 && clock_of(l) <= t + 1);
    uint64_t v = 1, bt = 1;
    CHECK_EQ(pv_lock_issuer_state(l->lock, other.id, &v, &bt), PV_OK);
    CHECK_EQ(bt, 0);
    /* nor does its revocation list get a verify or a place in the config */
    uint8_t rl[PV_REVLIST_MAX_SIZE];
    pv_revoked r = {.bearer_id = 44, .revoked_at = KIT_T0};
    size_t rl_len = kit_revlist(&other, 9, &r, 1, rl);
    kit_advance(l, &b, PV_LOCK_BACKOFF_CAP_MS + 1);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, N / 2, &p, sib);
    p.revlist = rl;
    p.revlist_len = (uint16_t)rl_len;
    pv_lock_info before, after;
    pv_lock_get_info(l->lock, &before);
    kit_raw raw = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &raw), PV_OK);
    pv_lock_get_info(l->lock, &after);
    CHECK_EQ(after.verifies - before.verifies, 0); /* credential cached, the list never verified */
    CHECK_EQ(pv_lock_issuer_state(l->lock, other.id, &v, &bt), PV_OK);
    CHECK_EQ(v, 0);
    /* an in-scope issuer's beacon still moves the clock */
    uint8_t fwd[PV_BEACON_SIZE];
    t = pv_sim_clock_unix(&l->clock);
    kit_beacon(&iss, t + 600, fwd);
    CHECK_EQ(deliver(l, &b, fwd), PV_OK);
    CHECK(clock_of(l) >= t + 600);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    kit_issuer_new(&iss, 1);
    test_rules();
    test_rollback_attack();
    test_reboot();
    test_issue_time_lower_bound();
    test_drift(100);
    test_drift(-100);
    test_old_beacons();
    test_pruned_list();
    test_foreign_scope();
    if (kit_failures)
        fprintf(stderr, "test_clock: %d failures\n", kit_failures);
    return kit_failures != 0;
}
