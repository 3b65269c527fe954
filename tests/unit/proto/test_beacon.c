/* Tests of the time beacon (lib/proto/beacon.c): layout, round trip, refusals, signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"

static fx_world W;

static void test_round_trip(void **state)
{
    (void)state;
    pv_beacon b = {.issuer_id = 0x01020304, .time = 0x1122334455667788ull};
    uint8_t out[PV_BEACON_SIZE];
    assert_int_equal(pv_beacon_sign(&b, W.issuer_sk, out), PV_OK);
    const uint8_t head[16] = {1, PV_T_BEACON, 0, 0, 4, 3, 2, 1,
                              0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    assert_memory_equal(out, head, 16);
    pv_beacon d;
    assert_int_equal(pv_beacon_decode(out, sizeof out, &d), PV_OK);
    assert_int_equal(d.issuer_id, b.issuer_id);
    assert_true(d.time == b.time);
    assert_int_equal(pv_beacon_verify(out, W.issuer_pk), PV_OK);
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, out, 16, W.issuer_sk);
    assert_memory_equal(sig, out + 16, 64); /* signature is over the first 16 bytes */
}

static void test_refusals(void **state)
{
    (void)state;
    pv_beacon b = {.issuer_id = 7, .time = 1700000000};
    uint8_t out[PV_BEACON_SIZE + 1] = {0};
    assert_int_equal(pv_beacon_sign(&b, W.issuer_sk, out), PV_OK);
    pv_beacon d;
    assert_int_equal(pv_beacon_decode(out, PV_BEACON_SIZE + 1, &d), PV_E_LENGTH);
    for (size_t l = 0; l < PV_BEACON_SIZE; l++)
        assert_int_equal(pv_beacon_decode(out, l, &d), PV_E_TRUNCATED);
    out[0] = 9;
    assert_int_equal(pv_beacon_decode(out, PV_BEACON_SIZE, &d), PV_E_VERSION);
    assert_int_equal(pv_beacon_verify(out, W.issuer_pk), PV_E_VERSION);
    out[0] = 1;
    out[1] = PV_T_CREDENTIAL;
    assert_int_equal(pv_beacon_decode(out, PV_BEACON_SIZE, &d), PV_E_TYPE);
    out[1] = PV_T_BEACON;
    out[2] = 1;
    assert_int_equal(pv_beacon_decode(out, PV_BEACON_SIZE, &d), PV_E_RESERVED);
    assert_int_equal(pv_beacon_verify(out, W.issuer_pk), PV_E_SIGNATURE);
    out[2] = 0;
    assert_int_equal(pv_beacon_verify(out, W.issuer_pk), PV_OK);
    assert_int_equal(pv_beacon_verify(out, W.lock_pk), PV_E_SIGNATURE);
    for (size_t i = 4; i < PV_BEACON_SIZE; i += 3) {
        out[i] ^= 1;
        assert_int_equal(pv_beacon_verify(out, W.issuer_pk), PV_E_SIGNATURE);
        out[i] ^= 1;
    }
}

int main(void)
{
    if (fx_world_init(&W, 1) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
