/* A departed recipient (server/services/depart.c): the departure ends the provider period on
 * the date, ends current rights the day before and deletes later ones, refuses a past date
 * and a second departure, and is audited; the purge erases the recipient once
 * retain-departed-days have passed — the alarm code is then in no copy of the database, the
 * erasure is audited and `audit-verify` passes. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pvs/store.h"
#include "pvt.h"

#define WINDOWS "[{\"days\":[1,2,3,4,5,6,7],\"from\":\"07:00\",\"to\":\"22:00\"}]"
#define CODE "LA-FLYTT-7788"

static struct pvt_server S;
static struct pvt_client ADMIN;

/* One request as the administrator expecting `status`; the JSON answer (or NULL). */
static json_t *call(const char *method, const char *path, long status, const char *fmt, ...)
{
    char body[1024] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
    }
    struct pvt_resp r;
    int rc = pvt_req(&S, &ADMIN, method, path, fmt ? body : NULL, &r);
    CHECK(rc == 0 && r.status == status, "%s %s: %ld, wanted %ld: %s", method, path, r.status,
          status, r.body ? r.body : "");
    json_t *j = r.json ? json_incref(r.json) : NULL;
    pvt_resp_free(&r);
    return j;
}

static int64_t id_of(json_t *j)
{
    int64_t id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool in_copy(const char *needle)
{
    size_t len = 0;
    char *copy = pvt_db_copy(&S, &len);
    bool found = copy && memmem(copy, len, needle, strlen(needle)) != NULL;
    CHECK(copy && len > 4096, "a database copy to search");
    free(copy);
    return found;
}

static void check_departure(int64_t rec, int64_t now_right, int64_t later_right)
{
    char path[120];
    snprintf(path, sizeof path, "/api/v1/recipients/%lld/departure", (long long)rec);
    json_t *j = call("POST", path, 400, "{\"date\":\"2026-03-01\"}");
    CHECK(j && strstr(json_string_value(json_object_get(j, "type")), "departure-date-past"),
          "a past date is refused");
    json_decref(j);
    j = call("POST", path, 200, "{\"date\":\"2026-03-10\"}");
    CHECK(json_integer_value(json_object_get(j, "rights_ended")) == 1 &&
              json_integer_value(json_object_get(j, "rights_deleted")) == 1,
          "one right ends, the later one is deleted");
    json_decref(j);
    json_decref(call("POST", path, 409, "{\"date\":\"2026-03-11\"}"));
    json_decref(call("POST", "/api/v1/recipients/999999/departure", 404, "{\"date\":\"2026-03-11\"}"));
    snprintf(path, sizeof path, "/api/v1/rights/%lld", (long long)now_right);
    j = call("GET", path, 200, NULL);
    CHECK(j && strcmp(json_string_value(json_object_get(j, "valid_until")), "2026-03-09") == 0,
          "the current right ends the day before");
    json_decref(j);
    snprintf(path, sizeof path, "/api/v1/rights/%lld", (long long)later_right);
    json_decref(call("GET", path, 404, NULL));
    snprintf(path, sizeof path, "/api/v1/audit?object_type=recipient&object_id=%lld", (long long)rec);
    j = call("GET", path, 200, NULL);
    json_t *it;
    size_t i;
    bool audited = false;
    json_array_foreach(json_object_get(j, "items"), i, it)
        audited = audited || strcmp(json_string_value(json_object_get(it, "action")),
                                    "recipient.depart") == 0;
    CHECK(audited, "the departure is audited");
    json_decref(j);
}

static void check_purge(void)
{
    char cmd[3000];
    CHECK(in_copy(CODE), "(the alarm code is stored before the purge)");
    snprintf(cmd, sizeof cmd, "'%s' purge --db '%s' --sim-clock --now %lld > '%s/purge.out'",
             S.exe, S.db, (long long)(PVT_T0 + 700 * 86400LL), S.dir);
    CHECK(run(cmd) == 0, "purge before the retention has passed");
    CHECK(in_copy(CODE), "the departed recipient is kept for retain-departed-days");
    snprintf(cmd, sizeof cmd, "'%s' purge --db '%s' --sim-clock --now %lld > '%s/purge.out'",
             S.exe, S.db, (long long)(PVT_T0 + 760 * 86400LL), S.dir);
    CHECK(run(cmd) == 0, "purge after it");
    snprintf(cmd, sizeof cmd, "%s/purge.out", S.dir);
    size_t len = 0;
    char *out = pvt_slurp(cmd, &len);
    CHECK(out && strstr(out, "1 departed recipients"), "one departed recipient erased: %s", out);
    free(out);
    CHECK(!in_copy(CODE), "the alarm code is in no copy of the database after the purge");
    snprintf(cmd, sizeof cmd, "'%s' audit-verify --db '%s' >/dev/null", S.exe, S.db);
    CHECK(run(cmd) == 0, "the audit chain verifies");
    pvs_db *db = NULL;
    int64_t n = 0;
    CHECK(pvt_db_open(&S, &db, false) == 0 &&
              pvs_query_i64(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.erase'"
                                " AND object_type = 'recipient'", PVS_NOARGS, &n) == PVS_DB_OK &&
              n == 1, "the erasure is audited");
    pvs_db_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (pvt_start(&S, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&S, &ADMIN) != 0)
        return 1;
    int64_t prov = pvt_create_provider(&S, &ADMIN, "Hemtjänst Flytt");
    int64_t owner = id_of(call("POST", "/api/v1/owners", 201, "{\"name\":\"Bostäder AB\"}"));
    int64_t building = id_of(call("POST", "/api/v1/buildings", 201,
                                  "{\"owner_id\":%lld,\"address\":\"Flyttgatan 3\"}", (long long)owner));
    int64_t rec = id_of(call("POST", "/api/v1/recipients", 201,
                             "{\"alarm_code\":\"" CODE "\",\"building_id\":%lld,\"provider_id\":%lld}",
                             (long long)building, (long long)prov));
    int64_t staff = id_of(call("POST", "/api/v1/staff", 201,
                               "{\"display_name\":\"Cecilia Berg\",\"provider_id\":%lld}", (long long)prov));
    int64_t now_right = id_of(call("POST", "/api/v1/rights", 201,
        "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\",\"kind\":\"standing\","
        "\"windows\":" WINDOWS "}", (long long)staff, (long long)rec));
    int64_t later_right = id_of(call("POST", "/api/v1/rights", 201,
        "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-20\",\"valid_until\":"
        "\"2026-03-20\",\"kind\":\"temporary\",\"windows\":" WINDOWS "}", (long long)staff,
        (long long)rec));
    check_departure(rec, now_right, later_right);
    CHECK(pvt_stop(&S) == 0, "stopped");
    check_purge();
    if (pvt_failures)
        fprintf(stderr, "test_departure: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
