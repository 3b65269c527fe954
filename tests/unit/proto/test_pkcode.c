/* Tests of typed public keys (lib/proto/pkcode.c): a key reads back from its own text and its
 * label's QR text; every single-digit typo and every swap of two neighbouring digits is
 * refused as mistyped; missing check digits and strange input get their own codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "portvakt/proto.h"

static uint8_t pk[PV_PK_SIZE];

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pk; i++)
        pk[i] = (uint8_t)(i * 37 + 11);
    return 0;
}

static void test_round_trip(void **state)
{
    (void)state;
    static const pv_pkcode_kind kinds[] = {PV_PKCODE_ANY, PV_PKCODE_LOCK, PV_PKCODE_KEY,
                                           PV_PKCODE_STATION};
    for (size_t i = 0; i < 4; i++) {
        char text[PV_PKCODE_TEXT_SIZE];
        uint8_t back[PV_PK_SIZE];
        pv_pkcode_kind k = 99;
        assert_int_equal(pv_pkcode_format(pk, kinds[i], text), PV_OK);
        assert_int_equal(pv_pkcode_parse(text, strlen(text), back, &k), PV_OK);
        assert_memory_equal(back, pk, sizeof pk);
        assert_int_equal(k, kinds[i]);
    }
    char text[PV_PKCODE_TEXT_SIZE];
    assert_int_equal(pv_pkcode_format(pk, PV_PKCODE_LOCK, text), PV_OK);
    assert_int_equal(strncmp(text, "portvakt:lock:", 14), 0);
    assert_int_equal(strlen(text), 14 + 64 + 1 + 6);
    assert_int_equal(pv_pkcode_format(pk, (pv_pkcode_kind)7, text), PV_E_ARG);
}

/* Upper case, groups of digits and a scanner's line end read the same. */
static void test_spacing_and_case(void **state)
{
    (void)state;
    char text[PV_PKCODE_TEXT_SIZE], typed[200];
    uint8_t back[PV_PK_SIZE];
    assert_int_equal(pv_pkcode_format(pk, PV_PKCODE_ANY, text), PV_OK);
    size_t o = 0;
    for (size_t i = 0; text[i]; i++) {
        if (i && i % 8 == 0 && text[i] != '-')
            typed[o++] = ' ';
        typed[o++] = (char)(text[i] >= 'a' && text[i] <= 'f' ? text[i] - 32 : text[i]);
    }
    typed[o++] = '\n';
    assert_int_equal(pv_pkcode_parse(typed, o, back, NULL), PV_OK);
    assert_memory_equal(back, pk, sizeof pk);
    assert_int_equal(pv_pkcode_parse("PORTVAKT:KEY:", 13, back, NULL), PV_E_LENGTH);
}

static void test_every_typo_caught(void **state)
{
    (void)state;
    char text[PV_PKCODE_TEXT_SIZE];
    uint8_t back[PV_PK_SIZE];
    assert_int_equal(pv_pkcode_format(pk, PV_PKCODE_ANY, text), PV_OK);
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '-')
            continue;
        for (const char *d = "0123456789abcdef"; *d; d++) {
            if (*d == text[i])
                continue;
            char t[PV_PKCODE_TEXT_SIZE];
            memcpy(t, text, n + 1);
            t[i] = *d;
            assert_int_equal(pv_pkcode_parse(t, n, back, NULL), PV_E_CHECKSUM);
        }
        if (i + 1 < n && text[i + 1] != '-' && text[i + 1] != text[i]) {
            char t[PV_PKCODE_TEXT_SIZE];
            memcpy(t, text, n + 1);
            t[i] = text[i + 1];
            t[i + 1] = text[i];
            assert_int_equal(pv_pkcode_parse(t, n, back, NULL), PV_E_CHECKSUM);
        }
    }
}

/* A known answer computed by a second implementation (Python's hashlib.blake2b, digest size
 * 16, over "portvakt-pkcode-v1" NUL and the key): check digits a98cb0. */
static void test_known_answer(void **state)
{
    (void)state;
    static const char hex[] = "0a93017c97d8372446fe6bed6486df6cabbdfcd68559ea6b768b611e8b6ad292";
    uint8_t k[PV_PK_SIZE];
    size_t n = 0;
    assert_int_equal(sodium_hex2bin(k, sizeof k, hex, 64, NULL, &n, NULL), 0);
    char text[PV_PKCODE_TEXT_SIZE];
    assert_int_equal(pv_pkcode_format(k, PV_PKCODE_LOCK, text), PV_OK);
    assert_string_equal(text, "portvakt:lock:0a93017c97d8372446fe6bed6486df6cabbdfcd68559ea6b768b611e8b6ad292-a98cb0");
}

static void test_refusals(void **state)
{
    (void)state;
    char text[PV_PKCODE_TEXT_SIZE];
    uint8_t back[PV_PK_SIZE] = {0}, zero[PV_PK_SIZE] = {0};
    assert_int_equal(pv_pkcode_format(pk, PV_PKCODE_ANY, text), PV_OK);
    assert_int_equal(pv_pkcode_parse(text, 64, back, NULL), PV_E_TRUNCATED); /* no check */
    assert_int_equal(pv_pkcode_parse(text, 68, back, NULL), PV_E_LENGTH);    /* 4 of 6 */
    assert_int_equal(pv_pkcode_parse(text, 63, back, NULL), PV_E_LENGTH);
    text[10] = 'g';
    assert_int_equal(pv_pkcode_parse(text, strlen(text), back, NULL), PV_E_RANGE);
    assert_int_equal(pv_pkcode_parse("portvakt:door:00", 16, back, NULL), PV_E_TYPE);
    char big[PV_PKCODE_MAX_INPUT + 2];
    memset(big, ' ', sizeof big);
    assert_int_equal(pv_pkcode_parse(big, sizeof big, back, NULL), PV_E_LENGTH);
    assert_int_equal(pv_pkcode_parse(NULL, 0, back, NULL), PV_E_LENGTH);
    assert_memory_equal(back, zero, sizeof back); /* nothing written on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_round_trip, setup),
        cmocka_unit_test_setup(test_spacing_and_case, setup),
        cmocka_unit_test_setup(test_every_typo_caught, setup),
        cmocka_unit_test_setup(test_refusals, setup),
        cmocka_unit_test(test_known_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
