/* Tests of the unlock exchange (lib/proto/unlock.c): a full key<->lock handshake with
 * both roles driven through the public API, and the refusals that matter for security. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"

typedef struct hs {
    fx_world w;
    pv_session key, lock;
    uint8_t m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t m3_len, m4_len;
    uint8_t siblings[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    uint8_t scratch[PV_MSG_MAX];
    pv_present p_in, p_out;
    pv_challenge ch_key;
    pv_hello hello;
} hs;

static hs *g;

static int setup(void **state)
{
    g = calloc(1, sizeof *g);
    assert_non_null(g);
    assert_int_equal(fx_world_init(&g->w, 13), 0);
    *state = g;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* M1, M2 and M3 for the right at `index`, with the key's static secret `x_sk`. */
static void run_to_m3(hs *h, uint32_t index, const uint8_t x_sk[32])
{
    uint8_t r1[32], r2[32];
    memset(r1, 0xA1, 32);
    memset(r2, 0xB2, 32);
    assert_int_equal(pv_key_hs_start(&h->key, 7, r1, h->m1), PV_OK);
    assert_int_equal(pv_lock_hs_hello(&h->lock, h->m1, sizeof h->m1, &h->hello), PV_OK);
    assert_int_equal(h->hello.issuer_id, 7);
    pv_challenge ch = {.lock_id = 1000 + 10 * index, .lock_time = 1700000100,
                       .revlist_version = 3, .beacon_time = 1699990000};
    memset(ch.nonce, 0x5C, sizeof ch.nonce);
    assert_int_equal(pv_lock_hs_challenge(&h->lock, &ch, r2, h->m2), PV_OK);
    assert_int_equal(pv_key_hs_challenge(&h->key, h->m2, sizeof h->m2, &h->ch_key,
                                         x_sk), PV_OK);
    assert_int_equal(h->ch_key.lock_id, ch.lock_id);
    assert_memory_equal(h->key.k1, h->lock.k1, 32);
    unsigned ns = 0;
    assert_int_equal(pv_merkle_prove(h->w.entries, h->w.n, index, h->siblings, &ns), PV_OK);
    h->p_in = (pv_present){.cred = h->w.cred_bytes,
                           .entry = h->w.entries + index * PV_ENTRY_SIZE,
                           .leaf_index = index,
                           .nsiblings = (uint8_t)ns,
                           .siblings = &h->siblings[0][0]};
    assert_int_equal(pv_key_hs_present(&h->key, &h->p_in, h->m3, sizeof h->m3, &h->m3_len),
                     PV_OK);
}

/* The lock's side of M3: open, check everything the lock core would, prove possession. */
static int lock_checks(hs *h)
{
    int rc = pv_lock_hs_open(&h->lock, h->m3, h->m3_len, h->scratch, sizeof h->scratch,
                             &h->p_out);
    if (rc != PV_OK)
        return rc;
    pv_cred c;
    if ((rc = pv_cred_decode(h->p_out.cred, PV_CRED_SIZE, &c)) != PV_OK)
        return rc;
    if ((rc = pv_cred_verify(h->p_out.cred, h->w.issuer_pk)) != PV_OK)
        return rc;
    if ((rc = pv_merkle_verify(h->p_out.entry, h->p_out.leaf_index, c.entry_count,
                               (const uint8_t(*)[PV_HASH_SIZE])h->p_out.siblings,
                               h->p_out.nsiblings, c.root)) != PV_OK)
        return rc;
    return pv_lock_hs_possession(&h->lock, h->m3, h->m3_len, c.bearer_pk);
}

static void test_handshake_ok(void **state)
{
    hs *h = *state;
    run_to_m3(h, 5, h->w.bearer_x_sk);
    assert_int_equal(lock_checks(h), PV_OK);
    assert_memory_equal(h->p_out.entry, h->p_in.entry, PV_ENTRY_SIZE);
    assert_int_equal(h->p_out.leaf_index, 5);
    assert_memory_equal(h->key.k2, h->lock.k2, 32);
    pv_result r = {.status = PV_OK, .lock_time = 1700000101, .battery_mv = 3012,
                   .flags = PV_RESULT_F_CLOCK_SET};
    assert_int_equal(pv_lock_hs_result(&h->lock, &r, h->m4, sizeof h->m4, &h->m4_len), PV_OK);
    assert_int_equal(h->m4[2], 2); /* sealed under k2 */
    pv_result got;
    assert_int_equal(pv_key_hs_result(&h->key, h->m4, h->m4_len, h->scratch,
                                      sizeof h->scratch, &got), PV_OK);
    assert_int_equal(got.status, PV_OK);
    assert_int_equal(got.lock_time, 1700000101);
    assert_int_equal(got.battery_mv, 3012);
    assert_int_equal(got.flags, PV_RESULT_F_CLOCK_SET);
    assert_null(got.batch);
    /* a second result would reuse (k2, nonce 2): refused */
    assert_int_equal(pv_lock_hs_result(&h->lock, &r, h->m4, sizeof h->m4, &h->m4_len),
                     PV_E_STATE);
    pv_session_wipe(&h->key);
    pv_session_wipe(&h->lock);
}

static void test_wrong_bearer_key(void **state)
{
    hs *h = *state;
    uint8_t pk[32], sk[64], xsk[32], xpk[32];
    fx_seed_keypair(0x99, pk, sk);
    assert_int_equal(pv_bearer_x_keys(sk, xsk, xpk), PV_OK);
    run_to_m3(h, 0, xsk); /* a copied credential with another key's secret */
    assert_int_equal(lock_checks(h), PV_E_POSSESSION);
    /* the lock may still refuse under k1, and never report an open */
    pv_result r = {.status = PV_OK};
    assert_int_equal(pv_lock_hs_result(&h->lock, &r, h->m4, sizeof h->m4, &h->m4_len),
                     PV_E_STATE);
    r.status = PV_E_POSSESSION;
    assert_int_equal(pv_lock_hs_result(&h->lock, &r, h->m4, sizeof h->m4, &h->m4_len), PV_OK);
    assert_int_equal(h->m4[2], 1);
    pv_result got;
    assert_int_equal(pv_key_hs_result(&h->key, h->m4, h->m4_len, h->scratch,
                                      sizeof h->scratch, &got), PV_OK);
    assert_int_equal(got.status, PV_E_POSSESSION);
}

static void test_tampered_m3(void **state)
{
    hs *h = *state;
    for (size_t pos = 4; pos < 200; pos += 37) {
        run_to_m3(h, 1, h->w.bearer_x_sk);
        h->m3[pos] ^= 0x01;
        assert_int_equal(lock_checks(h), PV_E_DECRYPT);
    }
    /* a flipped possession tag passes open but fails possession */
    run_to_m3(h, 1, h->w.bearer_x_sk);
    h->m3[h->m3_len - 1] ^= 0x80;
    assert_int_equal(lock_checks(h), PV_E_POSSESSION);
}

/* A k1-sealed RESULT claiming PV_OK (a lock, or anyone knowing k1, skipping the
 * possession check) is refused by the key. */
static void test_k1_ok_refused_by_key(void **state)
{
    hs *h = *state;
    run_to_m3(h, 2, h->w.bearer_x_sk);
    uint8_t inner[14] = {0};
    inner[0] = 0; /* status PV_OK */
    memcpy(h->m4, (const uint8_t[]){1, PV_T_RESULT, 1, 0, 30, 0}, 6);
    uint8_t n[24] = {0};
    n[23] = 2;
    crypto_aead_xchacha20poly1305_ietf_encrypt(h->m4 + 6, NULL, inner, sizeof inner,
                                               h->key.h, 32, NULL, n, h->key.k1);
    pv_result got;
    assert_int_equal(pv_key_hs_result(&h->key, h->m4, 36, h->scratch, sizeof h->scratch,
                                      &got), PV_E_STATE);
}

/* The lock's log (who came when) goes only to a proven bearer: the lock refuses to seal
 * a batch under k1, and the key refuses a k1-sealed RESULT that carries one. */
static void test_k1_batch_refused(void **state)
{
    hs *h = *state;
    run_to_m3(h, 2, h->w.bearer_x_sk);
    assert_int_equal(pv_lock_hs_open(&h->lock, h->m3, h->m3_len, h->scratch, sizeof h->scratch,
                                     &h->p_out), PV_OK);
    static const uint8_t batch[PV_LOGBATCH_HDR_SIZE + PV_EVENT_SIZE + PV_SIG_SIZE] = {1, 5, 1};
    pv_result r = {.status = PV_E_EXPIRED, .batch = batch, .batch_len = sizeof batch};
    assert_int_equal(pv_lock_hs_result(&h->lock, &r, h->m4, sizeof h->m4, &h->m4_len),
                     PV_E_STATE);
    /* the key side: a k1-sealed refusal with a batch in it */
    uint8_t inner[14 + sizeof batch] = {0};
    inner[0] = (uint8_t)(int8_t)PV_E_EXPIRED;
    inner[12] = (uint8_t)sizeof batch;
    memcpy(inner + 14, batch, sizeof batch);
    size_t sl = sizeof inner + 16;
    memcpy(h->m4, (const uint8_t[]){1, PV_T_RESULT, 1, 0, (uint8_t)sl, (uint8_t)(sl >> 8)}, 6);
    uint8_t n[24] = {0};
    n[23] = 2;
    crypto_aead_xchacha20poly1305_ietf_encrypt(h->m4 + 6, NULL, inner, sizeof inner,
                                               h->key.h, 32, NULL, n, h->key.k1);
    pv_result got;
    assert_int_equal(pv_key_hs_result(&h->key, h->m4, 6 + sl, h->scratch, sizeof h->scratch,
                                      &got), PV_E_STATE);
    /* without the batch the same refusal is accepted */
    inner[12] = 0;
    sl = 14 + 16;
    memcpy(h->m4, (const uint8_t[]){1, PV_T_RESULT, 1, 0, (uint8_t)sl, 0}, 6);
    crypto_aead_xchacha20poly1305_ietf_encrypt(h->m4 + 6, NULL, inner, 14, h->key.h, 32, NULL,
                                               n, h->key.k1);
    assert_int_equal(pv_key_hs_result(&h->key, h->m4, 6 + sl, h->scratch, sizeof h->scratch,
                                      &got), PV_OK);
    assert_int_equal(got.status, PV_E_EXPIRED);
}

static void test_out_of_order(void **state)
{
    hs *h = *state;
    pv_session s;
    pv_session_wipe(&s);
    pv_challenge ch;
    uint8_t m[PV_MSG_MAX];
    size_t len;
    pv_present p;
    assert_int_equal(pv_key_hs_challenge(&s, h->m2, sizeof h->m2, &ch, h->w.bearer_x_sk),
                     PV_E_STATE);
    assert_int_equal(pv_lock_hs_open(&s, m, 100, m, sizeof m, &p), PV_E_STATE);
    run_to_m3(h, 3, h->w.bearer_x_sk);
    /* presenting twice would reuse (k1, nonce 0) */
    assert_int_equal(pv_key_hs_present(&h->key, &h->p_in, m, sizeof m, &len), PV_E_STATE);
    /* possession before open */
    assert_int_equal(pv_lock_hs_possession(&h->lock, h->m3, h->m3_len, h->w.bearer_x_pk),
                     PV_E_STATE);
}

/* The lock's static X25519 key (pv_lock_hs_challenge_static): the full exchange works,
 * and the challenge nonce alone makes the keys fresh even for a repeated M1. */
static void test_static_lock_key(void **state)
{
    hs *h = *state;
    uint8_t lx_sk[32], lx_pk[32], k1_first[32] = {0}, r1[32];
    assert_int_equal(pv_bearer_x_keys(h->w.lock_sk, lx_sk, lx_pk), PV_OK);
    memset(r1, 0xA1, 32);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(pv_key_hs_start(&h->key, 7, r1, h->m1), PV_OK); /* same eK */
        assert_int_equal(pv_lock_hs_hello(&h->lock, h->m1, sizeof h->m1, &h->hello), PV_OK);
        pv_challenge ch = {.lock_id = 1000 + 10 * 4, .lock_time = 1700000100};
        memset(ch.nonce, 0x10 + round, sizeof ch.nonce);
        assert_int_equal(pv_lock_hs_challenge_static(&h->lock, &ch, lx_sk, lx_pk, h->m2), PV_OK);
        assert_memory_equal(h->m2 + 48, lx_pk, 32);
        assert_int_equal(pv_key_hs_challenge(&h->key, h->m2, sizeof h->m2, &h->ch_key,
                                             h->w.bearer_x_sk), PV_OK);
        assert_memory_equal(h->key.k1, h->lock.k1, 32);
        if (round == 0)
            memcpy(k1_first, h->key.k1, 32);
        else
            assert_memory_not_equal(k1_first, h->key.k1, 32);
        unsigned ns = 0;
        assert_int_equal(pv_merkle_prove(h->w.entries, h->w.n, 4, h->siblings, &ns), PV_OK);
        h->p_in = (pv_present){.cred = h->w.cred_bytes, .entry = h->w.entries + 4 * PV_ENTRY_SIZE,
                               .leaf_index = 4, .nsiblings = (uint8_t)ns,
                               .siblings = &h->siblings[0][0]};
        assert_int_equal(pv_key_hs_present(&h->key, &h->p_in, h->m3, sizeof h->m3, &h->m3_len),
                         PV_OK);
        assert_int_equal(lock_checks(h), PV_OK);
        pv_result r = {.status = PV_OK};
        pv_result got;
        assert_int_equal(pv_lock_hs_result(&h->lock, &r, h->m4, sizeof h->m4, &h->m4_len), PV_OK);
        assert_int_equal(pv_key_hs_result(&h->key, h->m4, h->m4_len, h->scratch,
                                          sizeof h->scratch, &got), PV_OK);
        assert_int_equal(got.status, PV_OK);
    }
    /* a recorded M3 replayed into a new session (new nonce) does not open */
    uint8_t old_m3[PV_MSG_MAX];
    size_t old_len = h->m3_len;
    memcpy(old_m3, h->m3, old_len);
    assert_int_equal(pv_lock_hs_hello(&h->lock, h->m1, sizeof h->m1, &h->hello), PV_OK);
    pv_challenge ch = {.lock_id = 1040};
    memset(ch.nonce, 0x77, sizeof ch.nonce);
    assert_int_equal(pv_lock_hs_challenge_static(&h->lock, &ch, lx_sk, lx_pk, h->m2), PV_OK);
    assert_int_equal(pv_lock_hs_open(&h->lock, old_m3, old_len, h->scratch, sizeof h->scratch,
                                     &h->p_out), PV_E_DECRYPT);
    sodium_memzero(lx_sk, sizeof lx_sk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_ok),
        cmocka_unit_test(test_wrong_bearer_key),
        cmocka_unit_test(test_tampered_m3),
        cmocka_unit_test(test_k1_ok_refused_by_key),
        cmocka_unit_test(test_k1_batch_refused),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_static_lock_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
