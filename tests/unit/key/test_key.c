/* The bearer core: memory per right, proofs from the cache for every index, install
 * refusals that change nothing, local refusals with their user texts, delivery of
 * updates to a door the key has no right to, 65,536 rights within 1 KiB frames. */
#include <string.h>

#include <sodium.h>

#include "../lock/kit.h"

static kit_issuer iss;

static void test_memory_budget(void)
{
    size_t m4k = pv_key_mem_size(4000), m64k = pv_key_mem_size(65536);
    double marginal = (double)(m64k - m4k) / (65536 - 4000);
    fprintf(stderr, "key memory: 4,000 rights %zu B (%.2f B/right), 65,536 rights %zu B "
                    "(%.2f B/right), marginal %.2f B/right\n",
            m4k, (double)m4k / 4000, m64k, (double)m64k / 65536, marginal);
    CHECK(marginal <= 16.0);
    CHECK((double)m64k / 65536 <= 16.0);
    CHECK_EQ(pv_key_mem_size(0), 0);
    CHECK_EQ(pv_key_mem_size(PV_MERKLE_MAX_LEAVES + 1), 0);
    uint8_t sk[64], pk[32];
    crypto_sign_keypair(pk, sk);
    static _Alignas(16) uint8_t small[1024]; /* far below pv_key_mem_size(100) */
    pv_sim_key sk_sim;
    CHECK_EQ(pv_sim_key_init(&sk_sim, small, sizeof small, 100, sk, KIT_T0, 0), PV_E_BUFSIZE);
}

/* Proofs from the cache equal the library's full-tree proofs and verify. */
static void test_proofs(void)
{
    const uint32_t sizes[] = {1, 2, 3, 63, 64, 65, 127, 128, 129, 1000, 4097};
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint32_t n = sizes[s];
        kit_bearer b;
        CHECK_EQ(kit_bearer_new(&b, 60, n, 0), PV_OK);
        CHECK_EQ(kit_issue(&b, &iss, n, NULL, 0, NULL), PV_OK);
        pv_cred c;
        CHECK_EQ(pv_key_credential(b.sim.key, &c), PV_OK);
        uint32_t step = n > 300 ? 37 : 1;
        for (uint32_t i = 0; i < n; i += step) {
            uint8_t a[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE], e[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
            unsigned na = 0, ne = 0;
            CHECK_EQ(pv_key_prove(b.sim.key, i, a, &na), PV_OK);
            CHECK_EQ(pv_merkle_prove(b.entries, n, i, e, &ne), PV_OK);
            CHECK_EQ(na, ne);
            CHECK(memcmp(a, e, (size_t)na * PV_HASH_SIZE) == 0);
            CHECK_EQ(pv_merkle_verify(b.entries + (size_t)i * PV_ENTRY_SIZE, i, n,
                                      (const uint8_t(*)[PV_HASH_SIZE])a, na, c.root),
                     PV_OK);
        }
        uint8_t a[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
        unsigned na;
        CHECK_EQ(pv_key_prove(b.sim.key, n, a, &na), PV_E_RANGE);
        kit_bearer_free(&b);
    }
}

static void test_install_refusals(void)
{
    const uint32_t n = 50;
    kit_bearer b, other;
    CHECK_EQ(kit_bearer_new(&b, 61, n, 0), PV_OK);
    CHECK_EQ(kit_bearer_new(&other, 62, n, 0), PV_OK);
    /* nothing installed yet: no credential to show */
    pv_cred none;
    CHECK_EQ(pv_key_credential(b.sim.key, &none), PV_E_NO_CREDENTIAL);
    CHECK_EQ(kit_issue(&b, &iss, n, NULL, 0, NULL), PV_OK);
    CHECK_EQ(kit_issue(&other, &iss, n, NULL, 0, NULL), PV_OK);
    size_t elen = (size_t)n * PV_ENTRY_SIZE;
    uint8_t *e = malloc(elen);
    /* a tampered entry: the root no longer matches */
    memcpy(e, b.entries, elen);
    e[5 * PV_ENTRY_SIZE + 4] ^= 0x01; /* start minute of right 5 */
    CHECK_EQ(pv_key_install(b.sim.key, b.cred, PV_CRED_SIZE, e, elen, NULL, 0, NULL, 0), PV_E_PROOF);
    /* out of order */
    memcpy(e, b.entries, elen);
    memcpy(e, b.entries + PV_ENTRY_SIZE, PV_ENTRY_SIZE);
    memcpy(e + PV_ENTRY_SIZE, b.entries, PV_ENTRY_SIZE);
    CHECK_EQ(pv_key_install(b.sim.key, b.cred, PV_CRED_SIZE, e, elen, NULL, 0, NULL, 0), PV_E_ORDER);
    /* a count that differs from the credential's */
    CHECK_EQ(pv_key_install(b.sim.key, b.cred, PV_CRED_SIZE, b.entries, elen - PV_ENTRY_SIZE,
                            NULL, 0, NULL, 0), PV_E_RANGE);
    /* someone else's credential */
    CHECK_EQ(pv_key_install(b.sim.key, other.cred, PV_CRED_SIZE, other.entries, elen, NULL, 0,
                            NULL, 0), PV_E_POSSESSION);
    /* pinned issuer: a forged signature is refused */
    kit_issuer forger;
    kit_issuer_new(&forger, 5);
    forger.id = iss.id;
    CHECK_EQ(pv_key_set_issuer(b.sim.key, iss.id, iss.pk), PV_OK);
    uint8_t saved[PV_CRED_SIZE];
    memcpy(saved, b.cred, sizeof saved);
    CHECK_EQ(kit_issue(&b, &forger, n, NULL, 0, NULL), PV_E_SIGNATURE);
    /* after every refusal the old credential is still the one in use */
    pv_cred c, want;
    CHECK_EQ(pv_key_credential(b.sim.key, &c), PV_OK);
    CHECK_EQ(pv_cred_decode(saved, PV_CRED_SIZE, &want), PV_OK);
    CHECK(memcmp(c.root, want.root, PV_HASH_SIZE) == 0);
    CHECK_EQ(pv_key_rights(b.sim.key), n);
    free(e);
    kit_bearer_free(&b);
    kit_bearer_free(&other);
}

static void test_local_refusals(void)
{
    const uint32_t n = 20;
    const uint32_t door = kit_lock_id(n / 2);
    /* lock clock out of range: the lock is 5 h behind and nobody brought a beacon yet */
    pv_sim_lock *l = kit_lock_new(door, &iss, 1, 1000000);
    pv_sim_lock_init(l, KIT_T0 - 5 * 3600, 0); /* fresh hardware, clock 5 h behind */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    pv_lock_setup c;
    memset(&c, 0, sizeof c);
    c.lock_id = door;
    uint8_t lock_pk[PV_PK_SIZE];
    crypto_sign_keypair(lock_pk, c.lock_sk);
    c.time = KIT_T0 - 5 * 3600;
    c.nissuers = 1;
    c.issuers[0].issuer_id = iss.id;
    memcpy(c.issuers[0].pk, iss.pk, 32);
    c.issuers[0].nscopes = 1;
    c.issuers[0].scopes[0] = (pv_lock_scope){1, 1000000};
    CHECK_EQ(pv_lock_commission(l->lock, &c), PV_OK);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 63, n, 0), PV_OK);
    /* issued 6 h before the shift, an hour before the lock's clock: the issue time cannot
     * lift the lock's clock into the window (docs/lock.md, "Clock") */
    CHECK_EQ(kit_issue_window(&b, &iss, n, KIT_T0 - 3600, KIT_T0 + 12 * 3600, KIT_T0 - 6 * 3600),
             PV_OK);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_E_LOCK_CLOCK);
    CHECK_EQ(st.m3, 0); /* nothing presented */
    CHECK(strcmp(pv_key_reason_text(PV_E_LOCK_CLOCK), "lock clock out of range") == 0);
    /* after the key's next sync it carries a beacon: the same door opens at once */
    uint8_t bc[PV_BEACON_SIZE];
    kit_beacon(&iss, KIT_T0, bc);
    CHECK_EQ(pv_key_update(b.sim.key, NULL, 0, bc, PV_BEACON_SIZE), PV_OK);
    CHECK_EQ(pv_key_update(b.sim.key, NULL, 0, bc, PV_BEACON_SIZE), PV_E_STALE);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_OK);
    CHECK_EQ(l->motor_opens, 1);

    /* key blocked: the key's own list names it; it refuses before presenting */
    uint8_t rl[PV_REVLIST_MAX_SIZE];
    pv_revoked rv = {.bearer_id = 63, .revoked_at = KIT_T0};
    size_t rl_len = kit_revlist(&iss, 5, &rv, 1, rl);
    CHECK_EQ(pv_key_update(b.sim.key, rl, rl_len, NULL, 0), PV_OK);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_E_REVOKED);
    CHECK(st.m3 > 0); /* it still delivered the list the lock lacked */
    uint64_t ver, bt;
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &ver, &bt), PV_OK);
    CHECK_EQ(ver, 5);
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_E_REVOKED);
    CHECK_EQ(st.m3, 0); /* lock up to date now: nothing to deliver, nothing sent */

    /* the key's own log, oldest first, with user texts */
    uint32_t cnt = pv_key_log_count(b.sim.key);
    CHECK_EQ(cnt, 4);
    pv_key_log_entry e;
    int want[4] = {PV_E_LOCK_CLOCK, PV_OK, PV_E_REVOKED, PV_E_REVOKED};
    for (uint32_t i = 0; i < cnt && i < 4; i++) {
        CHECK_EQ(pv_key_log_get(b.sim.key, i, &e), PV_OK);
        CHECK_EQ(e.reason, want[i]);
        CHECK_EQ(e.lock_id, door);
        CHECK_EQ(e.opened, want[i] == PV_OK);
    }
    pv_key_log_ack(b.sim.key, 2);
    CHECK_EQ(pv_key_log_count(b.sim.key), 2);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* A key with no right to a door still brings it the newer list. */
static void test_delivery_without_right(void)
{
    const uint32_t n = 20;
    pv_sim_lock *l = kit_lock_new(555555, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 64, n, 0), PV_OK);
    uint8_t rl[PV_REVLIST_MAX_SIZE];
    pv_revoked rv = {.bearer_id = 999, .revoked_at = KIT_T0};
    size_t rl_len = kit_revlist(&iss, 9, &rv, 1, rl);
    CHECK_EQ(kit_issue(&b, &iss, n, rl, rl_len, NULL), PV_OK);
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_E_NO_RIGHT);
    CHECK(st.m3 > 0);
    CHECK_EQ(st.lock_decision, PV_E_WRONG_LOCK);
    uint64_t ver, bt;
    CHECK_EQ(pv_lock_issuer_state(l->lock, iss.id, &ver, &bt), PV_OK);
    CHECK_EQ(ver, 9);
    CHECK_EQ(l->motor_opens, 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* Lists and beacons belong to one issuer: a key refuses another issuer's at install and
 * update, and a key moved to a new issuer drops what it carried for the old one (whose
 * higher version numbers would otherwise keep the new issuer's lists out of the key and
 * away from the locks). The proof cache follows a reinstall with another right count. */
static void test_issuer_change(void)
{
    kit_issuer a, bi;
    kit_issuer_new(&a, 21);
    kit_issuer_new(&bi, 22);
    const uint32_t n = 130;
    pv_sim_lock *l = kit_lock_new(kit_lock_id(n / 2), &bi, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 66, 200, 0), PV_OK);
    uint8_t rl_a[PV_REVLIST_MAX_SIZE], rl_b[PV_REVLIST_MAX_SIZE], bc_a[PV_BEACON_SIZE];
    pv_revoked rv = {.bearer_id = 999, .revoked_at = KIT_T0};
    size_t la = kit_revlist(&a, 50, &rv, 1, rl_a), lb = kit_revlist(&bi, 3, &rv, 1, rl_b);
    kit_beacon(&a, KIT_T0 + 3600, bc_a);
    CHECK_EQ(kit_issue(&b, &a, 200, rl_a, la, bc_a), PV_OK);
    /* a list of another issuer than the credential's */
    CHECK_EQ(pv_key_update(b.sim.key, rl_b, lb, NULL, 0), PV_E_UNKNOWN_ISSUER);
    CHECK_EQ(pv_key_install(b.sim.key, b.cred, PV_CRED_SIZE, b.entries,
                            (size_t)200 * PV_ENTRY_SIZE, rl_b, lb, NULL, 0),
             PV_E_UNKNOWN_ISSUER);
    /* the staff member moves to issuer B, with fewer rights */
    CHECK_EQ(kit_issue(&b, &bi, n, rl_b, lb, NULL), PV_OK);
    pv_cred c;
    CHECK_EQ(pv_key_credential(b.sim.key, &c), PV_OK);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
        unsigned ns = 0;
        CHECK_EQ(pv_key_prove(b.sim.key, i, sib, &ns), PV_OK);
        CHECK_EQ(pv_merkle_verify(b.entries + (size_t)i * PV_ENTRY_SIZE, i, n,
                                  (const uint8_t(*)[PV_HASH_SIZE])sib, ns, c.root), PV_OK);
    }
    pv_sim_unlock_stats st;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_OK);
    uint64_t ver = 0, bt = 1;
    CHECK_EQ(pv_lock_issuer_state(l->lock, bi.id, &ver, &bt), PV_OK);
    CHECK_EQ(ver, 3); /* B's list reached B's lock */
    CHECK_EQ(bt, 0);  /* A's beacon was not offered as B's */
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* 65,536 rights: install, open, and both directions stay within 1 KiB. */
static void test_many_rights(void)
{
    const uint32_t n = 65536;
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 65, n, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, n, NULL, 0, NULL), PV_OK);
    const uint32_t doors[3] = {kit_lock_id(0), kit_lock_id(n / 2), kit_lock_id(n - 1)};
    for (int d = 0; d < 3; d++) {
        pv_sim_lock *l = kit_lock_new(doors[d], &iss, 1, 0xFFFFFFFFu);
        pv_sim_unlock_stats st;
        CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), PV_OK);
        CHECK(st.m1 + st.m3 <= 1024);
        CHECK(st.m2 + st.m4 <= 1024);
        CHECK_EQ(st.round_trips, 2);
        if (d == 1)
            fprintf(stderr, "65,536 rights: key->lock %zu B (M1 %zu + M3 %zu), lock->key %zu B "
                            "(M2 %zu + M4 %zu)\n",
                    st.m1 + st.m3, st.m1, st.m3, st.m2 + st.m4, st.m2, st.m4);
        kit_lock_free(l);
    }
    kit_bearer_free(&b);
}

/* Lock batches pile up for upload; when the store is full the oldest goes, counted. */
static void test_batches(void)
{
    const uint32_t n = 4;
    pv_sim_lock *l = kit_lock_new(kit_lock_id(2), &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 66, n, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, n, NULL, 0, NULL), PV_OK);
    /* one event per visit, 4 h apart: every other visit finds a pending event 4 h old */
    for (unsigned i = 0; i < 2 * (PV_KEY_BATCH_MAX + 3); i++) {
        kit_advance(l, &b, (uint64_t)PV_LOCK_BATCH_MAX_AGE_S * 1000);
        uint64_t now = pv_sim_clock_unix(&b.sim.clock);
        CHECK_EQ(kit_issue_window(&b, &iss, n, now - 60, now + 3600, now - 60), PV_OK);
        CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, NULL), PV_OK);
    }
    CHECK_EQ(pv_key_batch_count(b.sim.key), PV_KEY_BATCH_MAX);
    CHECK_EQ(pv_key_batch_dropped(b.sim.key), 3);
    const uint8_t *batch;
    size_t len;
    CHECK_EQ(pv_key_batch_get(b.sim.key, 0, &batch, &len), PV_OK);
    pv_logbatch lb;
    CHECK_EQ(pv_logbatch_decode(batch, len, &lb), PV_OK);
    pv_key_batch_ack(b.sim.key, 5);
    CHECK_EQ(pv_key_batch_count(b.sim.key), PV_KEY_BATCH_MAX - 5);
    CHECK_EQ(pv_key_batch_dropped(b.sim.key), 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* A CHALLENGE or RESULT that comes later than PV_KEY_SESSION_MS after the HELLO (held up
 * by a relay, say) is refused by the key itself. */
static void test_late_answers(void)
{
    const uint32_t n = 4;
    pv_sim_lock *l = kit_lock_new(kit_lock_id(2), &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 68, n, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, n, NULL, 0, NULL), PV_OK);
    uint8_t m1[PV_HELLO_SIZE], m2[PV_MSG_MAX], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t n2 = 0, n3 = 0, n4 = 0;
    pv_key_confirm(b.sim.key);
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m1), PV_OK);
    CHECK_EQ(pv_lock_handle(l->lock, m1, sizeof m1, m2, sizeof m2, &n2), PV_OK);
    pv_sim_clock_advance(&b.sim.clock, PV_KEY_SESSION_MS + 1);
    CHECK_EQ(pv_key_on_challenge(b.sim.key, m2, n2, m3, sizeof m3, &n3), PV_E_TIMEOUT);
    CHECK_EQ(n3, 0);
    CHECK_EQ(pv_key_get_state(b.sim.key), PV_KEY_READY);
    /* and a RESULT held back */
    kit_advance(l, &b, PV_LOCK_BACKOFF_CAP_MS + 1);
    pv_key_confirm(b.sim.key);
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m1), PV_OK);
    CHECK_EQ(pv_lock_handle(l->lock, m1, sizeof m1, m2, sizeof m2, &n2), PV_OK);
    CHECK_EQ(pv_key_on_challenge(b.sim.key, m2, n2, m3, sizeof m3, &n3), PV_OK);
    CHECK_EQ(pv_lock_handle(l->lock, m3, n3, m4, sizeof m4, &n4), PV_OK);
    pv_sim_clock_advance(&b.sim.clock, PV_KEY_SESSION_MS + 1);
    pv_key_outcome o;
    CHECK_EQ(pv_key_on_result(b.sim.key, m4, n4, &o), PV_E_TIMEOUT);
    pv_key_log_entry e;
    CHECK_EQ(pv_key_log_get(b.sim.key, pv_key_log_count(b.sim.key) - 1, &e), PV_OK);
    CHECK_EQ(e.reason, PV_E_TIMEOUT);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

static void test_sync_signature(void)
{
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 67, 4, 0), PV_OK);
    uint8_t nonce[32], sig[64], msg[17 + 32 + 4];
    randombytes_buf(nonce, sizeof nonce);
    CHECK_EQ(pv_key_sync_sign(b.sim.key, nonce, 67, sig), PV_OK);
    memcpy(msg, "portvakt-sync-v1", 17); /* with its 0x00 */
    memcpy(msg + 17, nonce, 32);
    msg[49] = 67;
    msg[50] = msg[51] = msg[52] = 0;
    CHECK_EQ(crypto_sign_verify_detached(sig, msg, sizeof msg, b.id_pk), 0);
    kit_bearer_free(&b);
}

/* Outside a door's hours, inside a valid credential, the key tells the person which it is:
 * a window still to come is "not yet valid", a window that has ended is "expired". */
static void test_outside_hours(void)
{
    const uint32_t n = 4;
    const uint32_t door = kit_lock_id(n / 2);
    pv_sim_lock *l = kit_lock_new(door, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 65, 2 * n, 0), PV_OK);
    /* the credential runs from KIT_T0 - 1 h; the lock and the key stand at KIT_T0 (minute 60) */
    const struct { uint16_t start, end; int want; } cases[] = {
        {0, 30, PV_E_EXPIRED},        /* the morning window ended half an hour ago */
        {0, 60, PV_E_EXPIRED},        /* ended exactly now: end is exclusive */
        {120, 180, PV_E_NOT_YET_VALID}, /* starts in an hour */
        {0, 30, PV_OK},               /* ended, but a second window covers now: opens */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t m = c == 3 ? 2 * n : n; /* case 3: every door twice, second window 50..70 */
        uint8_t *e = malloc((size_t)m * PV_ENTRY_SIZE);
        CHECK(e != NULL);
        for (uint32_t i = 0; i < m; i++) {
            pv_entry x = {.lock_id = kit_lock_id(c == 3 ? i / 2 : i), .start_min = cases[c].start,
                          .end_min = cases[c].end, .flags = PV_ENTRY_F_APARTMENT};
            if (c == 3 && i % 2) {
                x.start_min = 50;
                x.end_min = 70;
            }
            pv_entry_encode(&x, e + (size_t)i * PV_ENTRY_SIZE);
        }
        pv_cred cr;
        memset(&cr, 0, sizeof cr);
        cr.issuer_id = iss.id;
        cr.serial = 100 + c;
        cr.bearer_id = b.bearer_id;
        cr.entry_count = m;
        cr.issued_at = cr.not_before = KIT_T0 - 3600;
        cr.not_after = KIT_T0 + 12 * 3600;
        memcpy(cr.bearer_pk, b.x_pk, PV_PK_SIZE);
        uint8_t cred[PV_CRED_SIZE];
        CHECK_EQ(pv_merkle_root(e, m, cr.root), PV_OK);
        CHECK_EQ(pv_cred_sign(&cr, iss.sk, cred), PV_OK);
        CHECK_EQ(pv_key_install(b.sim.key, cred, sizeof cred, e, (size_t)m * PV_ENTRY_SIZE,
                                NULL, 0, NULL, 0), PV_OK);
        pv_sim_unlock_stats st;
        CHECK_EQ(pv_sim_unlock(&b.sim, l, 100, &st), cases[c].want);
        free(e);
    }
    CHECK(strcmp(pv_key_reason_text(PV_E_EXPIRED), "expired") == 0);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    kit_issuer_new(&iss, 1);
    test_memory_budget();
    test_proofs();
    test_install_refusals();
    test_local_refusals();
    test_delivery_without_right();
    test_many_rights();
    test_batches();
    test_late_answers();
    test_sync_signature();
    test_issuer_change();
    test_outside_hours();
    if (kit_failures)
        fprintf(stderr, "test_key: %d failures\n", kit_failures);
    return kit_failures != 0;
}
