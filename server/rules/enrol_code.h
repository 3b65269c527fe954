/* Enrolment codes: the short code a new key shows at a sync station (or a phone shows in
 * the app) and a planner types instead of a 64-hex public key. Pure functions. */
#ifndef PVS_RULES_ENROL_CODE_H
#define PVS_RULES_ENROL_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seven random symbols (35 bits) and one check symbol, shown as "ABCD-EFGH". The alphabet
 * is Crockford's base 32: digits and capitals without I, L, O and U, so nothing is read as
 * a 1 or a 0 by mistake. */
#define PVS_ENROL_CODE_SYMBOLS 8
#define PVS_ENROL_CODE_TEXT 10 /* "ABCD-EFGH" and its NUL */

/* The code made from five random bytes (the caller's randomness: rules read no clock or
 * RNG), written as "ABCD-EFGH" to out. */
void pvs_enrol_code_make(const uint8_t rnd[5], char out[PVS_ENROL_CODE_TEXT]);

/*
 * What a person typed, normalised to "ABCD-EFGH": case, spaces and hyphens do not matter,
 * O reads as 0 and I or L as 1 (Crockford's rule). Returns false, leaving out empty, for
 * anything that is not eight symbols of the alphabet with a matching check symbol — so a
 * single mistyped or swapped symbol is caught before any lookup (the check symbol is a hash
 * of the other seven: 31 of 32 typos change it).
 */
bool pvs_enrol_code_parse(const char *in, size_t len, char out[PVS_ENROL_CODE_TEXT]);

#endif
