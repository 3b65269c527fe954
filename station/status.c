/* What the station tells the staff member, in words that say what to do next. */
#include <stdio.h>
#include <time.h>

#include "station.h"

void pvst_fmt_until(char *out, size_t cap, uint64_t t, uint64_t now)
{
    time_t tt = (time_t)t, tn = (time_t)now;
    struct tm a, b;
    localtime_r(&tt, &a);
    localtime_r(&tn, &b);
    time_t tomorrow = tn + 86400;
    struct tm c;
    localtime_r(&tomorrow, &c);
    if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
        snprintf(out, cap, "%02d:%02d", a.tm_hour, a.tm_min);
    else if (a.tm_year == c.tm_year && a.tm_yday == c.tm_yday)
        snprintf(out, cap, "%02d:%02d tomorrow", a.tm_hour, a.tm_min);
    else
        snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", a.tm_year + 1900, a.tm_mon + 1,
                 a.tm_mday, a.tm_hour, a.tm_min);
}

void pvst_msg_synced(char *out, size_t cap, uint32_t doors, uint64_t until, uint64_t now)
{
    char u[40];
    pvst_fmt_until(u, sizeof u, until, now);
    snprintf(out, cap, "synced: %u door%s until %s", doors, doors == 1 ? "" : "s", u);
}

void pvst_msg_offline(char *out, size_t cap, uint64_t have_until, uint64_t now)
{
    char u[40];
    if (have_until > now) {
        pvst_fmt_until(u, sizeof u, have_until, now);
        snprintf(out, cap, "no connection — your key keeps working until %s", u);
    } else {
        snprintf(out, cap, "no connection — your key holds no valid rights; "
                           "try again in a minute or call your planner");
    }
}
