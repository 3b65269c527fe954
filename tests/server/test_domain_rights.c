/* Unit tests of the rights computation: calendar, weekly windows, validity and provider
 * periods, derived entrance rights, merging, daylight-saving days and inward rounding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "portvakt/proto.h"
#include "rights.h"

static int failures;
#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            failures++;                                                             \
        }                                                                           \
    } while (0)

static int32_t day(const char *s)
{
    int32_t d = 0;
    if (pvs_date_parse(s, &d) != PV_OK) {
        fprintf(stderr, "bad date %s\n", s);
        exit(2);
    }
    return d;
}

static void test_calendar(void)
{
    int32_t d;
    CHECK(pvs_date_parse("1970-01-01", &d) == PV_E_RANGE); /* years 2000.. only */
    CHECK(pvs_days_from_civil(1970, 1, 1) == 0);
    CHECK(pvs_date_parse("2026-11-24", &d) == PV_OK && pvs_weekday(d) == 2);
    CHECK(pvs_date_parse("2026-02-29", &d) == PV_E_RANGE);
    CHECK(pvs_date_parse("2028-02-29", &d) == PV_OK);
    CHECK(pvs_date_parse("2026-1-24", &d) == PV_E_RANGE);
    CHECK(pvs_date_parse("2026-11-24 ", &d) == PV_E_RANGE);
    CHECK(pvs_date_parse("2026-13-01", &d) == PV_E_RANGE);
    CHECK(pvs_date_parse("2026-11-00", &d) == PV_E_RANGE);
    char buf[PVS_DATE_LEN];
    for (int32_t x = day("2000-01-01"); x < day("2100-01-01"); x += 37) {
        int32_t y;
        pvs_date_format(x, buf);
        CHECK(pvs_date_parse(buf, &y) == PV_OK && y == x);
    }
    uint16_t m;
    CHECK(pvs_hhmm_parse("07:30", &m) == PV_OK && m == 450);
    CHECK(pvs_hhmm_parse("24:00", &m) == PV_OK && m == 1440);
    CHECK(pvs_hhmm_parse("24:01", &m) == PV_E_RANGE);
    CHECK(pvs_hhmm_parse("7:30", &m) == PV_E_RANGE);
    CHECK(pvs_hhmm_parse("07:60", &m) == PV_E_RANGE);
    /* Stockholm is UTC+1 in November */
    CHECK(pvs_local_time(day("2026-11-24"), 7 * 60) == (int64_t)day("2026-11-24") * 86400 + 6 * 3600);
    CHECK(pvs_local_time(day("2026-07-01"), 7 * 60) == (int64_t)day("2026-07-01") * 86400 + 5 * 3600);
    CHECK(pvs_local_time(day("2026-11-24"), 60) == (int64_t)day("2026-11-24") * 86400);
}

static void test_windows_codec(void)
{
    pvs_window w[2] = {{0x1F, 420, 930}, {0x60, 1320, 420}}, back[PVS_WINDOWS_MAX];
    uint8_t blob[64];
    size_t len, n;
    CHECK(pvs_windows_encode(w, 2, blob, sizeof blob, &len) == PV_OK && len == 10);
    CHECK(pvs_windows_decode(blob, len, back, &n) == PV_OK && n == 2);
    CHECK(back[1].days == 0x60 && back[1].from_min == 1320 && back[1].to_min == 420);
    CHECK(pvs_windows_decode(blob, 9, back, &n) == PV_E_LENGTH);
    blob[0] = 0x80; /* day bit 7 does not exist */
    CHECK(pvs_windows_decode(blob, len, back, &n) == PV_E_RANGE);
    pvs_window bad = {0x01, 600, 600};
    CHECK(pvs_window_check(&bad) == PV_E_RANGE);
}

static pvs_grant grant(uint32_t lock, uint32_t building, const char *from, const char *until,
                       uint8_t days, uint16_t a, uint16_t b)
{
    pvs_grant g = {lock, building, day(from), until ? day(until) : PVS_DAY_OPEN, 1, {{0}}};
    g.windows[0] = (pvs_window){days, a, b};
    return g;
}

static int64_t local(const char *date, unsigned minute)
{
    return pvs_local_time(day(date), minute);
}

static void check_sorted(const pv_entry *e, size_t n)
{
    for (size_t i = 1; i < n; i++)
        CHECK(pv_entry_cmp(&e[i - 1], &e[i]) < 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[PV_ENTRY_SIZE];
        pv_entry back;
        pv_entry_encode(&e[i], buf);
        CHECK(pv_entry_decode(buf, &back) == PV_OK);
    }
}

/* A weekday shift: 06:00 Tuesday for 30 h sees Tuesday's and Wednesday's morning windows. */
static void test_weekly_and_validity(void)
{
    pvs_rights r;
    int64_t nb = local("2026-11-24", 360);
    CHECK(pvs_rights_init(&r, nb, nb + 30 * 3600) == PV_OK);
    pvs_grant g = grant(10, 1, "2026-11-01", NULL, 0x1F, 420, 930); /* Mon-Fri 07-15:30 */
    CHECK(pvs_rights_add_grant(&r, &g) == PV_OK);
    pvs_grant weekend = grant(11, 1, "2026-11-01", NULL, 0x60, 420, 930); /* Sat-Sun */
    CHECK(pvs_rights_add_grant(&r, &weekend) == PV_OK);
    pvs_grant ended = grant(12, 1, "2026-11-01", "2026-11-24", 0x7F, 0, 1440); /* until excl. */
    CHECK(pvs_rights_add_grant(&r, &ended) == PV_OK);
    pvs_grant tomorrow = grant(13, 1, "2026-11-25", "2026-11-26", 0x7F, 420, 480);
    CHECK(pvs_rights_add_grant(&r, &tomorrow) == PV_OK);
    pv_entry *e;
    size_t n;
    CHECK(pvs_rights_finish(&r, &e, &n) == PV_OK);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(e[0].lock_id == 10 && e[0].start_min == 60 && e[0].end_min == 570);
        CHECK(e[1].lock_id == 10 && e[1].start_min == 1500 && e[1].end_min == 1800);
        CHECK(e[2].lock_id == 13 && e[2].start_min == 1500 && e[2].end_min == 1560);
        CHECK(e[0].flags == PV_ENTRY_F_APARTMENT);
        CHECK(pvs_entries_doors(e, n) == 2);
    }
    check_sorted(e, n);
    free(e);
    pvs_rights_free(&r);
}

/* Two apartments in one building: the entrance and the laundry get the union of both
 * apartments' windows, merged, flagged as derived; another building's entrance nothing. */
static void test_derived_entrances(void)
{
    pvs_rights r;
    int64_t nb = local("2026-11-24", 0);
    CHECK(pvs_rights_init(&r, nb, nb + 24 * 3600) == PV_OK);
    pvs_grant a = grant(20, 5, "2026-01-01", NULL, 0x7F, 420, 720);
    pvs_grant b = grant(21, 5, "2026-01-01", NULL, 0x7F, 690, 900);
    CHECK(pvs_rights_add_grant(&r, &a) == PV_OK);
    CHECK(pvs_rights_add_grant(&r, &b) == PV_OK);
    pvs_derived_lock locks[] = {{6, 60, PV_ENTRY_F_ENTRANCE},
                                {5, 51, PV_ENTRY_F_COMMON},
                                {5, 50, PV_ENTRY_F_ENTRANCE}};
    CHECK(pvs_rights_derive(&r, locks, 3) == PV_OK);
    pv_entry *e;
    size_t n;
    CHECK(pvs_rights_finish(&r, &e, &n) == PV_OK);
    CHECK(n == 4);
    if (n == 4) {
        CHECK(e[0].lock_id == 20 && e[0].start_min == 420 && e[0].end_min == 720);
        CHECK(e[1].lock_id == 21 && e[1].start_min == 690 && e[1].end_min == 900);
        CHECK(e[2].lock_id == 50 && e[2].start_min == 420 && e[2].end_min == 900 &&
              e[2].flags == PV_ENTRY_F_ENTRANCE);
        CHECK(e[3].lock_id == 51 && e[3].flags == PV_ENTRY_F_COMMON && e[3].end_min == 900);
    }
    check_sorted(e, n);
    free(e);
    pvs_rights_free(&r);
}

/* A night window from yesterday 22:00 to 07:00 still counts this morning. */
static void test_overnight(void)
{
    pvs_rights r;
    int64_t nb = local("2026-11-24", 300); /* 05:00 */
    CHECK(pvs_rights_init(&r, nb, nb + 24 * 3600) == PV_OK);
    pvs_grant g = grant(30, 1, "2026-01-01", NULL, 0x7F, 1320, 420);
    CHECK(pvs_rights_add_grant(&r, &g) == PV_OK);
    pv_entry *e;
    size_t n;
    CHECK(pvs_rights_finish(&r, &e, &n) == PV_OK);
    CHECK(n == 2);
    if (n == 2) {
        CHECK(e[0].start_min == 0 && e[0].end_min == 120);   /* 05:00-07:00 */
        CHECK(e[1].start_min == 1020 && e[1].end_min == 1440); /* 22:00-05:00 (end) */
    }
    free(e);
    pvs_rights_free(&r);
}

/* On the spring-forward night 01:00-05:00 local lasts three hours, not four. */
static void test_dst(void)
{
    pvs_rights r;
    int64_t nb = local("2026-03-29", 0);
    CHECK(pvs_rights_init(&r, nb, nb + 24 * 3600) == PV_OK);
    pvs_grant g = grant(40, 1, "2026-01-01", NULL, 0x7F, 60, 300);
    CHECK(pvs_rights_add_grant(&r, &g) == PV_OK);
    pv_entry *e;
    size_t n;
    CHECK(pvs_rights_finish(&r, &e, &n) == PV_OK);
    CHECK(n == 1 && e[0].start_min == 60 && e[0].end_min - e[0].start_min == 180);
    free(e);
    pvs_rights_free(&r);
}

static void test_limits(void)
{
    pvs_rights r;
    int64_t nb = local("2026-11-24", 0);
    CHECK(pvs_rights_init(&r, nb + 30, nb + 3600) == PV_E_RANGE); /* not a whole minute */
    CHECK(pvs_rights_init(&r, nb, nb + PV_CRED_MAX_LIFETIME_S + 60) == PV_E_RANGE);
    CHECK(pvs_rights_init(&r, nb, nb) == PV_E_RANGE);
    /* no rights: an empty list, not an error */
    CHECK(pvs_rights_init(&r, nb, nb + 3600) == PV_OK);
    pv_entry *e = (pv_entry *)1;
    size_t n = 9;
    CHECK(pvs_rights_finish(&r, &e, &n) == PV_OK && n == 0 && e == NULL);
    pvs_rights_free(&r);
}

static void test_periods(void)
{
    pvs_period p[] = {{1, 7, day("2026-01-01"), day("2026-11-25")},
                      {2, 8, day("2026-11-25"), PVS_DAY_OPEN}};
    CHECK(pvs_periods_provider_at(p, 2, day("2026-11-24")) == 7);
    CHECK(pvs_periods_provider_at(p, 2, day("2026-11-25")) == 8);
    CHECK(pvs_periods_provider_at(p, 2, day("2025-11-25")) == 0);
    CHECK(pvs_periods_overlap(p, 2, 8, day("2026-11-20"), day("2026-11-26")));
    CHECK(!pvs_periods_overlap(p, 2, 8, day("2026-11-20"), day("2026-11-25")));
    CHECK(!pvs_periods_overlap(p, 2, 9, day("2026-01-01"), PVS_DAY_OPEN));
}


/* Random grants against a second, naive computation: for every lock, the set of minutes
 * covered by the entries equals the set computed minute by minute from the grants with
 * mktime (no day table, no merging, no sorting). */
static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

static void test_against_naive(void)
{
    enum { LOCKS = 12, GRANTS = 300, LIFE_MIN = 36 * 60 };
    static uint8_t want[LOCKS][LIFE_MIN], got[LOCKS][LIFE_MIN];
    memset(want, 0, sizeof want);
    memset(got, 0, sizeof got);
    uint32_t seed = 12345;
    int64_t nb = local("2026-03-28", 17 * 60); /* spans the spring-forward night */
    pvs_rights r;
    CHECK(pvs_rights_init(&r, nb, nb + LIFE_MIN * 60) == PV_OK);
    for (int i = 0; i < GRANTS; i++) {
        pvs_grant g = {(uint32_t)(lcg(&seed) % LOCKS) + 1, 1, day("2026-03-25") + (int32_t)(lcg(&seed) % 6),
                       0, 1, {{0}}};
        g.until_day = g.from_day + 1 + (int32_t)(lcg(&seed) % 4);
        uint16_t a = (uint16_t)(lcg(&seed) % 1440), b = (uint16_t)(1 + lcg(&seed) % 1440);
        if (a == b)
            b = (uint16_t)(a + 1);
        g.windows[0] = (pvs_window){(uint8_t)(1 + lcg(&seed) % 127), a, b};
        CHECK(pvs_rights_add_grant(&r, &g) == PV_OK);
        /* naive: every day of the grant, every minute of the window, clipped */
        for (int32_t d = g.from_day - 1; d < g.until_day; d++) {
            if (d < g.from_day || !(g.windows[0].days & (1u << (pvs_weekday(d) - 1))))
                continue;
            unsigned to = b > a ? b : 1440u + b;
            int64_t lo = pvs_local_time(d, a), hi = pvs_local_time(d, to);
            int64_t dlo = pvs_local_time(g.from_day, 0), dhi = pvs_local_time(g.until_day, 0);
            for (int64_t t = lo; t < hi; t += 60)
                if (t >= nb && t < nb + LIFE_MIN * 60 && t >= dlo && t + 60 <= dhi)
                    want[g.lock_id - 1][(t - nb) / 60] = 1;
        }
    }
    pv_entry *e;
    size_t n;
    CHECK(pvs_rights_finish(&r, &e, &n) == PV_OK && n > 0);
    check_sorted(e, n);
    for (size_t i = 0; i < n; i++)
        for (unsigned m = e[i].start_min; m < e[i].end_min && m < LIFE_MIN; m++)
            got[e[i].lock_id - 1][m] = 1;
    CHECK(memcmp(want, got, sizeof want) == 0);
    free(e);
    pvs_rights_free(&r);
}

int main(void)
{
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    test_calendar();
    test_windows_codec();
    test_weekly_and_validity();
    test_derived_entrances();
    test_overnight();
    test_dst();
    test_limits();
    test_periods();
    test_against_naive();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("test_domain_rights: all checks passed\n");
    return failures != 0;
}
