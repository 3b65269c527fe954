/* Tests of the credential (lib/proto/cred.c): layout, round trip, every decode refusal,
 * signing refusals and signature checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"

static fx_world W;

static void test_round_trip_layout(void **state)
{
    (void)state;
    const uint8_t *b = W.cred_bytes;
    assert_int_equal(b[0], PV_PROTO_VERSION);
    assert_int_equal(b[1], PV_T_CREDENTIAL);
    assert_int_equal(b[2] | b[3], 0);
    assert_int_equal(b[4], 7);       /* issuer_id */
    assert_int_equal(b[8], 42);      /* serial */
    assert_int_equal(b[16], 17);     /* bearer_id */
    assert_int_equal(b[20], W.n);    /* entry_count */
    assert_memory_equal(b + 48, W.bearer_x_pk, 32);
    assert_memory_equal(b + 80, W.cred.root, 32);
    pv_cred c;
    assert_int_equal(pv_cred_decode(b, PV_CRED_SIZE, &c), PV_OK);
    assert_int_equal(c.issuer_id, W.cred.issuer_id);
    assert_int_equal(c.serial, W.cred.serial);
    assert_int_equal(c.bearer_id, W.cred.bearer_id);
    assert_int_equal(c.entry_count, W.cred.entry_count);
    assert_int_equal(c.issued_at, W.cred.issued_at);
    assert_int_equal(c.not_before, W.cred.not_before);
    assert_int_equal(c.not_after, W.cred.not_after);
    assert_memory_equal(c.bearer_pk, W.cred.bearer_pk, 32);
    assert_memory_equal(c.root, W.cred.root, 32);
    assert_int_equal(pv_cred_verify(b, W.issuer_pk), PV_OK);
    /* Ed25519 is deterministic: signing again gives the same bytes */
    uint8_t again[PV_CRED_SIZE];
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, again), PV_OK);
    assert_memory_equal(again, b, PV_CRED_SIZE);
}

static void test_decode_framing(void **state)
{
    (void)state;
    uint8_t b[PV_CRED_SIZE + 1];
    pv_cred c;
    memcpy(b, W.cred_bytes, PV_CRED_SIZE);
    b[PV_CRED_SIZE] = 0;
    assert_int_equal(pv_cred_decode(b, PV_CRED_SIZE + 1, &c), PV_E_LENGTH);
    for (size_t len = 0; len < PV_CRED_SIZE; len += 7)
        assert_int_equal(pv_cred_decode(b, len, &c), PV_E_TRUNCATED);
    assert_int_equal(pv_cred_decode(b, PV_CRED_SIZE - 1, &c), PV_E_TRUNCATED);
    b[0] = 2;
    assert_int_equal(pv_cred_decode(b, PV_CRED_SIZE, &c), PV_E_VERSION);
    b[0] = 1;
    b[1] = PV_T_REVLIST;
    assert_int_equal(pv_cred_decode(b, PV_CRED_SIZE, &c), PV_E_TYPE);
    assert_int_equal(pv_cred_verify(b, W.issuer_pk), PV_E_TYPE);
    b[1] = PV_T_CREDENTIAL;
    b[3] = 0x80;
    assert_int_equal(pv_cred_decode(b, PV_CRED_SIZE, &c), PV_E_RESERVED);
}

/* Re-sign a modified credential with the issuer key and expect the decoder's verdict. */
static int decode_modified(void (*mod)(uint8_t *body))
{
    uint8_t b[PV_CRED_SIZE];
    memcpy(b, W.cred_bytes, PV_CRED_SIZE);
    mod(b);
    crypto_sign_detached(b + PV_CRED_BODY_SIZE, NULL, b, PV_CRED_BODY_SIZE, W.issuer_sk);
    pv_cred c;
    return pv_cred_decode(b, PV_CRED_SIZE, &c);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void mod_count0(uint8_t *b) { memset(b + 20, 0, 4); }
static void mod_count_big(uint8_t *b) { b[20] = 1; b[21] = 0; b[22] = 0x10; b[23] = 0; }
static void mod_count_max(uint8_t *b) { b[20] = 0; b[21] = 0; b[22] = 0x10; b[23] = 0; }
static void mod_window_empty(uint8_t *b) { put64(b + 40, 1700000000); }
static void mod_window_back(uint8_t *b) { put64(b + 40, 1600000000); }
static void mod_lifetime(uint8_t *b) { put64(b + 40, 1700000000 + PV_CRED_MAX_LIFETIME_S + 1); }
static void mod_lifetime_max(uint8_t *b) { put64(b + 40, 1700000000 + PV_CRED_MAX_LIFETIME_S); }
static void mod_issued_late(uint8_t *b) { put64(b + 24, 1700000000 + 12 * 3600 + 1); }
/* issued long before its window: would outlive the revocation-list pruning rule */
static void mod_issued_early(uint8_t *b) { put64(b + 24, 1700000000 + 12 * 3600 - PV_CRED_MAX_LIFETIME_S - 1); }
static void mod_issued_early_max(uint8_t *b) { put64(b + 24, 1700000000 + 12 * 3600 - PV_CRED_MAX_LIFETIME_S); }
static void mod_wrap(uint8_t *b) { put64(b + 32, UINT64_MAX - 10); put64(b + 40, 5); }

static void test_decode_ranges(void **state)
{
    (void)state;
    assert_int_equal(decode_modified(mod_count0), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_count_big), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_count_max), PV_OK);
    assert_int_equal(decode_modified(mod_window_empty), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_window_back), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_lifetime), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_lifetime_max), PV_OK);
    assert_int_equal(decode_modified(mod_issued_late), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_issued_early), PV_E_RANGE);
    assert_int_equal(decode_modified(mod_issued_early_max), PV_OK);
    assert_int_equal(decode_modified(mod_wrap), PV_E_RANGE);
}

static void test_sign_refusals(void **state)
{
    (void)state;
    uint8_t out[PV_CRED_SIZE];
    pv_cred c = W.cred;
    c.entry_count = 0;
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, out), PV_E_RANGE);
    c = W.cred;
    c.not_after = c.not_before;
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, out), PV_E_RANGE);
    c = W.cred;
    c.not_after = c.not_before + PV_CRED_MAX_LIFETIME_S + 1;
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, out), PV_E_RANGE);
    c = W.cred;
    c.issued_at = c.not_after + 1;
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, out), PV_E_RANGE);
    c = W.cred;
    c.issued_at = c.not_after - PV_CRED_MAX_LIFETIME_S - 1;
    assert_int_equal(pv_cred_sign(&c, W.issuer_sk, out), PV_E_RANGE);
}

static void test_signature(void **state)
{
    (void)state;
    uint8_t b[PV_CRED_SIZE];
    for (size_t i = 2; i < PV_CRED_SIZE; i += 5) {
        memcpy(b, W.cred_bytes, PV_CRED_SIZE);
        b[i] ^= 0x04;
        assert_int_equal(pv_cred_verify(b, W.issuer_pk), PV_E_SIGNATURE);
    }
    assert_int_equal(pv_cred_verify(W.cred_bytes, W.lock_pk), PV_E_SIGNATURE);
    assert_int_equal(pv_cred_verify(W.cred_bytes, W.bearer_pk), PV_E_SIGNATURE);
}

int main(void)
{
    if (fx_world_init(&W, 9) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_layout),
        cmocka_unit_test(test_decode_framing),
        cmocka_unit_test(test_decode_ranges),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
