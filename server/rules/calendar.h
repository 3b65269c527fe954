/* Calendar arithmetic for rights: civil dates as day numbers, local wall-clock times
 * to unix seconds (the process time zone, TZ), and a per-credential table of local
 * midnights so issuing converts thousands of windows without calling mktime each time. */
#ifndef PVS_DOMAIN_CALENDAR_H
#define PVS_DOMAIN_CALENDAR_H

#include <stdint.h>

#include "portvakt/error.h"

/* A civil date as days since 1970-01-01 (no time zone). */
#define PVS_DAY_OPEN INT32_MAX /* "no end date" in half-open day ranges */
#define PVS_DATE_LEN 11        /* "YYYY-MM-DD" plus NUL */

int32_t pvs_days_from_civil(int y, unsigned m, unsigned d);
void pvs_civil_from_days(int32_t day, int *y, unsigned *m, unsigned *d);
/* ISO weekday of a day number: 1 = Monday ... 7 = Sunday. */
unsigned pvs_weekday(int32_t day);

/* Strict "YYYY-MM-DD" (years 2000..2199, a real calendar date). PV_OK or PV_E_RANGE. */
int pvs_date_parse(const char *s, int32_t *day) PV_MUST_CHECK;
void pvs_date_format(int32_t day, char out[PVS_DATE_LEN]);

/* Local (TZ) wall-clock time `minute` minutes after the start of `day`; minute may be
 * up to 2 * 1440 for windows that run past midnight. */
int64_t pvs_local_time(int32_t day, unsigned minute);
/* The local calendar day that unix time t falls in. */
int32_t pvs_local_day(int64_t t);

/* Local midnights of the days a credential window touches (a shift is at most 48 h,
 * so at most four days plus one before for windows that started yesterday evening). */
#define PVS_DAYTAB_MAX 6
typedef struct pvs_daytab {
    int32_t first_day;
    unsigned n;
    int64_t midnight[PVS_DAYTAB_MAX + 1]; /* midnight[n] = end of the last day */
} pvs_daytab;

/* Covers the local day before not_before up to the day of not_after.
 * PV_E_RANGE if the window is empty or longer than the table can hold. */
int pvs_daytab_init(pvs_daytab *t, int64_t not_before, int64_t not_after) PV_MUST_CHECK;
/* pvs_local_time() for a day inside the table; exact on days of daylight-saving change
 * too (falls back to mktime for them). */
int64_t pvs_daytab_time(const pvs_daytab *t, int32_t day, unsigned minute);

#endif
