/* Tests of the unlock exchange's message codecs (lib/proto/unlock.c, unlock_inner.c):
 * M1/M2 layout and refusals, the sealed inner payloads, M3/M4 framing refusals, optional
 * revocation list, beacon and log batch carried through a handshake, message sizes for
 * 4,000 and 65,536 rights, and refusal of low-order X25519 points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fixture.h"
#include "unlock_inner.h"

static fx_world W;

static void test_hello_codec(void **state)
{
    (void)state;
    pv_hello m = {.issuer_id = 0x0A0B0C0D};
    memset(m.e_pk, 0xE7, 32);
    uint8_t b[PV_HELLO_SIZE + 1] = {0};
    assert_int_equal(pv_hello_encode(&m, b), PV_OK);
    assert_int_equal(b[0], 1);
    assert_int_equal(b[1], PV_T_HELLO);
    assert_int_equal(b[4], 0x0D);
    assert_int_equal(b[8], 0xE7);
    pv_hello d;
    assert_int_equal(pv_hello_decode(b, PV_HELLO_SIZE, &d), PV_OK);
    assert_int_equal(d.issuer_id, m.issuer_id);
    assert_memory_equal(d.e_pk, m.e_pk, 32);
    assert_int_equal(pv_hello_decode(b, PV_HELLO_SIZE + 1, &d), PV_E_LENGTH);
    assert_int_equal(pv_hello_decode(b, PV_HELLO_SIZE - 1, &d), PV_E_TRUNCATED);
    assert_int_equal(pv_hello_decode(b, 1, &d), PV_E_TRUNCATED);
    b[2] = 1;
    assert_int_equal(pv_hello_decode(b, PV_HELLO_SIZE, &d), PV_E_RESERVED);
    b[1] = PV_T_CHALLENGE;
    assert_int_equal(pv_hello_decode(b, PV_HELLO_SIZE, &d), PV_E_TYPE);
    b[0] = 0;
    assert_int_equal(pv_hello_decode(b, PV_HELLO_SIZE, &d), PV_E_VERSION);
}

static void test_challenge_codec(void **state)
{
    (void)state;
    pv_challenge m = {.lock_id = 0x11223344, .lock_time = 0x0102030405060708ull,
                      .revlist_version = 77, .beacon_time = 88};
    memset(m.nonce, 0x4E, sizeof m.nonce);
    memset(m.e_pk, 0x9F, sizeof m.e_pk);
    uint8_t b[PV_CHALLENGE_SIZE + 1] = {0};
    assert_int_equal(pv_challenge_encode(&m, b), PV_OK);
    assert_int_equal(b[1], PV_T_CHALLENGE);
    assert_int_equal(b[4], 0x44);
    assert_int_equal(b[8], 0x08);
    assert_int_equal(b[16], 77);
    assert_int_equal(b[24], 88);
    assert_int_equal(b[32], 0x4E);
    assert_int_equal(b[48], 0x9F);
    pv_challenge d;
    assert_int_equal(pv_challenge_decode(b, PV_CHALLENGE_SIZE, &d), PV_OK);
    assert_int_equal(d.lock_id, m.lock_id);
    assert_true(d.lock_time == m.lock_time);
    assert_int_equal(d.revlist_version, 77);
    assert_int_equal(d.beacon_time, 88);
    assert_memory_equal(d.nonce, m.nonce, 16);
    assert_memory_equal(d.e_pk, m.e_pk, 32);
    assert_int_equal(pv_challenge_decode(b, PV_CHALLENGE_SIZE + 1, &d), PV_E_LENGTH);
    assert_int_equal(pv_challenge_decode(b, PV_CHALLENGE_SIZE - 1, &d), PV_E_TRUNCATED);
    b[3] = 1;
    assert_int_equal(pv_challenge_decode(b, PV_CHALLENGE_SIZE, &d), PV_E_RESERVED);
    b[1] = PV_T_HELLO;
    assert_int_equal(pv_challenge_decode(b, PV_CHALLENGE_SIZE, &d), PV_E_TYPE);
}

static void test_present_inner(void **state)
{
    (void)state;
    uint8_t sib[3][32], rl[100], bc[PV_BEACON_SIZE], out[PV_MSG_MAX];
    memset(sib, 0x51, sizeof sib);
    memset(rl, 0x52, sizeof rl);
    memset(bc, 0x53, sizeof bc);
    pv_present p = {.cred = W.cred_bytes, .entry = W.entries, .leaf_index = 2, .nsiblings = 3,
                    .siblings = &sib[0][0], .revlist = rl, .revlist_len = 100, .beacon = bc};
    size_t len;
    assert_int_equal(pv_present_inner_encode(&p, out, sizeof out, &len), PV_OK);
    assert_int_equal(len, PV_PRESENT_INNER_FIXED + 96 + 100 + 80);
    pv_present d;
    assert_int_equal(pv_present_inner_decode(out, len, &d), PV_OK);
    assert_memory_equal(d.cred, W.cred_bytes, PV_CRED_SIZE);
    assert_int_equal(d.leaf_index, 2);
    assert_int_equal(d.nsiblings, 3);
    assert_memory_equal(d.siblings, sib, 96);
    assert_int_equal(d.revlist_len, 100);
    assert_memory_equal(d.revlist, rl, 100);
    assert_memory_equal(d.beacon, bc, 80);
    for (size_t l = 0; l < len; l++)
        assert_int_equal(pv_present_inner_decode(out, l, &d), PV_E_TRUNCATED);
    out[len] = 0;
    assert_int_equal(pv_present_inner_decode(out, len + 1, &d), PV_E_LENGTH);
    assert_int_equal(pv_present_inner_encode(&p, out, len - 1, &len), PV_E_BUFSIZE);
    /* field ranges */
    size_t off_ns = PV_CRED_SIZE + PV_ENTRY_SIZE + 4;
    p.revlist = NULL;
    p.beacon = NULL;
    p.nsiblings = 0;
    assert_int_equal(pv_present_inner_encode(&p, out, sizeof out, &len), PV_OK);
    assert_int_equal(len, PV_PRESENT_INNER_FIXED);
    assert_int_equal(pv_present_inner_decode(out, len, &d), PV_OK);
    assert_null(d.revlist);
    assert_null(d.beacon);
    assert_null(d.siblings);
    out[off_ns] = PV_MERKLE_MAX_DEPTH + 1;
    assert_int_equal(pv_present_inner_decode(out, len, &d), PV_E_RANGE);
    out[off_ns] = 0;
    out[len - 1] = 79; /* beacon length other than 0 or 80 */
    assert_int_equal(pv_present_inner_decode(out, len, &d), PV_E_RANGE);
    out[len - 1] = 0;
    out[len - 3] = (uint8_t)(PV_REVLIST_MAX_SIZE + 1);
    out[len - 2] = (uint8_t)((PV_REVLIST_MAX_SIZE + 1) >> 8);
    assert_int_equal(pv_present_inner_decode(out, len, &d), PV_E_RANGE);
    p.nsiblings = PV_MERKLE_MAX_DEPTH + 1;
    assert_int_equal(pv_present_inner_encode(&p, out, sizeof out, &len), PV_E_RANGE);
    p.nsiblings = 0;
    p.revlist = rl;
    p.revlist_len = PV_REVLIST_MAX_SIZE + 1;
    assert_int_equal(pv_present_inner_encode(&p, out, sizeof out, &len), PV_E_RANGE);
}

static void test_result_inner(void **state)
{
    (void)state;
    uint8_t batch[50], out[PV_MSG_MAX];
    memset(batch, 0x61, sizeof batch);
    pv_result r = {.status = PV_E_EXPIRED, .lock_time = 0x0102030405060708ull,
                   .battery_mv = 2900, .flags = PV_RESULT_F_LOW_BATTERY, .batch = batch,
                   .batch_len = sizeof batch};
    size_t len;
    assert_int_equal(pv_result_inner_encode(&r, out, sizeof out, &len), PV_OK);
    assert_int_equal(len, PV_RESULT_INNER_FIXED + 50);
    assert_int_equal((int8_t)out[0], PV_E_EXPIRED);
    pv_result d;
    assert_int_equal(pv_result_inner_decode(out, len, &d), PV_OK);
    assert_int_equal(d.status, PV_E_EXPIRED);
    assert_true(d.lock_time == r.lock_time);
    assert_int_equal(d.battery_mv, 2900);
    assert_int_equal(d.flags, PV_RESULT_F_LOW_BATTERY);
    assert_int_equal(d.batch_len, 50);
    assert_memory_equal(d.batch, batch, 50);
    for (size_t l = 0; l < len; l++)
        assert_int_equal(pv_result_inner_decode(out, l, &d), PV_E_TRUNCATED);
    assert_int_equal(pv_result_inner_decode(out, len + 0, &d), PV_OK);
    out[len] = 0;
    assert_int_equal(pv_result_inner_decode(out, len + 1, &d), PV_E_LENGTH);
    out[0] = 1; /* positive status */
    assert_int_equal(pv_result_inner_decode(out, len, &d), PV_E_RANGE);
    out[0] = (uint8_t)(int8_t)PV_E__COUNT;
    assert_int_equal(pv_result_inner_decode(out, len, &d), PV_E_RANGE);
    out[0] = (uint8_t)(int8_t)PV_E_EXPIRED;
    out[11] = 0x80; /* unknown flag */
    assert_int_equal(pv_result_inner_decode(out, len, &d), PV_E_RESERVED);
    out[11] = 0;
    out[12] = (uint8_t)(PV_LOGBATCH_MAX_SIZE + 1);
    out[13] = (uint8_t)((PV_LOGBATCH_MAX_SIZE + 1) >> 8);
    assert_int_equal(pv_result_inner_decode(out, len, &d), PV_E_RANGE);
    r.flags = 0x10;
    assert_int_equal(pv_result_inner_encode(&r, out, sizeof out, &len), PV_E_RESERVED);
    r.flags = 0;
    r.status = 3;
    assert_int_equal(pv_result_inner_encode(&r, out, sizeof out, &len), PV_E_RANGE);
    r.status = PV_OK;
    r.batch_len = PV_LOGBATCH_MAX_SIZE + 1;
    assert_int_equal(pv_result_inner_encode(&r, out, sizeof out, &len), PV_E_RANGE);
}

/* Run a full exchange over `n` generated entries with optional extras; return sizes. */
typedef struct sizes {
    size_t m1, m2, m3, m4;
} sizes;

static sizes run_exchange(uint32_t n, uint32_t index, const uint8_t *rl, uint16_t rl_len,
                          const uint8_t *bc, const uint8_t *batch, uint16_t batch_len)
{
    uint8_t *entries = malloc((size_t)n * PV_ENTRY_SIZE);
    assert_non_null(entries);
    for (uint32_t i = 0; i < n; i++) {
        pv_entry e = {.lock_id = 5000 + i, .start_min = 0, .end_min = 900, .flags = 1};
        pv_entry_encode(&e, entries + (size_t)i * PV_ENTRY_SIZE);
    }
    pv_cred c = W.cred;
    c.entry_count = n;
    assert_int_equal(pv_merkle_root(entries, n, c.root), PV_OK);
    uint8_t cred[PV_CRED_SIZE], sib[PV_MERKLE_MAX_DEPTH][32];
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, cred), PV_OK);
    unsigned ns;
    assert_int_equal(pv_merkle_prove(entries, n, index, sib, &ns), PV_OK);
    static uint8_t m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE], m3[PV_MSG_MAX], m4[PV_MSG_MAX],
        scratch[PV_MSG_MAX];
    uint8_t r1[32], r2[32];
    memset(r1, 1, 32);
    memset(r2, 2, 32);
    pv_session k, l;
    pv_hello h;
    pv_challenge ch = {.lock_id = 5000 + index}, chk;
    assert_int_equal(pv_key_hs_start(&k, 7, r1, m1), PV_OK);
    assert_int_equal(pv_lock_hs_hello(&l, m1, sizeof m1, &h), PV_OK);
    assert_int_equal(pv_lock_hs_challenge(&l, &ch, r2, m2), PV_OK);
    assert_int_equal(pv_key_hs_challenge(&k, m2, sizeof m2, &chk, W.bearer_x_sk), PV_OK);
    pv_present p = {.cred = cred, .entry = entries + (size_t)index * PV_ENTRY_SIZE,
                    .leaf_index = index, .nsiblings = (uint8_t)ns, .siblings = &sib[0][0],
                    .revlist = rl, .revlist_len = rl_len, .beacon = bc}, got;
    sizes s = {PV_HELLO_SIZE, PV_CHALLENGE_SIZE, 0, 0};
    assert_int_equal(pv_key_hs_present(&k, &p, m3, sizeof m3, &s.m3), PV_OK);
    assert_int_equal(pv_lock_hs_open(&l, m3, s.m3, scratch, sizeof scratch, &got), PV_OK);
    pv_cred gc;
    assert_int_equal(pv_cred_decode(got.cred, PV_CRED_SIZE, &gc), PV_OK);
    assert_int_equal(pv_merkle_verify(got.entry, got.leaf_index, gc.entry_count,
                                      (const uint8_t(*)[32])got.siblings, got.nsiblings,
                                      gc.root), PV_OK);
    assert_int_equal(got.revlist_len, rl ? rl_len : 0);
    if (rl)
        assert_memory_equal(got.revlist, rl, rl_len);
    if (bc)
        assert_memory_equal(got.beacon, bc, PV_BEACON_SIZE);
    else
        assert_null(got.beacon);
    assert_int_equal(pv_lock_hs_possession(&l, m3, s.m3, gc.bearer_pk), PV_OK);
    pv_result r = {.status = PV_OK, .lock_time = 1, .battery_mv = 3000, .batch = batch,
                   .batch_len = batch_len}, rr;
    assert_int_equal(pv_lock_hs_result(&l, &r, m4, sizeof m4, &s.m4), PV_OK);
    assert_int_equal(pv_key_hs_result(&k, m4, s.m4, scratch, sizeof scratch, &rr), PV_OK);
    assert_int_equal(rr.status, PV_OK);
    assert_int_equal(rr.batch_len, batch ? batch_len : 0);
    if (batch)
        assert_memory_equal(rr.batch, batch, batch_len);
    pv_session_wipe(&k);
    pv_session_wipe(&l);
    free(entries);
    return s;
}

static void test_sizes(void **state)
{
    (void)state;
    const size_t m3_base = 4 + 16 + 16 + PV_PRESENT_INNER_FIXED; /* no proof, no extras */
    sizes s = run_exchange(4000, 1234, NULL, 0, NULL, NULL, 0);
    assert_int_equal(s.m3, m3_base + 12 * 32);
    assert_int_equal(s.m4, 6 + 16 + PV_RESULT_INNER_FIXED);
    print_message("sizes 4000 rights: M1 %zu M2 %zu M3 %zu M4 %zu\n", s.m1, s.m2, s.m3, s.m4);
    s = run_exchange(65536, 40000, NULL, 0, NULL, NULL, 0);
    assert_int_equal(s.m3, m3_base + 16 * 32);
    print_message("sizes 65536 rights: M1 %zu M2 %zu M3 %zu M4 %zu\n", s.m1, s.m2, s.m3, s.m4);
    /* worst case: 2^20 rights, the largest list, a beacon and the largest batch */
    static uint8_t rl[PV_REVLIST_MAX_SIZE], batch[PV_LOGBATCH_MAX_SIZE];
    pv_revoked e[PV_REVLIST_MAX];
    for (unsigned i = 0; i < PV_REVLIST_MAX; i++)
        e[i] = (pv_revoked){.bearer_id = i + 1, .revoked_at = 5};
    size_t rl_len, batch_len;
    assert_int_equal(pv_revlist_sign(7, 1, 1, e, PV_REVLIST_MAX, W.issuer_sk, rl, sizeof rl,
                                     &rl_len), PV_OK);
    pv_event evs[PV_LOG_BATCH_MAX];
    for (unsigned i = 0; i < PV_LOG_BATCH_MAX; i++)
        evs[i] = (pv_event){.seq = i, .time = 1, .kind = PV_EV_OPEN, .subject = 17};
    uint8_t prev[32] = {0}, bc[PV_BEACON_SIZE];
    assert_int_equal(pv_logbatch_sign(9, prev, evs, PV_LOG_BATCH_MAX, W.lock_sk, batch,
                                      sizeof batch, &batch_len), PV_OK);
    pv_beacon b = {.issuer_id = 7, .time = 1700000000};
    assert_int_equal(pv_beacon_sign(&b, W.issuer_sk, bc), PV_OK);
    s = run_exchange(4000, 3999, rl, (uint16_t)rl_len, bc, batch, (uint16_t)batch_len);
    print_message("sizes worst (4000 rights, full revlist, beacon, full batch): M3 %zu M4 %zu\n",
                  s.m3, s.m4);
    assert_true(s.m3 <= PV_MSG_MAX);
    assert_true(s.m4 < 1024 + 64);
}

/* Every low-order point: the exchange must refuse rather than derive a known key. */
static void test_low_order_points(void **state)
{
    (void)state;
    static const uint8_t zero[32] = {0};
    uint8_t one[32] = {1};
    const uint8_t *bad[] = {zero, one};
    for (size_t i = 0; i < 2; i++) {
        pv_session l, k;
        uint8_t m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE], r[32];
        memset(r, 3, 32);
        pv_hello hm = {.issuer_id = 7};
        memcpy(hm.e_pk, bad[i], 32);
        assert_int_equal(pv_hello_encode(&hm, m1), PV_OK);
        pv_hello h;
        assert_int_equal(pv_lock_hs_hello(&l, m1, sizeof m1, &h), PV_OK);
        pv_challenge ch = {.lock_id = 1};
        assert_int_equal(pv_lock_hs_challenge(&l, &ch, r, m2), PV_E_CRYPTO);
        /* key side: a challenge carrying a low-order lock key */
        assert_int_equal(pv_key_hs_start(&k, 7, r, m1), PV_OK);
        memcpy(ch.e_pk, bad[i], 32);
        assert_int_equal(pv_challenge_encode(&ch, m2), PV_OK);
        assert_int_equal(pv_key_hs_challenge(&k, m2, sizeof m2, &ch, W.bearer_x_sk),
                         PV_E_CRYPTO);
        uint8_t k1zero[32] = {0};
        assert_memory_equal(k.k1, k1zero, 32); /* session wiped */
    }
}

/* M3 and M4 framing refusals, before any decryption. */
static void test_framing(void **state)
{
    (void)state;
    pv_session l, k;
    uint8_t m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE], r[32], m[PV_MSG_MAX + 4] = {0},
        scratch[PV_MSG_MAX];
    memset(r, 4, 32);
    pv_hello h;
    pv_challenge ch = {.lock_id = 1}, chk;
    assert_int_equal(pv_key_hs_start(&k, 7, r, m1), PV_OK);
    assert_int_equal(pv_lock_hs_hello(&l, m1, sizeof m1, &h), PV_OK);
    assert_int_equal(pv_lock_hs_challenge(&l, &ch, r, m2), PV_OK);
    pv_present p;
    m[0] = 1;
    m[1] = PV_T_PRESENT;
    m[2] = 100;
    assert_int_equal(pv_lock_hs_open(&l, m, 3, scratch, sizeof scratch, &p), PV_E_TRUNCATED);
    assert_int_equal(pv_lock_hs_open(&l, m, 4 + 100 + 15, scratch, sizeof scratch, &p),
                     PV_E_TRUNCATED);
    assert_int_equal(pv_lock_hs_open(&l, m, 4 + 100 + 17, scratch, sizeof scratch, &p),
                     PV_E_LENGTH);
    assert_int_equal(pv_lock_hs_open(&l, m, 4 + 100 + 16, scratch, 83, &p), PV_E_BUFSIZE);
    m[2] = 15; /* sealed part shorter than its tag */
    assert_int_equal(pv_lock_hs_open(&l, m, 4 + 15 + 16, scratch, sizeof scratch, &p), PV_E_RANGE);
    m[2] = 0xFF;
    m[3] = 0x0B; /* beyond PV_MSG_MAX */
    assert_int_equal(pv_lock_hs_open(&l, m, 4 + 0xBFF + 16, scratch, sizeof scratch, &p),
                     PV_E_RANGE);
    m[1] = PV_T_RESULT;
    assert_int_equal(pv_lock_hs_open(&l, m, 100, scratch, sizeof scratch, &p), PV_E_TYPE);
    m[1] = PV_T_PRESENT;
    m[2] = 100;
    m[3] = 0;
    assert_int_equal(pv_lock_hs_open(&l, m, 120, scratch, sizeof scratch, &p), PV_E_DECRYPT);
    /* after a failed open the lock may only refuse, once */
    assert_int_equal(pv_lock_hs_open(&l, m, 120, scratch, sizeof scratch, &p), PV_E_STATE);
    /* key side M4 framing */
    assert_int_equal(pv_key_hs_challenge(&k, m2, sizeof m2, &chk, W.bearer_x_sk), PV_OK);
    uint8_t e[1] = {0};
    pv_present pp = {.cred = W.cred_bytes, .entry = e};
    size_t m3_len;
    pp.entry = W.entries;
    assert_int_equal(pv_key_hs_present(&k, &pp, m, 100, &m3_len), PV_E_BUFSIZE);
    assert_int_equal(pv_key_hs_present(&k, &pp, m, sizeof m, &m3_len), PV_OK);
    pv_result res;
    uint8_t m4[64] = {1, PV_T_RESULT, 2, 0, 30, 0};
    assert_int_equal(pv_key_hs_result(&k, m4, 5, scratch, sizeof scratch, &res), PV_E_TRUNCATED);
    assert_int_equal(pv_key_hs_result(&k, m4, 35, scratch, sizeof scratch, &res), PV_E_TRUNCATED);
    assert_int_equal(pv_key_hs_result(&k, m4, 37, scratch, sizeof scratch, &res), PV_E_LENGTH);
    assert_int_equal(pv_key_hs_result(&k, m4, 36, scratch, 13, &res), PV_E_BUFSIZE);
    assert_int_equal(pv_key_hs_result(&k, m4, 36, scratch, sizeof scratch, &res), PV_E_DECRYPT);
    m4[2] = 3;
    assert_int_equal(pv_key_hs_result(&k, m4, 36, scratch, sizeof scratch, &res), PV_E_RANGE);
    m4[2] = 1;
    m4[3] = 1;
    assert_int_equal(pv_key_hs_result(&k, m4, 36, scratch, sizeof scratch, &res), PV_E_RESERVED);
    m4[3] = 0;
    m4[4] = 15;
    assert_int_equal(pv_key_hs_result(&k, m4, 21, scratch, sizeof scratch, &res), PV_E_RANGE);
    m4[1] = PV_T_PRESENT;
    assert_int_equal(pv_key_hs_result(&k, m4, 36, scratch, sizeof scratch, &res), PV_E_TYPE);
}

int main(void)
{
    if (fx_world_init(&W, 8) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_codec),
        cmocka_unit_test(test_challenge_codec),
        cmocka_unit_test(test_present_inner),
        cmocka_unit_test(test_result_inner),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_low_order_points),
        cmocka_unit_test(test_framing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
