/* Tests of lock log events and batches (lib/proto/logbatch.c): event layout and
 * refusals, the hash chain, batch round trip, decode refusals and signature checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"

static fx_world W;
static uint8_t buf[PV_LOGBATCH_MAX_SIZE + 8];
static pv_event evs[PV_LOG_BATCH_MAX + 1];

static void make_events(uint32_t first_seq, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        evs[i] = (pv_event){.seq = first_seq + i, .time = 1700000000 + 60 * i,
                            .kind = (uint8_t)(1 + i % 9), .reason = 0, .aux = (uint16_t)i,
                            .subject = 17 + i};
    for (unsigned i = 0; i < n; i++)
        if (evs[i].kind == PV_EV_DENY)
            evs[i].reason = (uint8_t)-PV_E_REVOKED;
}

static void test_event(void **state)
{
    (void)state;
    pv_event e = {.seq = 0x04030201, .time = 0x08070605, .kind = PV_EV_DENY,
                  .reason = (uint8_t)-PV_E_EXPIRED, .aux = 0x0B0A, .subject = 0x0F0E0D0C};
    uint8_t b[PV_EVENT_SIZE];
    pv_event_encode(&e, b);
    const uint8_t want[16] = {1, 2, 3, 4, 5, 6, 7, 8, 2, 41, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
    assert_memory_equal(b, want, 16);
    pv_event d;
    assert_int_equal(pv_event_decode(b, &d), PV_OK);
    assert_int_equal(d.seq, e.seq);
    assert_int_equal(d.time, e.time);
    assert_int_equal(d.kind, e.kind);
    assert_int_equal(d.reason, e.reason);
    assert_int_equal(d.aux, e.aux);
    assert_int_equal(d.subject, e.subject);
    b[8] = 0;
    assert_int_equal(pv_event_decode(b, &d), PV_E_RANGE);
    b[8] = 10;
    assert_int_equal(pv_event_decode(b, &d), PV_E_RANGE);
    b[8] = PV_EV_OPEN; /* reason only on denials */
    assert_int_equal(pv_event_decode(b, &d), PV_E_RESERVED);
    for (unsigned k = 1; k <= 9; k++)
        assert_string_not_equal(pv_event_kind_name(k), "unknown");
    assert_string_equal(pv_event_kind_name(0), "unknown");
    assert_string_equal(pv_event_kind_name(10), "unknown");
    assert_string_equal(pv_event_kind_name(PV_EV_OPEN), "open");
}

static void test_chain(void **state)
{
    (void)state;
    uint8_t zero[32] = {0}, h[32], ref[32], ev[16], blob[1 + 32 + 16];
    memset(ev, 0xAB, sizeof ev);
    pv_log_chain_next(zero, ev, h);
    blob[0] = 0x02;
    memset(blob + 1, 0, 32);
    memcpy(blob + 33, ev, 16);
    crypto_generichash(ref, 32, blob, sizeof blob, NULL, 0);
    assert_memory_equal(h, ref, 32);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t prev[32];
    memset(prev, 0x3C, 32);
    for (unsigned n = 1; n <= PV_LOG_BATCH_MAX; n++) {
        make_events(1000, n);
        size_t len;
        assert_int_equal(pv_logbatch_sign(0xCAFE, prev, evs, (uint8_t)n, W.lock_sk, buf,
                                          sizeof buf, &len), PV_OK);
        assert_int_equal(len, PV_LOGBATCH_HDR_SIZE + n * PV_EVENT_SIZE + PV_SIG_SIZE);
        pv_logbatch b;
        assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_OK);
        assert_int_equal(b.lock_id, 0xCAFE);
        assert_int_equal(b.count, n);
        assert_memory_equal(b.prev_hash, prev, 32);
        assert_int_equal(pv_logbatch_verify(buf, len, W.lock_pk), PV_OK);
        uint8_t end[32], h[32], eb[16];
        memcpy(h, prev, 32);
        for (unsigned i = 0; i < n; i++) {
            pv_event_encode(&evs[i], eb);
            assert_memory_equal(b.events + 16 * i, eb, 16);
            pv_log_chain_next(h, eb, h);
        }
        pv_logbatch_chain_end(&b, end);
        assert_memory_equal(end, h, 32);
    }
}

static void test_sign_refusals(void **state)
{
    (void)state;
    uint8_t prev[32] = {0};
    size_t len;
    make_events(0, PV_LOG_BATCH_MAX + 1);
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 0, W.lock_sk, buf, sizeof buf, &len),
                     PV_E_RANGE);
    assert_int_equal(pv_logbatch_sign(1, prev, evs, PV_LOG_BATCH_MAX + 1, W.lock_sk, buf,
                                      sizeof buf, &len), PV_E_RANGE);
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 2, W.lock_sk, buf, 40 + 32 + 63, &len),
                     PV_E_BUFSIZE);
    evs[1].seq = 5;
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 2, W.lock_sk, buf, sizeof buf, &len),
                     PV_E_GAP);
    make_events(UINT32_MAX, 2); /* would wrap */
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 2, W.lock_sk, buf, sizeof buf, &len),
                     PV_E_GAP);
    make_events(0, 2);
    evs[0].kind = 0;
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 2, W.lock_sk, buf, sizeof buf, &len),
                     PV_E_RANGE);
}

static void test_decode_refusals(void **state)
{
    (void)state;
    uint8_t prev[32] = {0};
    size_t len;
    make_events(7, 3);
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 3, W.lock_sk, buf, sizeof buf, &len),
                     PV_OK);
    pv_logbatch b;
    for (size_t l = 0; l < len; l++)
        assert_int_equal(pv_logbatch_decode(buf, l, &b), PV_E_TRUNCATED);
    buf[len] = 0;
    assert_int_equal(pv_logbatch_decode(buf, len + 1, &b), PV_E_LENGTH);
    buf[0] = 2;
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_VERSION);
    buf[0] = 1;
    buf[1] = PV_T_BEACON;
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_TYPE);
    buf[1] = PV_T_LOGBATCH;
    buf[3] = 1;
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_RESERVED);
    buf[3] = 0;
    buf[2] = 0;
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_RANGE);
    buf[2] = PV_LOG_BATCH_MAX + 1;
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_RANGE);
    buf[2] = 2;
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_LENGTH);
    buf[2] = 3;
    buf[40 + 16 * 2] ^= 1; /* third event's seq */
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_GAP);
    buf[40 + 16 * 2] ^= 1;
    buf[40 + 16 + 8] = 77; /* second event's kind */
    assert_int_equal(pv_logbatch_decode(buf, len, &b), PV_E_RANGE);
}

static void test_signature(void **state)
{
    (void)state;
    uint8_t prev[32] = {0};
    size_t len;
    make_events(0, 2);
    assert_int_equal(pv_logbatch_sign(1, prev, evs, 2, W.lock_sk, buf, sizeof buf, &len),
                     PV_OK);
    assert_int_equal(pv_logbatch_verify(buf, len, W.issuer_pk), PV_E_SIGNATURE);
    const size_t flips[] = {4, 8, 39, 44, 60, 72, 100, len - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        buf[flips[i]] ^= 0x20;
        assert_int_equal(pv_logbatch_verify(buf, len, W.lock_pk), PV_E_SIGNATURE);
        buf[flips[i]] ^= 0x20;
    }
    assert_int_equal(pv_logbatch_verify(buf, len, W.lock_pk), PV_OK);
}

int main(void)
{
    if (fx_world_init(&W, 1) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
