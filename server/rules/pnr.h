/* Data minimisation: recognising a Swedish personal identity number (personnummer) or
 * coordination number (samordningsnummer) typed into a free-text field. Pure function. */
#ifndef PVS_RULES_PNR_H
#define PVS_RULES_PNR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when `s` (len bytes, need not be NUL-terminated) holds, as a whole run of digits, a
 * personal identity or coordination number: YYMMDD-NNNC or YYYYMMDD-NNNC, the separator '-'
 * or '+' optional, a real month, a day 01-31 (61-91 for a coordination number) and a valid
 * Luhn check digit over the ten-digit form. A longer or shorter digit run never matches, so
 * phone numbers, organisation numbers (month digits 20 and up) and ids do not.
 */
bool pvs_pnr_found(const char *s, size_t len);

#endif
