/* The audit trail over real HTTP: every administrative change leaves one record with who,
 * what, when and from where; providers see only their own records; the chain verifies, and
 * a record changed or removed in the database is found by the API and by the CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvs/store.h"
#include "pvt.h"

static int run(const char *const *argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", 1);
        if (fd >= 0)
            dup2(fd, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static json_t *find_action(json_t *items, const char *action)
{
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        const char *a = json_string_value(json_object_get(it, "action"));
        if (a && strcmp(a, action) == 0)
            return it;
    }
    return NULL;
}

static void t_records(struct pvt_server *s, struct pvt_client *admin)
{
    int64_t p1 = pvt_create_provider(s, admin, "Audit Omsorg AB");
    int64_t p2 = pvt_create_provider(s, admin, "Other Omsorg AB");
    struct pvt_client pa, pb;
    CHECK(pvt_create_user(s, admin, "audit-pa", "provider_admin", p1, &pa) == 0, "pa");
    CHECK(pvt_create_user(s, admin, "audit-pb", "provider_admin", p2, &pb) == 0, "pb");
    struct pvt_client planner;
    CHECK(pvt_create_user(s, &pa, "audit-planner", "planner", 0, &planner) == 0,
          "provider admin creates its planner");
    struct pvt_resp r;
    CHECK(pvt_req(s, admin, "GET", "/api/v1/audit?limit=500", NULL, &r) == 0 && r.status == 200, "list");
    json_t *items = json_object_get(r.json, "items");
    json_t *rec = find_action(items, "provider.create");
    CHECK(rec && strcmp(json_string_value(json_object_get(rec, "actor_name")), "admin") == 0 &&
              strcmp(json_string_value(json_object_get(rec, "client_addr")), "127.0.0.1") == 0 &&
              json_integer_value(json_object_get(rec, "at")) >= PVT_T0 &&
              strlen(json_string_value(json_object_get(rec, "request_id"))) == 16,
          "who, when, from where recorded");
    CHECK(find_action(items, "system.init") && find_action(items, "user.create") &&
              find_action(items, "user.totp_enrolled"), "init, user creation and enrolment recorded");
    pvt_resp_free(&r);
    CHECK(pvt_req(s, &pa, "GET", "/api/v1/audit?limit=500", NULL, &r) == 0 && r.status == 200, "pa list");
    items = json_object_get(r.json, "items");
    bool only_own = json_array_size(items) > 0;
    for (size_t i = 0; i < json_array_size(items); i++)
        only_own = only_own && json_integer_value(json_object_get(json_array_get(items, i), "provider_id")) == p1;
    CHECK(only_own, "a provider admin sees only its provider's records (%zu)", json_array_size(items));
    CHECK(strstr(r.body, "audit-pb") == NULL && strstr(r.body, "Other Omsorg") == NULL,
          "no trace of the other provider");
    pvt_resp_free(&r);
    CHECK(pvt_req(s, &planner, "GET", "/api/v1/audit", NULL, &r) == 0 && r.status == 403,
          "a planner may not read the audit trail: %ld", r.status);
    pvt_resp_free(&r);
    CHECK(pvt_req(s, &pa, "GET", "/api/v1/audit/verify", NULL, &r) == 0 && r.status == 403,
          "chain verification is central: %ld", r.status);
    pvt_resp_free(&r);
    struct pvt_client paud;
    CHECK(pvt_create_user(s, &pa, "audit-provider-auditor", "auditor", 0, &paud) == 0, "auditor");
    CHECK(pvt_req(s, &paud, "GET", "/api/v1/audit/verify", NULL, &r) == 0 && r.status == 403,
          "a provider's auditor does not see the whole chain: %ld", r.status);
    pvt_resp_free(&r);
}

static void t_verify_and_tamper(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_resp r;
    CHECK(pvt_req(s, admin, "GET", "/api/v1/audit/verify", NULL, &r) == 0 && r.status == 200 &&
              json_is_true(json_object_get(r.json, "ok")) &&
              json_integer_value(json_object_get(r.json, "records")) > 5,
          "chain verifies: %s", r.body);
    pvt_resp_free(&r);
    const char *verify[] = {s->exe, "audit-verify", "--db", s->db, NULL};
    CHECK(run(verify) == 0, "CLI agrees");
    struct pvs_db *db = NULL;
    if (pvt_db_open(s, &db, true) != 0)
        return;
    char addr[512] = ""; /* a user's address is stored sealed (pvs/audit_seal.h) */
    CHECK(pvs_query_text(db, "SELECT client_addr FROM audit_log WHERE seq = 3", PVS_NOARGS, addr,
                         sizeof addr) == PVS_DB_OK, "record 3's address");
    CHECK(pvs_exec(db, "UPDATE audit_log SET client_addr = '10.6.6.6' WHERE seq = 3", PVS_NOARGS) == 1,
          "tamper");
    CHECK(pvt_req(s, admin, "GET", "/api/v1/audit/verify", NULL, &r) == 0 && r.status == 200 &&
              json_is_false(json_object_get(r.json, "ok")) &&
              json_integer_value(json_object_get(r.json, "first_bad_seq")) == 3,
          "a changed record is found: %s", r.body);
    pvt_resp_free(&r);
    CHECK(run(verify) == 1, "CLI exits 1 on a broken trail");
    /* recomputing the record's own hash is not enough: the next record links to the old one */
    CHECK(pvs_exec(db, "UPDATE audit_log SET client_addr = ? WHERE seq = 3",
                   PVS_ARGS(PVS_TEXT(addr))) == 1, "undo");
    CHECK(run(verify) == 0, "restored");
    CHECK(pvs_exec(db, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)", PVS_NOARGS) == 1,
          "drop the newest record");
    CHECK(run(verify) == 1, "a removed newest record is found");
    pvs_db_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    struct pvt_server s;
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0)
        return 1;
    struct pvt_client admin;
    CHECK(pvt_login_admin(&s, &admin) == 0, "admin");
    t_records(&s, &admin);
    t_verify_and_tamper(&s, &admin);
    CHECK(pvt_stop(&s) == 0, "stop");
    printf("test_audit: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
