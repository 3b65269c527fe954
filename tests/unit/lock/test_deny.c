/* Coalesced refusals: 1,300 refused attempts from one claimed bearer (a right for another
 * door, presented every 31 s past the backoff) leave the lock's event ring unrecycled —
 * before, each was its own record and they pushed the oldest events out — and the ring
 * still says how many there were, when the first and when the last came, and who claimed
 * them; a valid open afterwards follows the summary. */
#include <string.h>

#include <sodium.h>

#include "kit.h"

#define N 8
#define DOOR kit_lock_id(N / 2)
#define ATTEMPTS 1300u /* more than the ring's 1,280 slots, within the 12 h credential */

static kit_issuer iss;

/* The ring's DENY records naming `bearer` with `reason`: the refusals they stand for, the
 * first and last time; DENY records of anyone else are counted as foreign. */
typedef struct tally {
    uint32_t refusals, records, foreign;
    uint32_t first_time, last_time, last_seq;
} tally;

static tally count_denials(pv_sim_lock *l, uint32_t bearer, uint8_t reason)
{
    pv_lock_info info;
    pv_lock_get_info(l->lock, &info);
    tally t = {0};
    for (uint32_t seq = info.oldest_seq; seq < info.next_seq; seq++) {
        pv_event ev;
        uint8_t chain[PV_HASH_SIZE];
        if (pv_lock_event(l->lock, seq, &ev, chain) != PV_OK || ev.kind != PV_EV_DENY)
            continue;
        if (ev.subject != bearer || ev.reason != reason) {
            t.foreign++;
            continue;
        }
        if (t.records++ == 0)
            t.first_time = ev.time;
        t.refusals += ev.aux > 0 ? ev.aux : 1u;
        t.last_time = ev.time;
        t.last_seq = seq;
    }
    return t;
}

static void test_many_refusals(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 41, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, 0, &p, sib); /* a right for another door */
    pv_lock_info info;
    pv_lock_get_info(l->lock, &info);
    uint64_t t_first = info.clock, t_last = 0;
    for (uint32_t i = 0; i < ATTEMPTS; i++) {
        kit_raw r = {.p = &p, .x_sk = b.x_sk, .flip = -1};
        CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_WRONG_LOCK);
        pv_lock_get_info(l->lock, &info);
        t_last = info.clock;
        kit_advance(l, &b, 31000); /* past the 30 s backoff cap */
        CHECK_EQ(pv_lock_refresh(l->lock), PV_OK);
    }
    pv_lock_get_info(l->lock, &info);
    CHECK_EQ(info.oldest_seq, 0); /* nothing recycled: the COMMISSION record is still there */
    CHECK(info.next_seq < 200);
    /* the valid key opens; the run is written out before its OPEN */
    CHECK_EQ(pv_sim_unlock(&b.sim, l, DOOR, NULL), PV_OK);
    tally t = count_denials(l, b.bearer_id, (uint8_t)-PV_E_WRONG_LOCK);
    CHECK_EQ(t.refusals, ATTEMPTS);
    CHECK_EQ(t.foreign, 0);
    CHECK_EQ(t.first_time, (uint32_t)t_first);
    CHECK_EQ(t.last_time, (uint32_t)t_last);
    pv_event ev;
    uint8_t chain[PV_HASH_SIZE];
    pv_lock_get_info(l->lock, &info);
    CHECK_EQ(pv_lock_event(l->lock, info.next_seq - 1, &ev, chain), PV_OK);
    CHECK_EQ(ev.kind, PV_EV_OPEN);
    CHECK(t.last_seq < info.next_seq - 1);
    printf("test_deny: %u refusals in %u DENY records (%u events in all)\n", t.refusals,
           t.records, info.next_seq);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* A different claimed bearer or reason starts a new run: nothing is merged across them. */
static void test_runs_split(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer a, b;
    CHECK_EQ(kit_bearer_new(&a, 51, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&b, 52, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&a, &iss, N, NULL, 0, NULL), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t sa[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE], sb[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present pa, pb;
    kit_present(&a, 0, &pa, sa);
    kit_present(&b, 0, &pb, sb);
    for (int i = 0; i < 6; i++) {
        kit_raw r = {.p = i < 3 ? &pa : &pb, .x_sk = i < 3 ? a.x_sk : b.x_sk, .flip = -1};
        CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_WRONG_LOCK);
        kit_advance(l, NULL, 31000);
    }
    uint8_t out[PV_LOGBATCH_MAX_SIZE];
    size_t n = 0;
    CHECK_EQ(pv_lock_log_batch(l->lock, out, sizeof out, &n), PV_OK); /* writes the run out */
    tally ta = count_denials(l, a.bearer_id, (uint8_t)-PV_E_WRONG_LOCK);
    tally tb = count_denials(l, b.bearer_id, (uint8_t)-PV_E_WRONG_LOCK);
    CHECK_EQ(ta.refusals, 3);
    CHECK_EQ(tb.refusals, 3);
    CHECK(ta.records >= 2 && tb.records >= 2 && ta.foreign == tb.records &&
          tb.foreign == ta.records);
    kit_bearer_free(&a);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    kit_issuer_new(&iss, 1);
    test_many_refusals();
    test_runs_split();
    if (kit_failures)
        fprintf(stderr, "test_deny: %d failures\n", kit_failures);
    return kit_failures != 0;
}
