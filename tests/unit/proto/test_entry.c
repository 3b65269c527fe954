/* Tests of access entries (lib/proto/entry.c): byte layout, round trip, refusals, order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "portvakt/proto.h"

static void test_layout_round_trip(void **state)
{
    (void)state;
    pv_entry e = {.lock_id = 0x04030201, .start_min = 0x0605, .end_min = 0x0807,
                  .flags = PV_ENTRY_F_ENTRANCE | PV_ENTRY_F_ALARM};
    uint8_t b[PV_ENTRY_SIZE];
    pv_entry_encode(&e, b);
    const uint8_t want[PV_ENTRY_SIZE] = {1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0};
    assert_memory_equal(b, want, sizeof want);
    pv_entry d;
    assert_int_equal(pv_entry_decode(b, &d), PV_OK);
    assert_int_equal(d.lock_id, e.lock_id);
    assert_int_equal(d.start_min, e.start_min);
    assert_int_equal(d.end_min, e.end_min);
    assert_int_equal(d.flags, e.flags);
}

static void test_refusals(void **state)
{
    (void)state;
    uint8_t b[PV_ENTRY_SIZE];
    pv_entry d;
    pv_entry e = {.lock_id = 9, .start_min = 10, .end_min = 10, .flags = 1};
    pv_entry_encode(&e, b);
    assert_int_equal(pv_entry_decode(b, &d), PV_E_RANGE); /* empty window */
    e.end_min = 9;
    pv_entry_encode(&e, b);
    assert_int_equal(pv_entry_decode(b, &d), PV_E_RANGE); /* reversed window */
    e.end_min = 11;
    for (unsigned bit = 4; bit < 16; bit++) {
        e.flags = (uint16_t)(1u << bit);
        pv_entry_encode(&e, b);
        assert_int_equal(pv_entry_decode(b, &d), PV_E_RESERVED);
    }
    e.flags = PV_ENTRY_F_KNOWN;
    pv_entry_encode(&e, b);
    assert_int_equal(pv_entry_decode(b, &d), PV_OK);
}

static void test_cmp(void **state)
{
    (void)state;
    pv_entry a = {.lock_id = 5, .start_min = 100, .end_min = 200};
    pv_entry b = a;
    assert_int_equal(pv_entry_cmp(&a, &b), 0);
    b.end_min = 300; /* end and flags do not take part in the order */
    b.flags = 4;
    assert_int_equal(pv_entry_cmp(&a, &b), 0);
    b.start_min = 101;
    assert_true(pv_entry_cmp(&a, &b) < 0);
    assert_true(pv_entry_cmp(&b, &a) > 0);
    b.lock_id = 4;
    b.start_min = 60000;
    assert_true(pv_entry_cmp(&a, &b) > 0);
    b.lock_id = 0xFFFFFFFFu; /* unsigned compare */
    assert_true(pv_entry_cmp(&a, &b) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_cmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
