/* Tests of the revocation list (lib/proto/revlist.c): layout, round trip, decode
 * refusals, signing refusals, signature checks and the binary-search lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"

static fx_world W;
static uint8_t buf[PV_REVLIST_MAX_SIZE + 8];

static size_t sign_n(uint16_t n, uint32_t step)
{
    pv_revoked e[PV_REVLIST_MAX];
    for (uint16_t i = 0; i < n; i++)
        e[i] = (pv_revoked){.bearer_id = 10 + step * i, .revoked_at = 1700000000 + i};
    size_t len = 0;
    assert_int_equal(pv_revlist_sign(7, 99, 1700001000, e, n, W.issuer_sk, buf, sizeof buf, &len),
                     PV_OK);
    return len;
}

static void test_round_trip(void **state)
{
    (void)state;
    for (uint16_t n = 0; n <= PV_REVLIST_MAX; n += (n < 4 ? 1 : 31)) {
        size_t len = sign_n(n, 3);
        assert_int_equal(len, PV_REVLIST_HDR_SIZE + n * PV_REVLIST_ENTRY_SIZE + PV_SIG_SIZE);
        assert_int_equal(buf[0], 1);
        assert_int_equal(buf[1], PV_T_REVLIST);
        assert_int_equal(buf[2] | buf[3] << 8, n);
        pv_revlist rl;
        assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_OK);
        assert_int_equal(rl.issuer_id, 7);
        assert_int_equal(rl.version, 99);
        assert_int_equal(rl.issued_at, 1700001000);
        assert_int_equal(rl.count, n);
        assert_ptr_equal(rl.entries, buf + PV_REVLIST_HDR_SIZE);
        for (uint16_t i = 0; i < n; i++) {
            pv_revoked r;
            pv_revlist_get(&rl, i, &r);
            assert_int_equal(r.bearer_id, 10 + 3 * i);
            assert_int_equal(r.revoked_at, 1700000000 + i);
        }
        assert_int_equal(pv_revlist_verify(buf, len, W.issuer_pk), PV_OK);
    }
    assert_int_equal(sign_n(PV_REVLIST_MAX, 1), PV_REVLIST_MAX_SIZE);
}

static void test_decode_refusals(void **state)
{
    (void)state;
    size_t len = sign_n(5, 2);
    pv_revlist rl;
    for (size_t l = 0; l < len; l++)
        assert_int_equal(pv_revlist_decode(buf, l, &rl), PV_E_TRUNCATED);
    buf[len] = 0;
    assert_int_equal(pv_revlist_decode(buf, len + 1, &rl), PV_E_LENGTH);
    buf[0] = 0;
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_VERSION);
    buf[0] = 1;
    buf[1] = PV_T_CREDENTIAL;
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_TYPE);
    buf[1] = PV_T_REVLIST;
    buf[2] = PV_REVLIST_MAX + 1;
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_RANGE);
    buf[2] = 4; /* count says 4, bytes hold 5 entries */
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_LENGTH);
    buf[2] = 6;
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_TRUNCATED);
    buf[2] = 5;
    /* entry 3 gets the same bearer id as entry 2 */
    memcpy(buf + 24 + 3 * 12, buf + 24 + 2 * 12, 4);
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_ORDER);
    buf[24 + 3 * 12] -= 1; /* now smaller than entry 2 */
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_E_ORDER);
}

static void test_sign_refusals(void **state)
{
    (void)state;
    pv_revoked e[PV_REVLIST_MAX + 1] = {{0}};
    for (unsigned i = 0; i <= PV_REVLIST_MAX; i++)
        e[i].bearer_id = i + 1;
    size_t len;
    assert_int_equal(pv_revlist_sign(7, 1, 1, e, PV_REVLIST_MAX + 1, W.issuer_sk, buf,
                                     sizeof buf, &len), PV_E_RANGE);
    assert_int_equal(pv_revlist_sign(7, 1, 1, e, 3, W.issuer_sk, buf,
                                     PV_REVLIST_HDR_SIZE + 3 * 12 + 63, &len), PV_E_BUFSIZE);
    e[2].bearer_id = 2;
    assert_int_equal(pv_revlist_sign(7, 1, 1, e, 3, W.issuer_sk, buf, sizeof buf, &len),
                     PV_E_ORDER);
}

static void test_signature(void **state)
{
    (void)state;
    size_t len = sign_n(3, 5);
    assert_int_equal(pv_revlist_verify(buf, len, W.lock_pk), PV_E_SIGNATURE);
    for (size_t i = 4; i < len; i += 9) {
        buf[i] ^= 0x10;
        int rc = pv_revlist_verify(buf, len, W.issuer_pk);
        /* flips inside the entries may also break the order; both are refusals */
        assert_true(rc == PV_E_SIGNATURE || rc == PV_E_ORDER);
        buf[i] ^= 0x10;
    }
    assert_int_equal(pv_revlist_verify(buf, len, W.issuer_pk), PV_OK);
}

static void test_check(void **state)
{
    (void)state;
    size_t len = sign_n(PV_REVLIST_MAX, 3); /* ids 10, 13, ..., revoked_at 1700000000 + i */
    pv_revlist rl;
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_OK);
    for (uint32_t i = 0; i < PV_REVLIST_MAX; i++) {
        uint32_t id = 10 + 3 * i;
        assert_int_equal(pv_revlist_check(&rl, id, 1700000000 + i), PV_E_REVOKED);
        assert_int_equal(pv_revlist_check(&rl, id, 1690000000), PV_E_REVOKED);
        assert_int_equal(pv_revlist_check(&rl, id, 1700000000 + i + 1), PV_OK); /* reissued */
        assert_int_equal(pv_revlist_check(&rl, id + 1, 0), PV_OK);
        assert_int_equal(pv_revlist_check(&rl, id - 1, 0), PV_OK);
    }
    assert_int_equal(pv_revlist_check(&rl, 0, 0), PV_OK);
    assert_int_equal(pv_revlist_check(&rl, UINT32_MAX, 0), PV_OK);
    len = sign_n(0, 1);
    assert_int_equal(pv_revlist_decode(buf, len, &rl), PV_OK);
    assert_int_equal(pv_revlist_check(&rl, 10, 0), PV_OK);
    pv_revoked r = {1, 1};
    pv_revlist_get(&rl, 0, &r); /* out of range: zeros, no read */
    assert_int_equal(r.bearer_id, 0);
}

int main(void)
{
    if (fx_world_init(&W, 1) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
