/* import.provider_changes_per_s: a 4,000-row care-planning file of provider changes (a
 * city's year) decoded, judged and applied through the real SQLite store in one transaction,
 * against `reference` = the same 4,000 changes written directly (close the old period, open
 * the new one: two statements each, one transaction) in the same run, on a second set of
 * recipients. The ratio says what the import's checks, lookups and audit entries cost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../server/rules/calendar.h"
#include "../server/services/care_import.h"
#include "../tests/server/domain_fixture.h"

#define N 4000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* N recipients with alarm codes <prefix>-<i>, each with `prov` from 2026-06-01. */
static void recipients(dfx *f, const char *prefix, int64_t building, int64_t prov, int64_t *ids)
{
    char code[32];
    for (int i = 0; i < N; i++) {
        snprintf(code, sizeof code, "%s-%05d", prefix, i);
        if (pvs_query_i64(f->db, "INSERT INTO recipients (alarm_code, building_id, created_at)"
                                 " VALUES (?, ?, 0) RETURNING id",
                          PVS_ARGS(PVS_TEXT(code), PVS_I64(building)), &ids[i]) != PVS_DB_OK)
            exit(2);
        dfx_period(f, ids[i], prov, "2026-06-01", NULL);
    }
}

static const char *date_of(int i, char out[PVS_DATE_LEN])
{
    unsigned u = (unsigned)i; /* months 02-11, days 01-28: the compiler sees they fit */
    snprintf(out, PVS_DATE_LEN, "2027-%02u-%02u", 2 + u % 10, 1 + u % 28);
    return out;
}

/* The reference: the same changes as plain statements in one transaction. */
static double direct(dfx *f, const int64_t *ids, int64_t nord)
{
    char d[PVS_DATE_LEN];
    double t0 = now_s();
    dfx_begin(f);
    for (int i = 0; i < N; i++) {
        date_of(i, d);
        if (pvs_exec(f->db, "UPDATE recipient_providers SET valid_until = ? WHERE recipient_id = ?"
                            " AND valid_until IS NULL",
                     PVS_ARGS(PVS_TEXT(d), PVS_I64(ids[i]))) != 1 ||
            pvs_exec(f->db, "INSERT INTO recipient_providers (recipient_id, provider_id, valid_from,"
                            " created_at) VALUES (?, ?, ?, 0)",
                     PVS_ARGS(PVS_I64(ids[i]), PVS_I64(nord), PVS_TEXT(d))) != 1)
            exit(3);
    }
    dfx_commit(f);
    return now_s() - t0;
}

int main(void)
{
    dfx f;
    dfx_open(&f);
    static int64_t a[N], b[N];
    dfx_begin(&f);
    int64_t syd = dfx_provider(&f, "Omsorg Syd"), nord = dfx_provider(&f, "Omsorg Nord");
    int64_t building = dfx_building(&f, dfx_owner(&f));
    recipients(&f, "IMP", building, syd, a);
    recipients(&f, "REF", building, syd, b);
    dfx_commit(&f);
    char *file = malloc(N * 64 + 64), d[PVS_DATE_LEN];
    size_t n = (size_t)sprintf(file, "record;alarm_code;address;apartment;provider;date\n");
    for (int i = 0; i < N; i++)
        n += (size_t)sprintf(file + n, "provider_change;IMP-%05d;;;Omsorg Nord;%s\n", i, date_of(i, d));
    static pvs_imp_file imp;
    pvs_imp_result res;
    const struct pvs_audit_actor who = {0, "bench", "cli", "local", "bench"};
    double t0 = now_s();
    int rc = pvs_imp_parse(file, n, &imp) ? pvs_care_import(f.db, &who, &imp, true,
                                                            pvs_days_from_civil(2027, 1, 1), &res)
                                          : PVS_DB_ERROR;
    double t_import = now_s() - t0;
    bool ok = rc == PVS_DB_OK && res.applied && res.changed == N;
    double t_direct = direct(&f, b, nord);
    double v = N / t_import, ref = N / t_direct;
    printf("{\"name\":\"import.provider_changes_per_s\",\"value\":%.0f,\"unit\":\"changes/s\","
           "\"reference\":%.0f,\"reference_name\":\"the same changes as direct SQL, one transaction"
           " (SQLite)\",\"ratio\":%.3f,\"n\":%d,\"failed\":%d}\n",
           v, ref, v / ref, N, ok ? 0 : 1);
    if (rc == PVS_DB_OK)
        pvs_care_import_free(&res);
    pvs_imp_free(&imp);
    free(file);
    dfx_close(&f);
    return ok ? 0 : 1;
}
