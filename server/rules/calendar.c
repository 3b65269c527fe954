/* Civil-date arithmetic and local wall-clock conversion for rights (see calendar.h). */
#include "calendar.h"

#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int32_t pvs_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void pvs_civil_from_days(int32_t day, int *y, unsigned *m, unsigned *d)
{
    const int64_t z = (int64_t)day + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

unsigned pvs_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (4) */
    int64_t w = ((int64_t)day + 3) % 7;
    if (w < 0)
        w += 7;
    return (unsigned)w + 1;
}

static unsigned days_in_month(int y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

int pvs_date_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return PV_E_RANGE;
    unsigned v[3] = {0, 0, 0};
    const int pos[3][2] = {{0, 4}, {5, 2}, {8, 2}};
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < pos[f][1]; i++) {
            char c = s[pos[f][0] + i];
            if (c < '0' || c > '9')
                return PV_E_RANGE;
            v[f] = v[f] * 10 + (unsigned)(c - '0');
        }
    }
    if (v[0] < 2000 || v[0] > 2199 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
        v[2] > days_in_month((int)v[0], v[1]))
        return PV_E_RANGE;
    *day = pvs_days_from_civil((int)v[0], v[1], v[2]);
    return PV_OK;
}

void pvs_date_format(int32_t day, char out[PVS_DATE_LEN])
{
    int y;
    unsigned m, d;
    pvs_civil_from_days(day, &y, &m, &d);
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
    const unsigned v[8] = {yy / 1000, yy / 100 % 10, yy / 10 % 10, yy % 10,
                           m / 10 % 10, m % 10, d / 10 % 10, d % 10};
    const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 8; i++)
        out[at[i]] = (char)('0' + v[i]);
    out[4] = out[7] = '-';
    out[10] = '\0';
}

int64_t pvs_local_time(int32_t day, unsigned minute)
{
    int y;
    unsigned m, d;
    pvs_civil_from_days(day + (int32_t)(minute / 1440), &y, &m, &d);
    minute %= 1440;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = (int)m - 1;
    tm.tm_mday = (int)d;
    tm.tm_hour = (int)(minute / 60);
    tm.tm_min = (int)(minute % 60);
    tm.tm_isdst = -1; /* let the zone rules decide, also on change days */
    return (int64_t)mktime(&tm);
}

int32_t pvs_local_day(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return pvs_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

int pvs_daytab_init(pvs_daytab *t, int64_t not_before, int64_t not_after)
{
    if (not_after <= not_before)
        return PV_E_RANGE;
    int32_t first = pvs_local_day(not_before) - 1;
    int32_t last = pvs_local_day(not_after);
    if (last - first + 1 > PVS_DAYTAB_MAX)
        return PV_E_RANGE;
    t->first_day = first;
    t->n = (unsigned)(last - first + 1);
    for (unsigned i = 0; i <= t->n; i++)
        t->midnight[i] = pvs_local_time(first + (int32_t)i, 0);
    return PV_OK;
}

int64_t pvs_daytab_time(const pvs_daytab *t, int32_t day, unsigned minute)
{
    int32_t i = day - t->first_day + (int32_t)(minute / 1440);
    unsigned m = minute % 1440;
    if (i < 0 || i >= (int32_t)t->n || t->midnight[i + 1] - t->midnight[i] != 86400)
        return pvs_local_time(day, minute); /* outside the table or a DST change day */
    return t->midnight[i] + (int64_t)m * 60;
}
