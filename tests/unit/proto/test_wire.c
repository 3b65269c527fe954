/* Tests of the shared wire module (include/portvakt/wire.h): little-endian byte order,
 * the read cursor's latched truncation and exact-length end, the write cursor's capacity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "portvakt/wire.h"

static void test_load_store(void **state)
{
    (void)state;
    uint8_t b[8];
    pv_store16_le(b, 0x0201);
    assert_memory_equal(b, ((const uint8_t[]){1, 2}), 2);
    pv_store32_le(b, 0x04030201u);
    assert_memory_equal(b, ((const uint8_t[]){1, 2, 3, 4}), 4);
    pv_store64_le(b, 0x0807060504030201ull);
    assert_memory_equal(b, ((const uint8_t[]){1, 2, 3, 4, 5, 6, 7, 8}), 8);
    assert_int_equal(pv_load16_le(b), 0x0201);
    assert_int_equal(pv_load32_le(b), 0x04030201u);
    assert_true(pv_load64_le(b) == 0x0807060504030201ull);
    const uint8_t hi[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(pv_load16_le(hi), 0xFFFF);
    assert_int_equal(pv_load32_le(hi), 0xFFFFFFFFu);
    assert_true(pv_load64_le(hi) == UINT64_MAX);
}

static void test_read_cursor(void **state)
{
    (void)state;
    const uint8_t in[7] = {9, 1, 2, 1, 2, 3, 4};
    pv_rd r;
    pv_rd_init(&r, in, sizeof in);
    assert_int_equal(pv_rd_u8(&r), 9);
    assert_int_equal(pv_rd_u16(&r), 0x0201);
    assert_int_equal(pv_rd_left(&r), 4);
    assert_int_equal(pv_rd_end(&r), PV_E_LENGTH); /* bytes left over */
    assert_int_equal(pv_rd_u32(&r), 0x04030201u);
    assert_int_equal(pv_rd_end(&r), PV_OK);
    /* a short read latches: later reads give zeros and NULL, the end reports it */
    assert_int_equal(pv_rd_u8(&r), 0);
    assert_null(pv_rd_bytes(&r, 0));
    assert_int_equal(pv_rd_left(&r), 0);
    assert_int_equal(pv_rd_end(&r), PV_E_TRUNCATED);
    pv_rd_init(&r, in, 3);
    assert_true(pv_rd_u64(&r) == 0);
    assert_int_equal(pv_rd_u8(&r), 0); /* would fit, but the cursor already failed */
    assert_int_equal(pv_rd_end(&r), PV_E_TRUNCATED);
}

static void test_write_cursor(void **state)
{
    (void)state;
    uint8_t out[8] = {0};
    pv_wr w;
    pv_wr_init(&w, out, 7);
    pv_wr_u8(&w, 9);
    pv_wr_u16(&w, 0x0201);
    pv_wr_u32(&w, 0x04030201u);
    assert_int_equal(w.err, PV_OK);
    assert_int_equal(w.pos, 7);
    assert_memory_equal(out, ((const uint8_t[]){9, 1, 2, 1, 2, 3, 4}), 7);
    pv_wr_u8(&w, 0xEE); /* past cap: nothing written, error latched */
    assert_int_equal(w.err, PV_E_BUFSIZE);
    assert_int_equal(out[7], 0);
    pv_wr_init(&w, out, sizeof out);
    pv_wr_bytes(&w, "abc", 3);
    pv_wr_u64(&w, 1); /* 3 + 8 > 8 */
    assert_int_equal(w.err, PV_E_BUFSIZE);
    assert_int_equal(w.pos, 3);
    pv_wr_bytes(&w, "x", 1); /* stays failed */
    assert_int_equal(w.pos, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_store),
        cmocka_unit_test(test_read_cursor),
        cmocka_unit_test(test_write_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
