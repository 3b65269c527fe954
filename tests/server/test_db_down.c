/* The database goes away under a running server (PostgreSQL stopped, then started again):
 * every API answer meanwhile is a 503 problem+json that says so, with Retry-After, and
 * nothing half-written; once the database is back the same server answers again on
 * connections it re-established by itself. Runs its own throwaway cluster
 * (scripts/pg-cluster.sh), since it stops it. Usage: test_db_down EXE DIR SOURCE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pvt.h"

static char CLUSTER[700], SCRIPT[700];

static int cluster(const char *verb, char *out, size_t cap)
{
    return pvt_pg_cluster(SCRIPT, verb, CLUSTER, NULL, out, cap);
}

static long get(struct pvt_server *s, struct pvt_client *c, const char *method, const char *body,
                struct pvt_resp *r)
{
    return pvt_req(s, c, method, "/api/v1/providers", body, r) == 0 ? r->status : -1;
}

static void while_down(struct pvt_server *s, struct pvt_client *admin)
{
    const char *const methods[] = {"GET", "POST"};
    for (int i = 0; i < 2; i++) {
        struct pvt_resp r;
        long st = get(s, admin, methods[i], i ? "{\"name\":\"Under avbrottet AB\"}" : NULL, &r);
        CHECK(st == 503 && strcmp(pvt_problem_type(&r), "database-unavailable") == 0 &&
                  strstr(r.content_type, "application/problem+json") &&
                  r.headers && strstr(r.headers, "Retry-After:"),
              "%s with the database gone: %ld %s", methods[i], st, r.body ? r.body : "");
        pvt_resp_free(&r);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    /* in /tmp, not the build tree: as root the cluster runs as the postgres user, which cannot
     * enter a build tree under a home directory (e.g. /root on a fresh machine) */
    char top[] = "/tmp/pvs-db-down.XXXXXX";
    if (!mkdtemp(top) || chmod(top, 0755) != 0) {
        perror("test_db_down: temporary directory");
        return 1;
    }
    snprintf(CLUSTER, sizeof CLUSTER, "%s/cluster", top);
    snprintf(SCRIPT, sizeof SCRIPT, "%s/scripts/pg-cluster.sh", argv[3]);
    char dsn[900];
    cluster("stop", NULL, 0);
    if (cluster("start", dsn, sizeof dsn) != 0) {
        fprintf(stderr, "test_db_down: no PostgreSQL cluster (scripts/install-deps.sh)\n");
        return 1;
    }
    setenv("PVS_TEST_BACKEND", "postgresql", 1);
    setenv("PVS_TEST_PG_DSN", dsn, 1);
    struct pvt_server s;
    struct pvt_client admin;
    struct pvt_resp r;
    if (pvt_start(&s, argv[1], argv[2], NULL) == 0 && pvt_login_admin(&s, &admin) == 0) {
        CHECK(get(&s, &admin, "GET", NULL, &r) == 200, "providers before");
        pvt_resp_free(&r);
        CHECK(cluster("halt", NULL, 0) == 0, "database stopped");
        while_down(&s, &admin);
        CHECK(cluster("resume", NULL, 0) == 0, "database started again");
        CHECK(get(&s, &admin, "POST", "{\"name\":\"Efter avbrottet AB\"}", &r) == 201,
              "the same server writes again: %ld %s", r.status, r.body ? r.body : "");
        pvt_resp_free(&r);
        CHECK(get(&s, &admin, "GET", NULL, &r) == 200 && r.body &&
                  strstr(r.body, "Efter avbrottet AB") && !strstr(r.body, "Under avbrottet AB"),
              "what was refused is not there, what came after is: %s", r.body ? r.body : "");
        pvt_resp_free(&r);
    } else {
        CHECK(0, "server start");
    }
    CHECK(pvt_stop(&s) == 0, "server stops cleanly");
    cluster("stop", NULL, 0);
    rmdir(top);
    printf("test_db_down: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
