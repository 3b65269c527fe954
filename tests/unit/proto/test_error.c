/* Tests of the error tables (lib/proto/error.c): every code has its own name and text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "portvakt/error.h"

static const int all_codes[] = {
    PV_OK, PV_E_TRUNCATED, PV_E_LENGTH, PV_E_VERSION, PV_E_TYPE, PV_E_RESERVED, PV_E_RANGE,
    PV_E_ORDER, PV_E_BUFSIZE, PV_E_ARG, PV_E_CHECKSUM, PV_E_SIGNATURE, PV_E_UNKNOWN_ISSUER, PV_E_SCOPE,
    PV_E_PROOF, PV_E_POSSESSION, PV_E_DECRYPT, PV_E_CRYPTO, PV_E_WRONG_LOCK, PV_E_EXPIRED,
    PV_E_NOT_YET_VALID, PV_E_REVOKED, PV_E_CHALLENGE_EXPIRED, PV_E_BACKOFF, PV_E_STATE,
    PV_E_NO_RIGHT, PV_E_NO_CREDENTIAL, PV_E_NOT_CONFIRMED, PV_E_LOCK_CLOCK, PV_E_STALE,
    PV_E_CLOCK_FUTURE, PV_E_CLOCK_BACK, PV_E_CHAIN, PV_E_GAP, PV_E_FLASH, PV_E_CORRUPT,
    PV_E_FULL, PV_E_NOT_FOUND, PV_E_IO, PV_E_TIMEOUT, PV_E_NOMEM,
};
#define NCODES (sizeof all_codes / sizeof all_codes[0])

static void test_every_code_named(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCODES; i++) {
        const char *n = pv_errname(all_codes[i]);
        const char *t = pv_strerror(all_codes[i]);
        assert_non_null(n);
        assert_non_null(t);
        assert_string_not_equal(n, "PV_E_UNKNOWN");
        assert_string_not_equal(t, "unknown error");
        assert_true(strncmp(n, "PV_", 3) == 0);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(n, pv_errname(all_codes[j]));
            assert_string_not_equal(t, pv_strerror(all_codes[j]));
        }
    }
    assert_string_equal(pv_errname(PV_E_EXPIRED), "PV_E_EXPIRED");
    assert_string_equal(pv_errname(PV_OK), "PV_OK");
}

/* Every value between PV_E__COUNT and 0 that is not a code gets the generic answer. */
static void test_unknown_codes(void **state)
{
    (void)state;
    size_t known = 0;
    for (int c = PV_E__COUNT - 5; c <= 5; c++) {
        int is_code = 0;
        for (size_t i = 0; i < NCODES; i++)
            is_code |= all_codes[i] == c;
        known += (size_t)is_code;
        if (!is_code) {
            assert_string_equal(pv_errname(c), "PV_E_UNKNOWN");
            assert_string_equal(pv_strerror(c), "unknown error");
        }
    }
    assert_int_equal(known, NCODES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_named),
        cmocka_unit_test(test_unknown_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
