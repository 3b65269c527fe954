/* 100,000 failed attempts (forged PRESENTs, in simulated time) slow an attacker down but
 * a valid key still opens within the backoff cap, and the delay grows as documented. */
#include <inttypes.h>
#include <string.h>

#include <sodium.h>

#include "kit.h"

#define N 8
#define DOOR kit_lock_id(N / 2)
/* The Cortex-M4 build runs fewer (each attempt is two X25519 under emulation): the rule
 * under test is the same at any count past the cap. */
#ifndef PV_TEST_BACKOFF_ATTEMPTS
#define PV_TEST_BACKOFF_ATTEMPTS 100000u
#endif
#define ATTEMPTS PV_TEST_BACKOFF_ATTEMPTS

static kit_issuer iss;

/* One forged attempt: a HELLO, then a PRESENT of the right size with garbage inside.
 * Returns the lock's verdict on the PRESENT, or PV_E_BACKOFF if no challenge came. */
static int forged_attempt(pv_sim_lock *l, const uint8_t m1[PV_HELLO_SIZE])
{
    uint8_t m2[PV_MSG_MAX], m3[300], m4[PV_MSG_MAX];
    size_t n2 = 0, n4 = 0;
    int rc = pv_lock_handle(l->lock, m1, PV_HELLO_SIZE, m2, sizeof m2, &n2);
    if (n2 == 0)
        return rc;
    randombytes_buf(m3, sizeof m3);
    m3[0] = PV_PROTO_VERSION;
    m3[1] = PV_T_PRESENT;
    size_t sealed = sizeof m3 - 4 - PV_AEAD_TAG; /* a well-framed M3 of garbage */
    m3[2] = (uint8_t)(sealed & 0xFF);
    m3[3] = (uint8_t)(sealed >> 8);
    return pv_lock_handle(l->lock, m3, sizeof m3, m4, sizeof m4, &n4);
}

static void test_delays(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    uint8_t m1[PV_HELLO_SIZE], rnd[32];
    pv_session s;
    randombytes_buf(rnd, sizeof rnd);
    CHECK_EQ(pv_key_hs_start(&s, iss.id, rnd, m1), PV_OK);
    /* three free failures, then 1 s, 2 s, 4 s, ... capped at 30 s */
    uint64_t expect[] = {0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (unsigned i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        CHECK_EQ(forged_attempt(l, m1), PV_E_DECRYPT);
        pv_lock_info info;
        pv_lock_get_info(l->lock, &info);
        CHECK_EQ(info.failures, i + 1);
        CHECK_EQ(info.backoff_until_ms - l->clock.tick_ms, expect[i]);
        if (expect[i] > 0) {
            CHECK_EQ(forged_attempt(l, m1), PV_E_BACKOFF); /* no challenge, no X25519 */
            pv_sim_clock_advance(&l->clock, expect[i] - 1);
            CHECK_EQ(forged_attempt(l, m1), PV_E_BACKOFF);
            pv_sim_clock_advance(&l->clock, 1);
        }
    }
    pv_session_wipe(&s);
    kit_lock_free(l);
}

/* A door, a genuine bearer with a credential for it, and the HELLO an attacker repeats. */
static pv_sim_lock *door_with_bearer(kit_bearer *b, uint32_t bearer_id, pv_session *s,
                                     uint8_t m1[PV_HELLO_SIZE])
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    CHECK_EQ(kit_bearer_new(b, bearer_id, N, 0), PV_OK);
    CHECK_EQ(kit_issue(b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    CHECK_EQ(pv_key_hs_start(s, iss.id, rnd, m1), PV_OK);
    return l;
}

static void test_many_failures_then_valid(void)
{
    kit_bearer b;
    pv_session s;
    uint8_t m1[PV_HELLO_SIZE];
    pv_sim_lock *l = door_with_bearer(&b, 50, &s, m1);
    uint32_t failed = 0, refused = 0;
    while (failed < ATTEMPTS) {
        int rc = forged_attempt(l, m1);
        if (rc == PV_E_BACKOFF) {
            /* the attacker waits exactly as long as it must (1 ms past the mark) */
            pv_lock_info i;
            pv_lock_get_info(l->lock, &i);
            kit_advance(l, NULL, i.backoff_until_ms - l->clock.tick_ms);
            refused++;
            continue;
        }
        CHECK_EQ(rc, PV_E_DECRYPT);
        failed++;
    }
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.failures, ATTEMPTS);
    CHECK_EQ(l->motor_opens, 0);
    /* the credential must still be valid after the attack's simulated days */
    uint64_t now = pv_sim_clock_unix(&l->clock);
    pv_sim_clock_init(&b.sim.clock, now);
    CHECK_EQ(kit_issue_window(&b, &iss, N, now - 60, now + 3600, now - 60), PV_OK);
    /* the valid key: its user presses every 5 s; it opens once the cap has passed */
    uint64_t t0 = l->clock.tick_ms;
    int opened = 0;
    for (int tries = 0; tries < 10 && !opened; tries++) {
        if (pv_sim_unlock(&b.sim, l, 100, NULL) == PV_OK)
            opened = 1;
        else
            kit_advance(l, &b, 5000); /* no answer: the user presses again */
    }
    CHECK(opened);
    CHECK(l->clock.tick_ms - t0 <= PV_LOCK_BACKOFF_CAP_MS + 5000 + 200);
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.failures, 0); /* an open resets the backoff */
    CHECK_EQ(i.backoff_until_ms, 0);
    fprintf(stderr, "backoff: %" PRIu32 " forged attempts (%" PRIu32 " hellos refused), "
                    "%.1f simulated days, "
                    "then a valid key opened\n",
            failed, refused, (double)t0 / 86400000.0);
    pv_session_wipe(&s);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* A challenge nobody answers expires in pv_lock_refresh() and counts as a failure. */
static void test_abandoned_challenge(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    uint8_t m1[PV_HELLO_SIZE], m2[PV_MSG_MAX], rnd[32];
    size_t n2 = 0;
    pv_session s;
    randombytes_buf(rnd, sizeof rnd);
    CHECK_EQ(pv_key_hs_start(&s, iss.id, rnd, m1), PV_OK);
    CHECK_EQ(pv_lock_handle(l->lock, m1, sizeof m1, m2, sizeof m2, &n2), PV_OK);
    pv_lock_info i;
    CHECK_EQ(pv_lock_refresh(l->lock), PV_OK);
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.state, PV_LOCK_CHALLENGED); /* still within its lifetime */
    pv_sim_clock_advance(&l->clock, PV_LOCK_CHALLENGE_MS + 1);
    CHECK_EQ(pv_lock_refresh(l->lock), PV_OK);
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.state, PV_LOCK_IDLE);
    CHECK_EQ(i.failures, 1);
    CHECK_EQ(i.last_decision, PV_OK);
    pv_event ev;
    uint8_t ch[PV_HASH_SIZE];
    CHECK_EQ(pv_lock_event(l->lock, i.next_seq - 1, &ev, ch), PV_OK);
    CHECK_EQ(ev.kind, PV_EV_DENY);
    CHECK_EQ(ev.reason, -PV_E_CHALLENGE_EXPIRED);
    pv_session_wipe(&s);
    kit_lock_free(l);
}

/* Pulling the battery does not reset the count: after a reboot (twice) the lock resumes the
 * failures from its log and the delay starts again; an open resets it for good. */
static void test_survives_reboot(void)
{
    kit_bearer b;
    pv_session s;
    uint8_t m1[PV_HELLO_SIZE];
    pv_sim_lock *l = door_with_bearer(&b, 51, &s, m1);
    pv_lock_info i;
    for (unsigned failed = 0; failed < 10;) {
        if (forged_attempt(l, m1) == PV_E_DECRYPT) {
            failed++;
            continue;
        }
        pv_lock_get_info(l->lock, &i);
        kit_advance(l, &b, i.backoff_until_ms - l->clock.tick_ms);
    }
    for (int boot = 0; boot < 2; boot++) {
        CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
        pv_lock_get_info(l->lock, &i);
        /* the 10th refusal repeats the 9th: coalesced in RAM, so a power cut loses it, but
         * every refusal up to the one that reached the cap is in the ring (PV_LOCK_DENY_SINGLE) */
        CHECK(i.failures >= PV_LOCK_DENY_SINGLE && i.failures <= 10);
        CHECK_EQ(i.backoff_until_ms - l->clock.tick_ms, PV_LOCK_BACKOFF_CAP_MS);
        CHECK_EQ(forged_attempt(l, m1), PV_E_BACKOFF);
    }
    kit_advance(l, &b, PV_LOCK_BACKOFF_CAP_MS);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, NULL), PV_OK);
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.failures, 0);
    CHECK_EQ(i.backoff_until_ms - l->clock.tick_ms, 0);
    pv_session_wipe(&s);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    kit_issuer_new(&iss, 1);
    test_delays();
    test_abandoned_challenge();
    test_survives_reboot();
    test_many_failures_then_valid();
    if (kit_failures)
        fprintf(stderr, "test_backoff: %d failures\n", kit_failures);
    return kit_failures != 0;
}
