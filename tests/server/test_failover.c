/* The database primary dies under load and its standby takes over: a primary with a
 * synchronous streaming-replication standby (Debian's PostgreSQL, scripts/pg-cluster.sh),
 * a server on both through a multi-host conninfo (target_session_attrs=read-write), a child
 * writing (new providers) and syncing a phone key as fast as answers come. The primary's
 * processes are killed with SIGKILL and the standby promoted; the same server process
 * must keep serving on the promoted standby by itself, and afterwards every acknowledged
 * write and sync is there exactly once and the audit chain verifies. Prints the figures
 * failover.gap_ms (from the kill to the first acknowledged write after it, with the
 * promotion's own time as reference), failover.unavailable_s and failover.lost_events.
 * Usage: test_failover EXE DIR SOURCE_DIR */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pvs/store.h"
#include "pvt.h"

#define LOAD_BEFORE_MS 1500 /* load on the healthy pair before the kill */
#define LOAD_AFTER_MS 2500  /* load kept up after the promotion */
#define MAX_OPS 20000       /* the child's bound */

static char TOP[64], SCRIPT[700];
static struct pvt_server S;
static struct pvt_client ADMIN;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* `pg-cluster.sh VERB TOP/a [TOP/b]`; its first output line into out (if given). */
static int cluster(const char *verb, const char *a, const char *b, char *out, size_t cap)
{
    char cmd[2000];
    int n0 = snprintf(cmd, sizeof cmd, "sh '%s' %s '%s/%s'", SCRIPT, verb, TOP, a);
    if (b)
        snprintf(cmd + n0, sizeof cmd - (size_t)n0, " '%s/%s'", TOP, b);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = out ? fread(out, 1, cap - 1, p) : 0;
    if (out) {
        out[n] = '\0';
        out[strcspn(out, "\n")] = '\0';
    }
    return pclose(p) == 0 ? 0 : -1;
}

/* One operation of the load: a new provider (a write) or a sync (a credential). */
struct op {
    double sent, answered;
    long status;
    int kind; /* 0 write, 1 sync */
    int n;    /* the write's number (its provider is "Last <n>") */
    int64_t serial;
};

static void load(int64_t bearer, const uint8_t sk[64], int stop_fd, int out_fd)
{
    for (int n = 0; n < MAX_OPS; n++) {
        char c, body[80];
        if (read(stop_fd, &c, 1) == 0)
            break;
        struct op o = {.sent = now_ms(), .kind = n % 2, .n = n};
        if (o.kind == 0) {
            struct pvt_resp r;
            snprintf(body, sizeof body, "{\"name\":\"Last %d\"}", n);
            o.status = pvt_req(&S, &ADMIN, "POST", "/api/v1/providers", body, &r) == 0 ? r.status : -1;
            pvt_resp_free(&r);
        } else {
            json_decref(pvt_sync_phone(&S, bearer, sk, &o.status));
        }
        o.answered = now_ms();
        if (write(out_fd, &o, sizeof o) != (ssize_t)sizeof o)
            break;
        if (o.status >= 500 || o.status < 0)
            usleep(20 * 1000); /* a client retrying after a refusal */
    }
}

/* A phone key for the syncs; its secret key into sk. */
static int64_t make_phone(uint8_t sk[64])
{
    uint8_t pk[32];
    char body[300], hex[65];
    struct pvt_resp r;
    int64_t prov = pvt_create_provider(&S, &ADMIN, "Hemtjänst Väst"), staff = -1, bearer = -1;
    snprintf(body, sizeof body, "{\"display_name\":\"Ida\",\"provider_id\":%lld}", (long long)prov);
    if (pvt_req(&S, &ADMIN, "POST", "/api/v1/staff", body, &r) == 0 && r.status == 201)
        staff = json_integer_value(json_object_get(r.json, "id"));
    pvt_resp_free(&r);
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof hex, pk, 32);
    snprintf(body, sizeof body, "{\"staff_id\":%lld,\"kind\":\"phone\",\"label\":\"K-0700\","
             "\"public_key\":\"%s\"}", (long long)staff, hex);
    if (pvt_req(&S, &ADMIN, "POST", "/api/v1/bearers", body, &r) == 0 && r.status == 201)
        bearer = json_integer_value(json_object_get(r.json, "id"));
    CHECK(bearer > 0, "a phone key: %ld %s", r.status, r.body ? r.body : "");
    pvt_resp_free(&r);
    return bearer;
}

struct tally {
    int ops, writes_ok, syncs_ok, syncs_refused, refused, lost, twice;
    double first_ok_after, last_refused, first_refused;
};

/* Every acknowledged write must be in the promoted database exactly once. */
static void check_write(pvs_db *db, const struct op *o, struct tally *t)
{
    char name[40];
    int64_t n = -1;
    snprintf(name, sizeof name, "Last %d", o->n);
    if (pvs_query_i64(db, "SELECT COUNT(*) FROM providers WHERE name = ?", PVS_ARGS(PVS_TEXT(name)),
                      &n) != PVS_DB_OK)
        n = -1;
    t->lost += n < 1;
    t->twice += n > 1;
}

/* The key has no doors, so its syncs carry no serial to find them by: the ok sync rows must
 * number at least the acknowledged syncs, at most those plus the ones refused (a commit
 * whose answer was lost with the primary). */
static void check_syncs(pvs_db *db, int64_t bearer, struct tally *t)
{
    int64_t n = -1;
    if (pvs_query_i64(db, "SELECT COUNT(*) FROM syncs WHERE bearer_id = ? AND result = 'ok'",
                      PVS_ARGS(PVS_I64(bearer)), &n) != PVS_DB_OK)
        n = -1;
    t->lost += n < t->syncs_ok ? (int)(t->syncs_ok - n) : 0;
    t->twice += n > t->syncs_ok + t->syncs_refused;
}

static void tally_ops(int fd, double killed, const char *dsn, int64_t bearer, struct tally *t)
{
    pvs_db *db = NULL;
    char err[300];
    struct op o;
    memset(t, 0, sizeof *t);
    CHECK(pvs_db_open(&pvs_postgres_ops, dsn, &db, err, sizeof err) == PVS_DB_OK,
          "the promoted database: %s", err);
    while (db && read(fd, &o, sizeof o) == (ssize_t)sizeof o) {
        t->ops++;
        bool ok = o.kind == 0 ? o.status == 201 : o.status == 200;
        if (!ok) {
            CHECK(o.status == 503 || o.status < 0, "a refusal during the failover is a 503: %s %ld",
                  o.kind ? "sync" : "write", o.status);
            t->syncs_refused += o.kind == 1;
            if (!t->refused++)
                t->first_refused = o.sent;
            t->last_refused = o.answered;
            continue;
        }
        if (o.kind == 0 && o.sent > killed && t->first_ok_after == 0)
            t->first_ok_after = o.answered;
        if (o.kind == 0) {
            t->writes_ok++;
            check_write(db, &o, t);
        } else {
            t->syncs_ok++;
        }
    }
    if (db)
        check_syncs(db, bearer, t);
    pvs_db_close(db);
}

static void failover(const char *dsn, int64_t bearer, const uint8_t sk[64])
{
    int stop[2], out[2];
    CHECK(pipe(stop) == 0 && pipe(out) == 0, "pipes");
    fcntl(stop[0], F_SETFL, O_NONBLOCK);
    pid_t child = fork();
    if (child == 0) {
        close(stop[1]);
        close(out[0]);
        load(bearer, sk, stop[0], out[1]);
        _exit(0);
    }
    close(stop[0]);
    close(out[1]);
    usleep(LOAD_BEFORE_MS * 1000);
    CHECK(cluster("kill", "primary", NULL, NULL, 0) == 0, "primary killed");
    double killed = now_ms(), promoting = killed; /* from here no write can reach it */
    CHECK(cluster("promote", "standby", NULL, NULL, 0) == 0, "standby promoted");
    double promoted = now_ms();
    usleep(LOAD_AFTER_MS * 1000);
    close(stop[1]);
    struct tally t;
    tally_ops(out[0], killed, dsn, bearer, &t);
    close(out[0]);
    waitpid(child, NULL, 0);
    printf("failover: %d operations (%d writes, %d syncs acknowledged, %d refused while the"
           " standby took over), %d acknowledged missing, %d stored twice\n",
           t.ops, t.writes_ok, t.syncs_ok, t.refused, t.lost, t.twice);
    CHECK(t.first_ok_after > 0, "a write acknowledged after the kill");
    CHECK(t.lost == 0 && t.twice == 0, "every acknowledged write and sync there exactly once");
    CHECK(t.writes_ok > 10 && t.syncs_ok > 10, "load before and after");
    printf("{\"name\":\"failover.gap_ms\",\"value\":%.0f,\"unit\":\"ms\",\"reference\":%.0f,"
           "\"ratio\":%.2f}\n", t.first_ok_after - killed, promoted - promoting,
           (t.first_ok_after - killed) / (promoted - promoting));
    printf("{\"name\":\"failover.unavailable_s\",\"value\":%.2f,\"unit\":\"s\"}\n",
           t.refused ? (t.last_refused - t.first_refused) / 1e3 : 0.0);
    printf("{\"name\":\"failover.lost_events\",\"value\":%d,\"unit\":\"events\"}\n", t.lost);
}

static int start_pair(char *dsn, size_t cap)
{
    char p[600], s[600];
    setenv("PVS_PG_EXTRA", "-c synchronous_standby_names='*' -c synchronous_commit=on", 1);
    int rc = cluster("start", "primary", NULL, p, sizeof p);
    unsetenv("PVS_PG_EXTRA");
    if (rc != 0 || cluster("standby", "standby", "primary", s, sizeof s) != 0) {
        fprintf(stderr, "test_failover: no PostgreSQL pair (scripts/install-deps.sh)\n");
        return -1;
    }
    /* libpq tries the hosts in order and takes the one that accepts writes */
    snprintf(dsn, cap, "host=%s/primary,%s/standby port=5432,5432 user=postgres dbname=postgres"
             " target_session_attrs=read-write connect_timeout=5", TOP, TOP);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    /* in /tmp: as root the clusters run as postgres, which must enter the directory */
    snprintf(TOP, sizeof TOP, "/tmp/pvs-failover.XXXXXX");
    if (!mkdtemp(TOP) || chmod(TOP, 0755) != 0) {
        perror("test_failover: temporary directory");
        return 1;
    }
    snprintf(SCRIPT, sizeof SCRIPT, "%s/scripts/pg-cluster.sh", argv[3]);
    char dsn[900];
    uint8_t sk[64];
    if (start_pair(dsn, sizeof dsn) == 0) {
        setenv("PVS_TEST_BACKEND", "postgresql", 1);
        setenv("PVS_TEST_PG_DSN", dsn, 1);
        if (pvt_start(&S, argv[1], argv[2], NULL) == 0 && pvt_login_admin(&S, &ADMIN) == 0) {
            int64_t bearer = make_phone(sk);
            if (bearer > 0)
                failover(S.db, bearer, sk);
            char cmd[1500];
            snprintf(cmd, sizeof cmd, "'%s' audit-verify --db '%s' >/dev/null", S.exe, S.db);
            CHECK(system(cmd) == 0, "the audit chain verifies on the promoted standby");
        } else {
            CHECK(0, "server start on the pair");
        }
        CHECK(pvt_stop(&S) == 0, "the server stops cleanly");
    } else {
        pvt_failures++;
    }
    cluster("stop", "primary", NULL, NULL, 0);
    cluster("stop", "standby", NULL, NULL, 0);
    rmdir(TOP);
    sodium_memzero(sk, sizeof sk);
    printf("test_failover: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
