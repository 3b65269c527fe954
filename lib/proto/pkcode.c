/* Public keys as people type or scan them: 64 hex digits with 6 check digits, and the
 * "portvakt:<kind>:" form a label's QR code carries (include/portvakt/proto.h). */
#include <string.h>

#include <sodium.h>

#include "portvakt/proto.h"

#define HEX_DIGITS (2 * PV_PK_SIZE)
#define CHECK_BYTES (PV_PKCODE_CHECK_DIGITS / 2)

static const char *const kind_names[] = {"", "lock", "key", "station"};
static const char hexd[] = "0123456789abcdef";

/* The check bytes: a domain-separated BLAKE2b hash of the key (a typo changes them with
 * probability 1 - 2^-24, a checksum like Luhn would miss transpositions of some digits). */
static void check_of(const uint8_t pk[PV_PK_SIZE], uint8_t chk[CHECK_BYTES])
{
    static const char domain[] = "portvakt-pkcode-v1";
    uint8_t h[crypto_generichash_BYTES_MIN];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)domain, sizeof domain);
    crypto_generichash_update(&st, pk, PV_PK_SIZE);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(chk, h, CHECK_BYTES);
}

static char *put_hex(char *o, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *o++ = hexd[b[i] >> 4];
        *o++ = hexd[b[i] & 15];
    }
    return o;
}

int pv_pkcode_format(const uint8_t pk[PV_PK_SIZE], pv_pkcode_kind kind,
                     char out[PV_PKCODE_TEXT_SIZE])
{
    if ((unsigned)kind > PV_PKCODE_STATION)
        return PV_E_ARG;
    char *o = out;
    if (kind != PV_PKCODE_ANY) {
        size_t n = strlen(kind_names[kind]);
        memcpy(o, "portvakt:", 9);
        memcpy(o + 9, kind_names[kind], n);
        o += 9 + n;
        *o++ = ':';
    }
    uint8_t chk[CHECK_BYTES];
    check_of(pk, chk);
    o = put_hex(o, pk, PV_PK_SIZE);
    *o++ = '-';
    o = put_hex(o, chk, CHECK_BYTES);
    *o = '\0';
    return PV_OK;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int hexval(int c)
{
    c = lower(c);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "portvakt:<kind>:" at the start of in[0..len): the number of characters it takes (0 when
 * there is no prefix), or -1 for an unknown kind. */
static int read_prefix(const char *in, size_t len, pv_pkcode_kind *kind)
{
    static const char pre[] = "portvakt:";
    *kind = PV_PKCODE_ANY;
    if (len < sizeof pre - 1)
        return 0;
    for (size_t i = 0; i < sizeof pre - 1; i++)
        if (lower((unsigned char)in[i]) != pre[i])
            return 0;
    for (int k = PV_PKCODE_LOCK; k <= PV_PKCODE_STATION; k++) {
        size_t n = strlen(kind_names[k]), at = sizeof pre - 1;
        if (len < at + n + 1 || in[at + n] != ':')
            continue;
        size_t i = 0;
        while (i < n && lower((unsigned char)in[at + i]) == kind_names[k][i])
            i++;
        if (i == n) {
            *kind = (pv_pkcode_kind)k;
            return (int)(at + n + 1);
        }
    }
    return -1;
}

int pv_pkcode_parse(const char *in, size_t len, uint8_t pk[PV_PK_SIZE], pv_pkcode_kind *kind)
{
    if (!in || len > PV_PKCODE_MAX_INPUT)
        return PV_E_LENGTH;
    while (len && (in[0] == ' ' || in[0] == '\t' || in[0] == '\r' || in[0] == '\n'))
        in++, len--;
    pv_pkcode_kind k;
    int skip = read_prefix(in, len, &k);
    if (skip < 0)
        return PV_E_TYPE;
    uint8_t b[PV_PK_SIZE + CHECK_BYTES];
    size_t nd = 0;
    for (size_t i = (size_t)skip; i < len; i++) {
        int c = (unsigned char)in[i], v = hexval(c);
        if (v < 0) {
            if (c == ' ' || c == '\t' || c == '-' || c == ':' || c == '\r' || c == '\n')
                continue;
            return PV_E_RANGE;
        }
        if (nd >= 2 * sizeof b)
            return PV_E_LENGTH;
        b[nd / 2] = (uint8_t)(nd % 2 ? (b[nd / 2] | v) : (v << 4));
        nd++;
    }
    if (nd == HEX_DIGITS)
        return PV_E_TRUNCATED;
    if (nd != 2 * sizeof b)
        return PV_E_LENGTH;
    uint8_t chk[CHECK_BYTES];
    check_of(b, chk);
    if (sodium_memcmp(chk, b + PV_PK_SIZE, CHECK_BYTES) != 0)
        return PV_E_CHECKSUM;
    memcpy(pk, b, PV_PK_SIZE);
    if (kind)
        *kind = k;
    return PV_OK;
}
