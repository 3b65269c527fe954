/* Unit tests of the personal-identity-number rule (server/rules/pnr.c): what a planner might
 * type by mistake is found, what merely looks numeric is not. */
#include <stdio.h>
#include <string.h>

#include "pnr.h"

static int failures;

static void expect(const char *s, int want)
{
    int got = pvs_pnr_found(s, strlen(s));
    if (got != want) {
        fprintf(stderr, "pnr: \"%s\" gave %d, expected %d\n", s, got, want);
        failures++;
    }
}

int main(void)
{
    /* valid Luhn check digits: 811218-9876, 19811218-9876, 121212-1212 */
    expect("811218-9876", 1);
    expect("8112189876", 1);
    expect("19811218-9876", 1);
    expect("198112189876", 1);
    expect("811218+9876", 1);             /* over 100 years old */
    expect("Anna Berg 121212-1212", 1);   /* a name and a number in an address field */
    expect("Lgh 1102, 19121212-1212", 1);
    expect("701063-2391", 1);             /* coordination number: day 63 = 3rd */
    expect("811218-9875", 0);             /* wrong check digit */
    expect("811318-9874", 0);             /* month 13 */
    expect("556036-0793", 0);             /* organisation number (month digits 60) */
    expect("070-1234567", 0);             /* phone number */
    expect("2026-12-03", 0);              /* a date */
    expect("A-1042", 0);                  /* alarm code */
    expect("18112189876", 0);             /* eleven digits */
    expect("9198112189876", 0);           /* thirteen digits around a valid one */
    expect("K-0100", 0);
    expect("", 0);
    expect("-", 0);
    expect("8112189876x", 1);
    expect("x8112189876", 1);
    /* length bounds: a run is never read past the string */
    char buf[4] = {'8', '1', '1', '2'};
    if (pvs_pnr_found(buf, sizeof buf)) {
        fprintf(stderr, "pnr: four digits matched\n");
        failures++;
    }
    if (failures == 0)
        printf("pnr: all cases as expected\n");
    return failures ? 1 : 0;
}
