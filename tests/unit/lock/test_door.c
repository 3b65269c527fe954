/* Door decisions end to end: valid unlock, wrong lock, expired, not yet valid, revoked by
 * a list another key delivered, replay, relay past the challenge lifetime, a copied
 * credential without its private key, every single-byte flip, unknown issuer, scope. */
#include <string.h>

#include <sodium.h>

#include "kit.h"

#define N 100
#define DOOR kit_lock_id(N / 2)

static kit_issuer iss;

/* Wait out any backoff so each case tests its own check, not the previous failures. */
static void calm(pv_sim_lock *l, kit_bearer *b)
{
    kit_advance(l, b, PV_LOCK_BACKOFF_CAP_MS + 1);
}

static void test_valid_unlock(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 17, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 200, &st), PV_OK);
    CHECK_EQ(st.lock_decision, PV_OK);
    CHECK_EQ(l->motor_opens, 1);
    CHECK_EQ(st.round_trips, 2);
    CHECK(st.m3 <= 1024 && st.m4 <= 1024);
    /* the key logged the passage and holds a lock-signed batch that includes the open */
    pv_key_log_entry e;
    CHECK_EQ(pv_key_log_count(b.sim.key), 1);
    CHECK_EQ(pv_key_log_get(b.sim.key, 0, &e), PV_OK);
    CHECK(e.opened == 1 && e.lock_id == DOOR && e.reason == PV_OK);
    CHECK_EQ(pv_key_batch_count(b.sim.key), 1);
    const uint8_t *batch;
    size_t blen;
    CHECK_EQ(pv_key_batch_get(b.sim.key, 0, &batch, &blen), PV_OK);
    pv_logbatch lb;
    CHECK_EQ(pv_logbatch_decode(batch, blen, &lb), PV_OK);
    pv_event last;
    CHECK_EQ(pv_event_decode(lb.events + (lb.count - 1) * PV_EVENT_SIZE, &last), PV_OK);
    CHECK_EQ(last.kind, PV_EV_OPEN);
    CHECK_EQ(last.subject, 17);
    CHECK_EQ(lb.lock_id, DOOR);
    /* one issuer verify per unlock when nothing needs updating */
    pv_lock_info info;
    pv_lock_get_info(l->lock, &info);
    CHECK_EQ(info.verifies, 1);
    CHECK_EQ(info.x25519, 2); /* static lock key: DH with eK, then with the bearer key */
    /* the next opens carry no batch (a signature is not worth one event) until
     * PV_LOCK_BATCH_MIN_EVENTS are pending; then exactly the new events go out */
    for (unsigned k = 1; k < PV_LOCK_BATCH_MIN_EVENTS; k++) {
        CHECK_EQ(pv_sim_unlock(&b.sim, l, 200, &st), PV_OK);
        CHECK_EQ(pv_key_batch_count(b.sim.key), 1);
    }
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 200, &st), PV_OK);
    CHECK_EQ(pv_key_batch_count(b.sim.key), 2);
    CHECK_EQ(pv_key_batch_get(b.sim.key, 1, &batch, &blen), PV_OK);
    pv_logbatch lb2;
    CHECK_EQ(pv_logbatch_decode(batch, blen, &lb2), PV_OK);
    CHECK_EQ(lb2.count, PV_LOCK_BATCH_MIN_EVENTS);
    pv_event first2;
    CHECK_EQ(pv_event_decode(lb2.events, &first2), PV_OK);
    CHECK_EQ(first2.seq, last.seq + 1);
    /* the batch links to the previous one */
    uint8_t end1[PV_HASH_SIZE];
    pv_logbatch_chain_end(&lb, end1);
    CHECK(memcmp(end1, lb2.prev_hash, PV_HASH_SIZE) == 0);
    /* a quiet door: one open after 4 h gets the batch by age */
    kit_advance(l, &b, (uint64_t)PV_LOCK_BATCH_MAX_AGE_S * 1000);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 200, &st), PV_OK);
    CHECK_EQ(pv_key_batch_count(b.sim.key), 2); /* the open's own event is fresh */
    kit_advance(l, &b, (uint64_t)PV_LOCK_BATCH_MAX_AGE_S * 1000);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 200, &st), PV_OK);
    CHECK_EQ(pv_key_batch_count(b.sim.key), 3);
    /* the cursor survives a reboot once the lock had an idle moment to save it */
    pv_lock_get_info(l->lock, &info);
    uint32_t cursor = info.cursor_seq;
    CHECK_EQ(pv_lock_refresh(l->lock), PV_OK);
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    pv_lock_get_info(l->lock, &info);
    CHECK_EQ(info.cursor_seq, cursor);
    CHECK_EQ(info.boot_count, 1);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* The largest answer: a full batch of PV_LOG_BATCH_MAX events still fits in 1 KiB. */
static void test_full_batch_size(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 28, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(pv_lock_report_battery(l->lock), PV_OK);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_OK);
    const uint8_t *batch;
    size_t blen;
    CHECK_EQ(pv_key_batch_get(b.sim.key, 0, &batch, &blen), PV_OK);
    pv_logbatch lb;
    CHECK_EQ(pv_logbatch_decode(batch, blen, &lb), PV_OK);
    CHECK_EQ(lb.count, PV_LOG_BATCH_MAX);
    CHECK(st.m2 + st.m4 <= 1024);
    fprintf(stderr, "largest answer: M2 %zu + M4 %zu = %zu bytes (batch of %u events)\n", st.m2,
            st.m4, st.m2 + st.m4, lb.count);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

static void test_wrong_lock(void)
{
    pv_sim_lock *l = kit_lock_new(999999, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 18, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    /* the key knows it has no right here and says so without presenting anything */
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, NULL), PV_E_NO_RIGHT);
    CHECK(strcmp(pv_key_reason_text(PV_E_NO_RIGHT), "no right to this door") == 0);
    /* a forced presentation of a right for another door is refused by the lock */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, 3, &p, sib);
    kit_raw r = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_WRONG_LOCK);
    CHECK(r.result_ok && r.result.status == PV_E_WRONG_LOCK);
    CHECK_EQ(l->motor_opens, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

static void test_window(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 19, N, 0), PV_OK);
    /* not yet valid: starts in an hour */
    CHECK_EQ(kit_issue_window(&b, &iss, N, KIT_T0 + 3600, KIT_T0 + 7200, KIT_T0), PV_OK);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, NULL), PV_E_NOT_YET_VALID);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, N / 2, &p, sib);
    kit_raw r = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_NOT_YET_VALID);
    /* expired: the whole shift has passed */
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, NULL), PV_OK);
    kit_advance(l, &b, 13ull * 3600 * 1000);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, NULL), PV_E_EXPIRED);
    CHECK(strcmp(pv_key_reason_text(PV_E_EXPIRED), "expired") == 0);
    kit_present(&b, N / 2, &p, sib);
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_EXPIRED);
    CHECK_EQ(l->motor_opens, 1);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

static void test_revoked_by_other_key(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer lost, other;
    CHECK_EQ(kit_bearer_new(&lost, 20, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&other, 21, N, 0), PV_OK);
    uint8_t rl1[PV_REVLIST_MAX_SIZE], rl2[PV_REVLIST_MAX_SIZE];
    size_t n1 = kit_revlist(&iss, 1, NULL, 0, rl1);
    pv_revoked rv = {.bearer_id = 20, .revoked_at = KIT_T0};
    size_t n2 = kit_revlist(&iss, 2, &rv, 1, rl2);
    CHECK_EQ(kit_issue(&lost, &iss, N, rl1, n1, NULL), PV_OK);
    CHECK_EQ(pv_sim_unlock(&lost.sim, l, 100, NULL), PV_OK); /* not blocked yet */
    /* the key is reported lost; the list reaches the lock through a colleague's key */
    CHECK_EQ(kit_issue(&other, &iss, N, rl2, n2, NULL), PV_OK);
    kit_advance(l, &other, 1000);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&other.sim, l, 100, &st), PV_OK);
    uint64_t ver, bt;
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &ver, &bt), PV_OK);
    CHECK_EQ(ver, 2);
    /* the lost key still carries list 1 and does not know; the lock refuses it */
    kit_advance(l, &lost, 1000);
    CHECK_EQ(pv_sim_unlock(&lost.sim, l, 100, &st), PV_E_REVOKED);
    CHECK_EQ(st.lock_decision, PV_E_REVOKED);
    CHECK(strcmp(pv_key_reason_text(PV_E_REVOKED), "key blocked") == 0);
    CHECK_EQ(l->motor_opens, 2);
    /* the list lives in the config slot in flash, not in RAM: a reboot keeps it, and so
     * does the next save (which copies it into the other slot) */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    kit_advance(l, &lost, PV_LOCK_BACKOFF_CAP_MS + 1);
    CHECK_EQ(pv_sim_unlock(&lost.sim, l, 100, &st), PV_E_REVOKED);
    uint8_t bc[PV_BEACON_SIZE];
    kit_beacon(&iss, KIT_T0 + 600, bc); /* a beacon makes the lock save its config */
    CHECK_EQ(pv_key_update(other.sim.key, NULL, 0, bc, PV_BEACON_SIZE), PV_OK);
    calm(l, &other);
    CHECK_EQ(pv_sim_unlock(&other.sim, l, 100, &st), PV_OK);
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &ver, &bt), PV_OK);
    CHECK_EQ(bt, KIT_T0 + 600);
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    kit_advance(l, &lost, PV_LOCK_BACKOFF_CAP_MS + 1);
    CHECK_EQ(pv_sim_unlock(&lost.sim, l, 100, &st), PV_E_REVOKED);
    /* a later list (v3) delivered by the blocked key itself counts too, immediately */
    pv_revoked rv2[2] = {{.bearer_id = 20, .revoked_at = KIT_T0}, {.bearer_id = 21, .revoked_at = KIT_T0}};
    uint8_t rl3[PV_REVLIST_MAX_SIZE];
    size_t n3 = kit_revlist(&iss, 3, rv2, 2, rl3);
    CHECK_EQ(pv_key_update(lost.sim.key, rl3, n3, NULL, 0), PV_OK);
    kit_advance(l, &lost, PV_LOCK_BACKOFF_CAP_MS + 1);
    CHECK_EQ(pv_sim_unlock(&lost.sim, l, 100, &st), PV_E_REVOKED); /* key itself knows now */
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &ver, &bt), PV_OK);
    CHECK_EQ(ver, 3);
    calm(l, &other);
    CHECK_EQ(pv_sim_unlock(&other.sim, l, 100, &st), PV_E_REVOKED);
    kit_bearer_free(&lost);
    kit_bearer_free(&other);
    kit_lock_free(l);
}

static void test_replay_and_relay(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 22, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, N / 2, &p, sib);
    kit_raw rec = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &rec), PV_OK); /* the recorded genuine session */
    CHECK_EQ(l->motor_opens, 1);
    uint8_t m4[PV_MSG_MAX], m2[PV_MSG_MAX];
    size_t n4 = 0, n2 = 0;
    /* replay M3 alone: no session */
    CHECK_EQ(pv_lock_handle(l->lock, rec.m3, rec.m3_len, m4, sizeof m4, &n4), PV_E_STATE);
    CHECK_EQ(n4, 0);
    /* replay M1 then M3: the lock's new ephemeral key makes the old M3 unreadable */
    CHECK_EQ(pv_lock_handle(l->lock, rec.m1, PV_HELLO_SIZE, m2, sizeof m2, &n2), PV_OK);
    CHECK_EQ(pv_lock_handle(l->lock, rec.m3, rec.m3_len, m4, sizeof m4, &n4), PV_E_DECRYPT);
    CHECK_EQ(l->motor_opens, 1);
    /* relay: a genuine session forwarded too slowly */
    calm(l, &b);
    kit_raw slow = {.p = &p, .x_sk = b.x_sk, .flip = -1, .delay_ms = PV_LOCK_CHALLENGE_MS + 1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &slow), PV_E_CHALLENGE_EXPIRED);
    CHECK(slow.result_ok && slow.result.status == PV_E_CHALLENGE_EXPIRED);
    kit_raw fast = {.p = &p, .x_sk = b.x_sk, .flip = -1, .delay_ms = PV_LOCK_CHALLENGE_MS - 100};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &fast), PV_OK);
    /* the lifetime is configurable */
    pv_lock_set_challenge_ms(l->lock, 300);
    kit_raw mid = {.p = &p, .x_sk = b.x_sk, .flip = -1, .delay_ms = 400};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &mid), PV_E_CHALLENGE_EXPIRED);
    CHECK_EQ(l->motor_opens, 2);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

static void test_copied_credential(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer owner, thief;
    CHECK_EQ(kit_bearer_new(&owner, 23, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&thief, 24, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&owner, &iss, N, NULL, 0, NULL), PV_OK);
    /* a key refuses to install a credential naming someone else's key */
    CHECK_EQ(pv_key_install(thief.sim.key, owner.cred, PV_CRED_SIZE, owner.entries,
                            (size_t)N * PV_ENTRY_SIZE, NULL, 0, NULL, 0),
             PV_E_POSSESSION);
    /* a modified device presenting the copy with its own static key fails possession */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&owner, N / 2, &p, sib);
    kit_raw r = {.p = &p, .x_sk = thief.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_POSSESSION);
    CHECK(r.result_ok && r.result.status == PV_E_POSSESSION && r.result.batch == NULL);
    CHECK_EQ(l->motor_opens, 0);
    kit_bearer_free(&owner);
    kit_bearer_free(&thief);
    kit_lock_free(l);
}

static void counters(pv_sim_lock *l, uint32_t *verifies, uint32_t *x25519)
{
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    *verifies = i.verifies;
    *x25519 = i.x25519;
}

static int program_fails(void *ctx, uint32_t addr, const uint8_t *in, size_t len)
{
    (void)ctx, (void)addr, (void)in, (void)len;
    return PV_E_FLASH;
}

/* A list the lock verifies but cannot save (its flash takes no more writes; reads still
 * work) is not kept, yet still counts for the attempt that delivered it. */
static void test_unsaved_list_counts(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 20, N, 0), PV_OK);
    pv_revoked rv = {.bearer_id = 20, .revoked_at = KIT_T0};
    uint8_t rl[PV_REVLIST_MAX_SIZE];
    size_t n = kit_revlist(&iss, 4, &rv, 1, rl);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, N / 2, &p, sib);
    p.revlist = rl;
    p.revlist_len = (uint16_t)n;
    l->ops.flash_program = program_fails;
    kit_raw r = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_REVOKED);
    uint64_t ver, bt;
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &ver, &bt), PV_OK);
    CHECK_EQ(ver, 0); /* not kept: the next key brings it again */
    CHECK_EQ(l->motor_opens, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* Repeat unlocks: the second unlock with the same credential costs no verify and one X25519
 * (the fresh exchange); a copy of the cached credential still fails possession, a list
 * still blocks it, and a reboot forgets the cache. */
static void test_repeat_cache(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer owner, thief, other;
    CHECK_EQ(kit_bearer_new(&owner, 25, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&thief, 26, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&other, 28, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&owner, &iss, N, NULL, 0, NULL), PV_OK);
    uint32_t v0, x0, v1, x1, v2, x2;
    counters(l, &v0, &x0);
    CHECK_EQ(pv_sim_unlock(&owner.sim, l, 100, NULL), PV_OK);
    counters(l, &v1, &x1);
    CHECK_EQ(v1 - v0, 1);
    CHECK_EQ(x1 - x0, 2);
    kit_advance(l, &owner, 1000);
    CHECK_EQ(pv_sim_unlock(&owner.sim, l, 100, NULL), PV_OK);
    counters(l, &v2, &x2);
    CHECK_EQ(v2 - v1, 0);
    CHECK_EQ(x2 - x1, 1);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&owner, N / 2, &p, sib);
    kit_raw r = {.p = &p, .x_sk = thief.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_POSSESSION);
    /* another key brings the list that blocks the owner: the cache does not bypass it */
    uint8_t rl[PV_REVLIST_MAX_SIZE];
    pv_revoked rv = {.bearer_id = owner.bearer_id, .revoked_at = KIT_T0};
    size_t rl_len = kit_revlist(&iss, 5, &rv, 1, rl);
    CHECK_EQ(kit_issue(&other, &iss, N, rl, rl_len, NULL), PV_OK);
    kit_advance(l, &other, PV_LOCK_BACKOFF_CAP_MS + 1);
    CHECK_EQ(pv_sim_unlock(&other.sim, l, 100, NULL), PV_OK);
    kit_raw again = {.p = &p, .x_sk = owner.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &again), PV_E_REVOKED);
    /* a reboot starts with an empty cache: the other key's credential is verified again */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    counters(l, &v0, &x0);
    CHECK_EQ(pv_sim_unlock(&other.sim, l, 100, NULL), PV_OK);
    counters(l, &v1, &x1);
    CHECK_EQ(v1 - v0, 1);
    kit_bearer_free(&owner);
    kit_bearer_free(&thief);
    kit_bearer_free(&other);
    kit_lock_free(l);
}

/* A new shift's credential for a bearer key the lock has seen prove possession: the
 * signature is verified again, the static Diffie-Hellman comes from the cache (one X25519,
 * the fresh exchange); a key that does not hold it still fails with that credential, and
 * a bearer new to the lock costs both X25519 again. */
static void test_known_bearer_new_credential(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer owner, thief, other;
    CHECK_EQ(kit_bearer_new(&owner, 25, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&thief, 26, N, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&other, 28, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&owner, &iss, N, NULL, 0, NULL), PV_OK);
    uint32_t v0, x0, v1, x1;
    CHECK_EQ(pv_sim_unlock(&owner.sim, l, 100, NULL), PV_OK);
    /* the next shift: other window, other issue time, so other credential bytes */
    CHECK_EQ(kit_issue_window(&owner, &iss, N, KIT_T0 - 1800, KIT_T0 + 8 * 3600, KIT_T0 - 1800),
             PV_OK);
    kit_advance(l, &owner, 1000);
    counters(l, &v0, &x0);
    CHECK_EQ(pv_sim_unlock(&owner.sim, l, 100, NULL), PV_OK);
    counters(l, &v1, &x1);
    CHECK_EQ(v1 - v0, 1);
    CHECK_EQ(x1 - x0, 1);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&owner, N / 2, &p, sib);
    kit_raw r = {.p = &p, .x_sk = thief.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_POSSESSION);
    CHECK_EQ(kit_issue(&other, &iss, N, NULL, 0, NULL), PV_OK);
    kit_advance(l, &other, PV_LOCK_BACKOFF_CAP_MS + 1);
    counters(l, &v0, &x0);
    CHECK_EQ(pv_sim_unlock(&other.sim, l, 100, NULL), PV_OK);
    counters(l, &v1, &x1);
    CHECK_EQ(x1 - x0, 2);
    kit_bearer_free(&owner);
    kit_bearer_free(&thief);
    kit_bearer_free(&other);
    kit_lock_free(l);
}

/* Flip every byte of the wire frame, then every byte of the plaintext parts (a device
 * can encrypt anything under k1): header, credential with its signature, entry, proof. */
static void test_every_byte_flip(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 25, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&b, N / 2, &p, sib);
    kit_raw r = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_OK);
    size_t m3_len = r.m3_len;
    unsigned opened = 0;
    for (size_t i = 0; i < m3_len; i++) {
        calm(l, &b);
        kit_raw f = {.p = &p, .x_sk = b.x_sk, .flip = (long)i};
        if (kit_raw_attempt(l, iss.id, &f) == PV_OK)
            opened++;
    }
    uint8_t cred[PV_CRED_SIZE], entry[PV_ENTRY_SIZE], sibs[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present q = p;
    q.cred = cred;
    q.entry = entry;
    q.siblings = &sibs[0][0];
    size_t plain = PV_CRED_SIZE + PV_ENTRY_SIZE + (size_t)p.nsiblings * PV_HASH_SIZE;
    for (size_t i = 0; i < plain; i++) {
        memcpy(cred, p.cred, sizeof cred);
        memcpy(entry, p.entry, sizeof entry);
        memcpy(sibs, p.siblings, (size_t)p.nsiblings * PV_HASH_SIZE);
        uint8_t *t = i < PV_CRED_SIZE ? cred + i
                     : i < PV_CRED_SIZE + PV_ENTRY_SIZE ? entry + (i - PV_CRED_SIZE)
                                                        : &sibs[0][0] + (i - PV_CRED_SIZE - PV_ENTRY_SIZE);
        *t ^= 0x01;
        calm(l, &b);
        kit_raw f = {.p = &q, .x_sk = b.x_sk, .flip = -1};
        if (kit_raw_attempt(l, iss.id, &f) == PV_OK)
            opened++;
    }
    /* leaf index and sibling count are part of the proof too */
    q = p;
    q.leaf_index ^= 1;
    calm(l, &b);
    kit_raw fi = {.p = &q, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &fi), PV_E_PROOF);
    q = p;
    q.nsiblings--;
    calm(l, &b);
    kit_raw fn = {.p = &q, .x_sk = b.x_sk, .flip = -1};
    CHECK(kit_raw_attempt(l, iss.id, &fn) != PV_OK);
    CHECK_EQ(opened, 0);
    CHECK_EQ(l->motor_opens, 1);
    fprintf(stderr, "byte flips: %zu wire + %zu plaintext bytes, none opened\n", m3_len, plain);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* The decision at the exact second: credential window [not_before, not_after) and the
 * entry's minute window (here [0, 24 h) from not_before) both inclusive at the start and
 * exclusive at the end; an entry reaching past not_after never extends the credential. */
static int window_case(pv_sim_lock *l, kit_bearer *b, int64_t nb_off, int64_t na_off)
{
    calm(l, b);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    uint64_t nb = (uint64_t)((int64_t)i.clock + nb_off), na = (uint64_t)((int64_t)i.clock + na_off);
    /* issued no later than the lock's clock: a later issue time would move the clock up */
    if (kit_issue_window(b, &iss, N, nb, na, nb < i.clock ? nb : i.clock) != PV_OK)
        return 1;
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(b, N / 2, &p, sib);
    kit_raw r = {.p = &p, .x_sk = b->x_sk, .flip = -1, .delay_ms = 0};
    return kit_raw_attempt(l, iss.id, &r);
}

static void test_window_boundaries(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 27, N, 0), PV_OK);
    kit_advance(l, &b, 500); /* mid-second: the lock's clock reads the same at M1 and M3 */
    CHECK_EQ(window_case(l, &b, 1, 3600), PV_E_NOT_YET_VALID);
    CHECK_EQ(window_case(l, &b, 0, 3600), PV_OK);
    CHECK_EQ(window_case(l, &b, -3600, 1), PV_OK);
    CHECK_EQ(window_case(l, &b, -3600, 0), PV_E_EXPIRED);
    /* the entry's 24 h window ends now, the credential (up to 48 h) would go on */
    CHECK_EQ(window_case(l, &b, -86399, 3600), PV_OK);
    CHECK_EQ(window_case(l, &b, -86400, 3600), PV_E_EXPIRED);
    CHECK_EQ(l->motor_opens, 3);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* Two issuers at one shared door: B's revocation list naming bearer id 28 (B's own
 * bearer 28) never refuses A's bearer 28, and cannot replace A's list; A's list still
 * refuses A's bearer. */
static void test_lists_per_issuer(void)
{
    kit_issuer b_iss;
    kit_issuer_new(&b_iss, 2);
    const kit_issuer *both[2] = {&iss, &b_iss};
    uint32_t lo[2] = {1, 1}, hi[2] = {1000000, 1000000};
    pv_sim_lock *l = kit_lock_new_multi(DOOR, both, lo, hi, 2);
    kit_bearer a;
    CHECK_EQ(kit_bearer_new(&a, 28, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&a, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t rl_b[PV_REVLIST_MAX_SIZE], rl_a[PV_REVLIST_MAX_SIZE];
    pv_revoked rv = {.bearer_id = 28, .revoked_at = KIT_T0};
    size_t lb = kit_revlist(&b_iss, 100, &rv, 1, rl_b);
    size_t la = kit_revlist(&iss, 1, &rv, 1, rl_a);
    /* A's bearer carries B's list: taken into B's slot, A's bearer still opens */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(&a, N / 2, &p, sib);
    p.revlist = rl_b;
    p.revlist_len = (uint16_t)lb;
    kit_raw r = {.p = &p, .x_sk = a.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_OK);
    uint64_t v = 0, bt = 0;
    CHECK_EQ(pv_lock_issuer_state(l->lock, b_iss.id, &v, &bt), PV_OK);
    CHECK_EQ(v, 100);
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &v, &bt), PV_OK);
    CHECK_EQ(v, 0);
    /* A's own list (version 1, lower than B's 100) is still taken and refuses */
    calm(l, &a);
    p.revlist = rl_a;
    p.revlist_len = (uint16_t)la;
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_REVOKED);
    CHECK_EQ(l->motor_opens, 1);
    kit_bearer_free(&a);
    kit_lock_free(l);
}

static void test_issuers(void)
{
    kit_issuer other;
    kit_issuer_new(&other, 99);
    /* unknown issuer */
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 26, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &other, N, NULL, 0, NULL), PV_OK);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_E_UNKNOWN_ISSUER);
    CHECK_EQ(st.lock_decision, PV_E_UNKNOWN_ISSUER);
    /* a credential claiming a trusted issuer but signed by another key */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    kit_issuer forger = other;
    forger.id = iss.id;
    CHECK_EQ(kit_issue(&b, &forger, N, NULL, 0, NULL), PV_OK);
    pv_present p;
    kit_present(&b, N / 2, &p, sib);
    calm(l, &b);
    kit_raw r = {.p = &p, .x_sk = b.x_sk, .flip = -1};
    CHECK_EQ(kit_raw_attempt(l, iss.id, &r), PV_E_SIGNATURE);
    kit_lock_free(l);
    /* trusted issuer, but this lock is outside its scope */
    l = kit_lock_new(DOOR, &iss, DOOR + 1, DOOR + 100);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_E_SCOPE);
    CHECK(strcmp(pv_key_reason_text(PV_E_SCOPE), "no right to this door") == 0);
    CHECK_EQ(l->motor_opens, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* A HELLO with a low-order ephemeral key gets no challenge and counts as a failure. */
static void test_low_order_hello(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    pv_hello h = {.issuer_id = iss.id};
    memset(h.e_pk, 0, sizeof h.e_pk);
    uint8_t m1[PV_HELLO_SIZE], out[PV_MSG_MAX];
    size_t n = 0;
    CHECK_EQ(pv_hello_encode(&h, m1), PV_OK);
    CHECK_EQ(pv_lock_handle(l->lock, m1, sizeof m1, out, sizeof out, &n), PV_E_CRYPTO);
    CHECK_EQ(n, 0);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.failures, 1);
    CHECK_EQ(i.state, PV_LOCK_IDLE);
    /* frames that are not for a lock, or truncated, get no answer */
    uint8_t junk[3] = {PV_PROTO_VERSION, PV_T_RESULT, 0};
    CHECK_EQ(pv_lock_handle(l->lock, junk, sizeof junk, out, sizeof out, &n), PV_E_TYPE);
    CHECK_EQ(pv_lock_handle(l->lock, junk, 1, out, sizeof out, &n), PV_E_TRUNCATED);
    junk[0] = 9;
    CHECK_EQ(pv_lock_handle(l->lock, junk, sizeof junk, out, sizeof out, &n), PV_E_VERSION);
    CHECK_EQ(n, 0);
    kit_lock_free(l);
}

static void test_confirm_required(void)
{
    pv_sim_lock *l = kit_lock_new(DOOR, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 27, N, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, N, NULL, 0, NULL), PV_OK);
    uint8_t m1[PV_HELLO_SIZE];
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m1), PV_E_NOT_CONFIRMED);
    pv_key_confirm(b.sim.key);
    pv_sim_clock_advance(&b.sim.clock, PV_KEY_CONFIRM_MS + 1);
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m1), PV_E_NOT_CONFIRMED);
    pv_key_confirm(b.sim.key);
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m1), PV_OK);
    pv_key_abort(b.sim.key, PV_E_TIMEOUT);
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m1), PV_E_NOT_CONFIRMED); /* one press, one go */
    kit_bearer_free(&b);
    kit_lock_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    kit_issuer_new(&iss, 1);
    test_valid_unlock();
    test_full_batch_size();
    test_wrong_lock();
    test_window();
    test_window_boundaries();
    test_revoked_by_other_key();
    test_replay_and_relay();
    test_copied_credential();
    test_unsaved_list_counts();
    test_repeat_cache();
    test_known_bearer_new_credential();
    test_every_byte_flip();
    test_issuers();
    test_lists_per_issuer();
    test_confirm_required();
    test_low_order_hello();
    if (kit_failures)
        fprintf(stderr, "test_door: %d failures\n", kit_failures);
    return kit_failures != 0;
}
