/* Personal data out of the permanent record (server/audit/audit_seal.c, core/erase.c,
 * services/erase.c): the audit trail stores a staff member's name, employee number, the
 * acting planner's user name and address only sealed or by pseudonym, while an auditor reads
 * them in clear; `portvakt-server erase` refuses an active person, and after it a copy of the
 * database (SQLite file and log, or a pg_dump) holds none of the values, the records show them
 * erased and `audit-verify` still passes. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pvs/store.h"
#include "pvt.h"

#define NAME "Gunilla Sekretessdotter"
#define SURNAME "Sekretessdotter"
#define EMPLOYEE "ANST-77123"
#define PLANNER "planner.pelle.privat"

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int cli(struct pvt_server *s, const char *args)
{
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "'%s' %s --db '%s' >/dev/null", s->exe, args, s->db);
    return run(cmd);
}

/* How many times `needle` occurs in a copy of the database. */
static int in_copy(struct pvt_server *s, const char *needle)
{
    size_t len = 0;
    char *copy = pvt_db_copy(s, &len);
    CHECK(copy && len > 4096, "a database copy to search");
    int hits = 0;
    for (const char *p = copy; copy && (p = memmem(p, len - (size_t)(p - copy), needle,
                                                     strlen(needle))); p++)
        hits++;
    free(copy);
    return hits;
}

/* Records stored with a value in clear: the raw columns, not the API. */
static int64_t clear_records(struct pvt_server *s, const char *like)
{
    struct pvs_db *db = NULL;
    int64_t n = -1;
    if (pvt_db_open(s, &db, false) == 0 &&
        pvs_query_i64(db, "SELECT COUNT(*) FROM audit_log WHERE details LIKE ? OR actor_name"
                          " LIKE ? OR client_addr LIKE ?",
                      PVS_ARGS(PVS_TEXT(like), PVS_TEXT(like), PVS_TEXT(like)), &n) != PVS_DB_OK)
        n = -1;
    pvs_db_close(db);
    return n;
}

/* The newest audit record of staff member `id` with `action`, as the auditor reads it. */
static json_t *record(struct pvt_server *s, struct pvt_client *c, int64_t id, const char *action)
{
    char path[200];
    struct pvt_resp r;
    json_t *found = NULL;
    snprintf(path, sizeof path, "/api/v1/audit?object_type=staff&object_id=%lld&limit=100",
             (long long)id);
    if (pvt_req(s, c, "GET", path, NULL, &r) == 0 && r.status == 200) {
        json_t *items = json_object_get(r.json, "items"), *it;
        size_t i;
        json_array_foreach(items, i, it)
            if (strcmp(json_string_value(json_object_get(it, "action")), action) == 0)
                found = it;
        json_incref(found);
    }
    pvt_resp_free(&r);
    return found;
}

static void check_sealed_then_read(struct pvt_server *s, struct pvt_client *admin, int64_t id)
{
    CHECK(clear_records(s, "%" SURNAME "%") == 0, "no record holds the name in clear");
    CHECK(clear_records(s, "%" EMPLOYEE "%") == 0, "no record holds the employee number");
    CHECK(clear_records(s, "%pelle%") == 0, "no record holds the planner's user name");
    CHECK(clear_records(s, "%127.0.0.1%") == 0, "no user's address is stored in clear");
    json_t *rec = record(s, admin, id, "staff.create");
    json_t *d = json_object_get(rec, "details");
    CHECK(rec && strcmp(json_string_value(json_object_get(d, "display_name")), NAME) == 0 &&
              strcmp(json_string_value(json_object_get(d, "employee_ref")), EMPLOYEE) == 0,
          "the auditor reads the name and number");
    CHECK(rec && strcmp(json_string_value(json_object_get(rec, "actor_name")), PLANNER) == 0 &&
              strcmp(json_string_value(json_object_get(rec, "client_addr")), "127.0.0.1") == 0,
          "and who made the change, from where");
    json_decref(rec);
}

static void check_erased(struct pvt_server *s, struct pvt_client *admin, int64_t id)
{
    CHECK(in_copy(s, SURNAME) == 0, "the name is in no copy of the database after erasure");
    CHECK(in_copy(s, EMPLOYEE) == 0, "nor the employee number");
    CHECK(cli(s, "audit-verify") == 0, "the audit chain still verifies after the erasure");
    json_t *rec = record(s, admin, id, "staff.create");
    json_t *name = json_object_get(json_object_get(rec, "details"), "display_name");
    CHECK(rec && json_is_true(json_object_get(name, "erased")), "the record shows it erased");
    json_decref(rec);
    rec = record(s, admin, id, "person.erase");
    CHECK(rec != NULL, "the erasure is itself audited");
    json_decref(rec);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_audit_privacy PORTVAKT_SERVER SCRATCH_DIR\n");
        return 2;
    }
    struct pvt_server s;
    struct pvt_client admin = {0}, planner = {0};
    struct pvt_resp r;
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&s, &admin) != 0)
        return 1;
    int64_t p1 = pvt_create_provider(&s, &admin, "Integritetens Omsorg");
    CHECK(pvt_create_user(&s, &admin, PLANNER, "planner", p1, &planner) == 0, "planner");
    CHECK(pvt_reqf(&s, &planner, "POST", "/api/v1/staff", &r,
                   "{\"display_name\":\"%s\",\"employee_ref\":\"%s\"}", NAME, EMPLOYEE) == 0 &&
              r.status == 201, "staff created: %ld %s", r.status, r.body);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    pvt_resp_free(&r);
    check_sealed_then_read(&s, &admin, id);
    char args[120];
    snprintf(args, sizeof args, "erase --staff %lld", (long long)id);
    CHECK(cli(&s, args) == 3, "an active staff member is not erased");
    CHECK(in_copy(&s, SURNAME) > 0, "(the staff list still holds the name)");
    snprintf(args, sizeof args, "/api/v1/staff/%lld", (long long)id);
    CHECK(pvt_req(&s, &admin, "PATCH", args, "{\"active\":false}", &r) == 0 && r.status == 200,
          "staff member leaves: %ld", r.status);
    pvt_resp_free(&r);
    snprintf(args, sizeof args, "erase --staff %lld", (long long)id);
    CHECK(cli(&s, args) == 0, "erased");
    check_erased(&s, &admin, id);
    CHECK(pvt_stop(&s) == 0, "clean shutdown");
    if (pvt_failures)
        fprintf(stderr, "test_audit_privacy: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
