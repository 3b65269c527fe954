/* Enrolment codes (enrol_code.h): Crockford base 32, seven random symbols and a check
 * symbol taken from a BLAKE2b hash of the seven. */
#include "enrol_code.h"

#include <sodium.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The symbol's value, or -1; O, I and L read as the digits they look like. */
static int symbol_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        c = '0';
    else if (c == 'I' || c == 'L')
        c = '1';
    for (int i = 0; i < 32; i++)
        if (ALPHABET[i] == c)
            return i;
    return -1;
}

static char check_symbol(const char sym[7])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const uint8_t *)sym, 7, (const uint8_t *)"pv-enrol-code", 13);
    return ALPHABET[h[0] & 31u];
}

static void write_text(const char sym[PVS_ENROL_CODE_SYMBOLS], char out[PVS_ENROL_CODE_TEXT])
{
    for (int i = 0, o = 0; i < PVS_ENROL_CODE_SYMBOLS; i++) {
        if (i == 4)
            out[o++] = '-';
        out[o++] = sym[i];
    }
    out[PVS_ENROL_CODE_TEXT - 1] = 0;
}

void pvs_enrol_code_make(const uint8_t rnd[5], char out[PVS_ENROL_CODE_TEXT])
{
    uint64_t bits = 0;
    char sym[PVS_ENROL_CODE_SYMBOLS];
    for (int i = 0; i < 5; i++)
        bits = bits << 8 | rnd[i];
    for (int i = 0; i < 7; i++)
        sym[i] = ALPHABET[(bits >> (5 * i)) & 31u];
    sym[7] = check_symbol(sym);
    write_text(sym, out);
}

bool pvs_enrol_code_parse(const char *in, size_t len, char out[PVS_ENROL_CODE_TEXT])
{
    char sym[PVS_ENROL_CODE_SYMBOLS];
    size_t n = 0;
    out[0] = 0;
    if (!in || len > 32) /* a code with generous spacing is still short */
        return false;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == ' ' || in[i] == '-')
            continue;
        int v = symbol_value(in[i]);
        if (v < 0 || n == PVS_ENROL_CODE_SYMBOLS)
            return false;
        sym[n++] = ALPHABET[v];
    }
    if (n != PVS_ENROL_CODE_SYMBOLS || check_symbol(sym) != sym[7])
        return false;
    write_text(sym, out);
    return true;
}
