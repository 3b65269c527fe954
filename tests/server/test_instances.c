/* Two portvakt-server processes on one database behind Debian's HAProxy (round robin): a
 * session made on one instance works on the other, a sync challenge one instance gave out
 * verifies on the other, and a revocation raced against a key syncing through the balancer
 * is on every credential issued after the revocation was acknowledged (the writes of all
 * instances queue on one database lock, so none issues from a list older than a commit). */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "portvakt/proto.h"
#include "pvt.h"

#define NREVOKE 8          /* keys reported lost one after another while a key syncs */
#define RACE_MAX_SYNCS 400 /* the syncing child's bound */

static struct pvt_server A, B, LB;
static struct pvt_client ADMIN, PLANNER;
static uint8_t ISSUER_PK[32];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *call(struct pvt_server *s, struct pvt_client *c, const char *method,
                    const char *path, const char *body, long want)
{
    struct pvt_resp r;
    json_t *out = NULL;
    int rc = pvt_req(s, c, method, path, body, &r);
    CHECK(rc == 0 && r.status == want, "%s %s on port %u -> %ld, want %ld: %s", method, path,
          s->port, r.status, want, r.body ? r.body : "");
    if (rc == 0 && r.json)
        out = json_incref(r.json);
    pvt_resp_free(&r);
    return out ? out : json_object();
}

static int64_t make(struct pvt_client *c, const char *path, const char *body)
{
    json_t *o = call(&LB, c, "POST", path, body, 201);
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

/* ------------------------------------------------------------------ HAProxy */

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static const char *haproxy_exe(void)
{
    static const char *const where[] = {"/usr/sbin/haproxy", "/usr/bin/haproxy", NULL};
    for (int i = 0; where[i]; i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return NULL;
}

/* HAProxy in front of A and B, round robin per request, health-checked on /healthz. */
static pid_t start_haproxy(const char *dir, unsigned port)
{
    const char *exe = haproxy_exe();
    if (!exe) {
        fprintf(stderr, "haproxy is not installed (scripts/install-deps.sh installs it)\n");
        return -1;
    }
    char cfg[700];
    snprintf(cfg, sizeof cfg, "%s/haproxy.cfg", dir);
    FILE *f = fopen(cfg, "w");
    if (!f)
        return -1;
    fprintf(f, "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n"
               "  timeout server 60s\n  option http-server-close\n"
               "frontend portvakt\n  bind 127.0.0.1:%u\n  default_backend instances\n"
               "backend instances\n  balance roundrobin\n  option httpchk GET /healthz\n"
               "  server a 127.0.0.1:%u check inter 1s\n  server b 127.0.0.1:%u check inter 1s\n",
            port, A.port, B.port);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        execl(exe, exe, "-f", cfg, "-db", "-q", (char *)NULL);
        _exit(127);
    }
    LB = A;
    LB.pid = 0;
    LB.port = port;
    for (int i = 0; i < 100; i++) { /* until it answers through to an instance */
        struct pvt_resp r;
        if (pvt_req(&LB, NULL, "GET", "/healthz", NULL, &r) == 0 && r.status == 200) {
            pvt_resp_free(&r);
            return pid;
        }
        pvt_resp_free(&r);
        usleep(100 * 1000);
    }
    fprintf(stderr, "haproxy did not come up on port %u\n", port);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
}

/* ------------------------------------------------------------------ keys and syncs */

typedef struct keypair {
    uint8_t pk[32], sk[64];
    char hex[65];
} keypair;

static void keygen(keypair *k)
{
    crypto_sign_keypair(k->pk, k->sk);
    sodium_bin2hex(k->hex, sizeof k->hex, k->pk, 32);
}

/* A phone's sync through `s` (no station): the challenge and the sync go through the
 * balancer separately, so usually to different instances. */
static json_t *sync_phone(struct pvt_server *s, int64_t bearer, const keypair *k, long *status)
{
    return pvt_sync_phone(s, bearer, k->sk, status);
}

/* 1 if the response's signed revocation list revokes `bearer`, 0 if not, -1 if unreadable. */
static int revoked_in(json_t *resp, int64_t bearer)
{
    const char *h = json_string_value(json_object_get(resp, "revlist"));
    uint8_t buf[PV_REVLIST_MAX_SIZE];
    size_t n = 0;
    pv_revlist rl;
    if (!h || sodium_hex2bin(buf, sizeof buf, h, strlen(h), NULL, &n, NULL) != 0 ||
        pv_revlist_verify(buf, n, ISSUER_PK) != PV_OK || pv_revlist_decode(buf, n, &rl) != PV_OK)
        return -1;
    return pv_revlist_check(&rl, (uint32_t)bearer, (uint64_t)LB.now) == PV_E_REVOKED;
}

static void load_issuer_key(void)
{
    json_t *o = call(&LB, NULL, "GET", "/api/v1/issuer/keys", NULL, 200);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(o, "items"), i, it) {
        const char *h = json_string_value(json_object_get(it, "public_key"));
        size_t n = 0;
        if (json_is_true(json_object_get(it, "current")))
            CHECK(h && sodium_hex2bin(ISSUER_PK, 32, h, 64, NULL, &n, NULL) == 0 && n == 32,
                  "issuer key");
    }
    json_decref(o);
}

/* ------------------------------------------------------------------ the checks */

/* A session made on A is honoured by B and through the balancer. */
static void t_sessions(void)
{
    struct pvt_server *each[] = {&A, &B, &LB, &LB, &LB, &LB};
    for (size_t i = 0; i < sizeof each / sizeof each[0]; i++)
        json_decref(call(each[i], &ADMIN, "GET", "/api/v1/providers", NULL, 200));
}

typedef struct world {
    int64_t syncer;
    keypair ks;
    int64_t lost[NREVOKE];
} world;

static void setup(world *w)
{
    int64_t prov = make(&ADMIN, "/api/v1/providers", "{\"name\":\"Hemtjänst Norr\"}");
    CHECK(pvt_create_user(&A, &ADMIN, "planner.n", "planner", prov, &PLANNER) == 0, "planner");
    char body[400];
    snprintf(body, sizeof body, "{\"display_name\":\"Anna\",\"provider_id\":%lld}", (long long)prov);
    int64_t staff = make(&ADMIN, "/api/v1/staff", body);
    keygen(&w->ks);
    snprintf(body, sizeof body, "{\"staff_id\":%lld,\"kind\":\"phone\",\"label\":\"K-0100\","
                                "\"public_key\":\"%s\"}", (long long)staff, w->ks.hex);
    w->syncer = make(&PLANNER, "/api/v1/bearers", body);
    for (int i = 0; i < NREVOKE; i++) {
        keypair k;
        keygen(&k);
        snprintf(body, sizeof body, "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"K-%04d\","
                                    "\"public_key\":\"%s\"}", (long long)staff, 200 + i, k.hex);
        w->lost[i] = make(&PLANNER, "/api/v1/bearers", body);
    }
}

/* One sync of the racing child: when it was sent, when answered, what it revoked. */
struct sync_rec {
    double sent, answered;
    long status;
    int8_t revoked[NREVOKE];
};

/* The child: syncs the syncer through the balancer until the parent closes `stop`. */
static void sync_loop(const world *w, int stop_fd, int out_fd)
{
    for (int n = 0; n < RACE_MAX_SYNCS; n++) {
        char c;
        if (read(stop_fd, &c, 1) == 0)
            break;
        if (n % 2) { /* shifts the round robin: issuing alternates between the instances */
            struct pvt_resp r;
            if (pvt_req(&LB, NULL, "GET", "/healthz", NULL, &r) == 0)
                pvt_resp_free(&r);
        }
        struct sync_rec rec = {.sent = now_s()};
        json_t *o = sync_phone(&LB, w->syncer, &w->ks, &rec.status);
        rec.answered = now_s();
        for (int i = 0; i < NREVOKE; i++)
            rec.revoked[i] = (int8_t)revoked_in(o, w->lost[i]);
        json_decref(o);
        if (write(out_fd, &rec, sizeof rec) != (ssize_t)sizeof rec)
            break;
    }
}

/* Reports the keys lost one by one on alternating instances while the child syncs; then
 * every sync sent after a revocation's acknowledgement must carry it. */
static void t_revocation_race(const world *w)
{
    int stop[2], out[2];
    CHECK(pipe(stop) == 0 && pipe(out) == 0, "pipes");
    fcntl(stop[0], F_SETFL, O_NONBLOCK);
    pid_t child = fork();
    if (child == 0) {
        close(stop[1]);
        close(out[0]);
        sync_loop(w, stop[0], out[1]);
        _exit(0);
    }
    close(stop[0]);
    close(out[1]);
    double acked[NREVOKE];
    usleep(150 * 1000);
    for (int i = 0; i < NREVOKE; i++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/bearers/%lld/report-lost", (long long)w->lost[i]);
        json_decref(call(i % 2 ? &B : &A, &PLANNER, "POST", path, "{}", 200));
        acked[i] = now_s();
        usleep((useconds_t)(20 + randombytes_uniform(80)) * 1000);
    }
    usleep(200 * 1000);
    close(stop[1]);
    struct sync_rec rec;
    int syncs = 0, ok = 0, after = 0, straddled = 0, omitted = 0;
    while (read(out[0], &rec, sizeof rec) == (ssize_t)sizeof rec) {
        syncs++;
        if (rec.status != 200)
            continue;
        ok++;
        for (int i = 0; i < NREVOKE; i++) {
            if (rec.sent > acked[i]) {
                after++;
                omitted += rec.revoked[i] != 1;
            } else if (rec.answered > acked[i]) {
                straddled++;
            }
        }
    }
    close(out[0]);
    waitpid(child, NULL, 0);
    printf("instances: %d syncs through HAProxy (%d issued) raced %d revocations on two"
           " instances: %d credential/revocation pairs after the acknowledgement, %d in flight"
           " across it, %d omitted a committed revocation\n",
           syncs, ok, NREVOKE, after, straddled, omitted);
    CHECK(ok == syncs && ok > NREVOKE, "every sync issued (%d of %d)", ok, syncs);
    CHECK(after > 0, "syncs after the revocations were checked");
    CHECK(omitted == 0, "no credential issued after a revocation committed omits it");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    char dir_b[600], dir_lb[600];
    snprintf(dir_b, sizeof dir_b, "%s_b", argv[2]);
    snprintf(dir_lb, sizeof dir_lb, "%s_lb", argv[2]);
    if (pvt_start(&A, argv[1], argv[2], NULL) != 0 || pvt_start_peer(&B, &A, dir_b, NULL) != 0)
        return 1;
    mkdir(dir_lb, 0700);
    pid_t lb = start_haproxy(dir_lb, free_port());
    CHECK(lb > 0, "HAProxy in front of both instances");
    if (lb > 0 && pvt_login_admin(&A, &ADMIN) == 0 && pvt_clock_set(&B, A.now) == 0) {
        LB.now = A.now;
        load_issuer_key();
        t_sessions();
        world w;
        setup(&w);
        pvt_clock_set(&B, A.now); /* signing the planner in moved A's clock on */
        LB.now = A.now;
        t_revocation_race(&w);
    }
    if (lb > 0) {
        kill(lb, SIGTERM);
        waitpid(lb, NULL, 0);
    }
    CHECK(pvt_stop(&B) == 0 && pvt_stop(&A) == 0, "both instances stop cleanly");
    printf("test_instances: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
