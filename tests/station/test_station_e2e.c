/* End-to-end tests of portvakt-station against a TLS fake server: sync relay, a blocked
 * key refused with a clear message, kill -9 in the middle of an upload, and a lost
 * uplink (primary and fallback down, then the fallback back) — nothing lost, nothing
 * stored twice. Usage: test_station_e2e FAKE_SERVER STATION */
#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "link.h"
#include "testkeys.h"

static char dir[64], fake_bin[512], station_bin[512];
static int p0, p1, pc;
static pid_t fake_pid, station_pid;
static int failures;

#define CHECK(c, ...)                                                                   \
    do {                                                                                \
        if (!(c)) {                                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                        \
            fprintf(stderr, __VA_ARGS__);                                               \
            fprintf(stderr, "\n");                                                      \
            failures++;                                                                 \
        }                                                                               \
    } while (0)

static void sh(const char *cmd)
{
    if (system(cmd) != 0) {
        fprintf(stderr, "setup failed: %s\n", cmd);
        exit(1);
    }
}

static pid_t spawn(char *const argv[], const char *logname)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, logname);
    pid_t p = fork();
    if (p == 0) {
        FILE *f = freopen(path, "a", stderr);
        (void)f;
        execv(argv[0], argv);
        _exit(127);
    }
    return p;
}

static size_t on_data(char *d, size_t s, size_t n, void *u)
{
    strncat(u, d, s * n < 1000 ? s * n : 1000);
    return s * n;
}

/* GET on the fake server's control port; returns one integer field of its stats. */
static long ctl(const char *query, const char *field)
{
    char url[256], buf[4096] = {0};
    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", pc, query);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, buf);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK)
        return -1;
    json_t *j = json_loads(buf, 0, NULL);
    long v = (long)json_integer_value(json_object_get(j, field));
    json_decref(j);
    return v;
}

static void start_station_ca(const char *ca_name)
{
    char srv[64], fb[64], ca[128], key[128], q[128], sock[128];
    snprintf(srv, sizeof srv, "https://127.0.0.1:%d", p0);
    snprintf(fb, sizeof fb, "https://127.0.0.1:%d", p1);
    snprintf(ca, sizeof ca, "%s/%s", dir, ca_name);
    snprintf(key, sizeof key, "%s/station.key", dir);
    snprintf(q, sizeof q, "%s/queue", dir);
    snprintf(sock, sizeof sock, "%s/key.sock", dir);
    unlink(sock);
    char *argv[] = {station_bin, "--server", srv, "--fallback", fb, "--ca-cert", ca,
                    "--station-id", "1", "--station-key", key, "--queue-dir", q,
                    "--key-socket", sock, "--timeout-ms", "4000", NULL};
    station_pid = spawn(argv, "station.log");
    struct stat st;
    for (int i = 0; i < 100 && stat(sock, &st) != 0; i++)
        usleep(50000);
}

static void start_station(void)
{
    start_station_ca("ca.pem");
}

static void kill9_station(void)
{
    kill(station_pid, SIGKILL);
    waitpid(station_pid, NULL, 0);
}

static int connect_key(pvst_fd_link *fl, pvst_link_ops *ops)
{
    char sock[128];
    snprintf(sock, sizeof sock, "%s/key.sock", dir);
    int fd = pvst_key_connect(sock);
    if (fd >= 0)
        pvst_fd_link_init(fl, fd, 15000, ops);
    return fd;
}

static int sign_cb(void *ctx, const uint8_t nonce[32], uint32_t bearer, uint8_t sig[64])
{
    uint8_t pk[32], sk[64];
    pvt_bearer_keys(bearer, pk, sk);
    return pvst_sync_sign(sk, nonce, bearer, sig);
}

/* One key visit: sync, then `items` LOGS items; returns the station's status. */
static int key_visit(uint32_t bearer, uint64_t have_until, unsigned items, uint32_t first_item,
                     pvst_status *st, int *got)
{
    pvst_fd_link fl;
    pvst_link_ops ops;
    int fd = connect_key(&fl, &ops);
    if (fd < 0)
        return PV_E_IO;
    static uint8_t buf[1 << 16];
    pvst_synced sy;
    pvst_hello h = {.bearer_id = bearer, .have_until = have_until};
    int rc = pvst_key_sync(&ops, &h, sign_cb, NULL, buf, sizeof buf, &sy, got, st);
    for (unsigned i = 0; rc == PV_OK && i < items; i++) {
        uint32_t item = first_item + i, lock_id = 1000 + item;
        uint8_t evb[3 * PVST_BEV_SIZE], lpk[32], lsk[64], zero[32] = {0}, batch[1024];
        for (unsigned k = 0; k < 3; k++) {
            pvst_bev e = {.seq = item * 3 + k, .time = 1700000000u + k, .kind = PVST_BEV_OPEN,
                          .lock_id = lock_id};
            pvst_bev_encode(&e, evb + k * PVST_BEV_SIZE);
        }
        pv_event ev[4];
        for (unsigned k = 0; k < 4; k++)
            ev[k] = (pv_event){.seq = k, .time = 1700000000u + k, .kind = PV_EV_OPEN,
                               .subject = bearer, .aux = 1};
        size_t bl;
        pvt_seeded_keys("pv-test-lock", lock_id, lpk, lsk);
        rc = pv_logbatch_sign(lock_id, zero, ev, 4, lsk, batch, sizeof batch, &bl);
        pvst_logs lg = {.item_id = item, .nevents = 3, .events = evb, .nbatches = 1};
        lg.batch[0] = batch;
        lg.batch_len[0] = (uint16_t)bl;
        if (rc == PV_OK)
            rc = pvst_key_send_logs(&ops, &lg);
    }
    if (rc == PV_OK)
        rc = pvst_key_bye(&ops);
    close(fd);
    return rc;
}

static size_t queued(void)
{
    char q[128];
    snprintf(q, sizeof q, "%s/queue", dir);
    DIR *d = opendir(q);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strstr(de->d_name, ".pvq") != NULL;
    if (d)
        closedir(d);
    return n;
}

static int wait_until(const char *field, long want, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (ctl("stats", field) == want)
            return 1;
        usleep(100000);
    }
    return 0;
}

static void test_sync_and_blocked(void)
{
    pvst_status st;
    int got = 0;
    int rc = key_visit(7, 0, 0, 0, &st, &got);
    CHECK(rc == PV_OK && got == 1, "sync through station: rc %d got %d", rc, got);
    CHECK(st.code == PVST_ST_SYNCED && strncmp(st.text, "synced: 1 door until ", 21) == 0,
          "synced status: %s", st.text);
    rc = key_visit(PVT_BLOCKED_BEARER, 0, 0, 0, &st, &got);
    CHECK(rc == PV_OK && got == 0, "blocked key gets no credential");
    CHECK(st.code == PVST_ST_BLOCKED && strstr(st.text, "key blocked — see your planner"),
          "blocked status: %s", st.text);
    CHECK(ctl("stats", "bad_auth") == 0, "every station request verified");
}

/* Five items queued and acknowledged; the station is killed while the server holds the
 * first upload (stored, not yet answered); after a restart everything arrives once. */
static void test_kill9_mid_upload(void)
{
    long l0 = ctl("stats", "lock_events"), b0 = ctl("stats", "bearer_events");
    ctl("control?delay_ms=5000", "syncs");
    pvst_status st;
    int got;
    int rc = key_visit(8, 0, 5, 0, &st, &got);
    CHECK(rc == PV_OK, "five log items acknowledged: rc %d", rc);
    /* the server stores the upload, then waits 5 s before its 200: kill the station now */
    CHECK(wait_until("lock_events", l0 + 20, 20), "the first upload reached the server");
    kill9_station();
    CHECK(queued() == 5, "items survive kill -9 (%zu queued)", queued());
    long d0 = ctl("control?delay_ms=0", "duplicates");
    start_station();
    CHECK(wait_until("lock_events", l0 + 20, 20), "all 20 lock events stored");
    CHECK(wait_until("bearer_events", b0 + 15, 20), "all 15 bearer events stored");
    for (int i = 0; i < 100 && queued(); i++)
        usleep(100000);
    CHECK(queued() == 0, "queue empty after delivery (%zu)", queued());
    CHECK(ctl("stats", "lock_events") == l0 + 20 && ctl("stats", "bearer_events") == b0 + 15,
          "nothing stored twice");
    CHECK(ctl("stats", "duplicates") - d0 >= 35, "the resend after the crash was a duplicate (%ld)",
          ctl("stats", "duplicates") - d0);
}

/* Both uplinks down: the key is told how long it keeps working, its logs are taken and
 * survive another kill -9; with the fallback back they arrive there, once. */
static void test_uplink_loss(void)
{
    long l0 = ctl("stats", "lock_events"), b0 = ctl("stats", "bearer_events");
    ctl("control?up0=0&up1=0", "syncs");
    pvst_status st;
    int got;
    uint64_t until = (uint64_t)time(NULL) + 3600;
    int rc = key_visit(9, until, 2, 100, &st, &got);
    CHECK(rc == PV_OK && got == 0, "offline: logs still acknowledged (rc %d)", rc);
    CHECK(st.code == PVST_ST_OFFLINE &&
              strncmp(st.text, "no connection — your key keeps working until ", 46) == 0,
          "offline status: %s", st.text);
    usleep(1500000);
    CHECK(queued() == 2 && ctl("stats", "lock_events") == l0, "held while offline");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "%s status --queue-dir %s/queue | grep -q '^2 log item(s) waiting'",
             station_bin, dir);
    CHECK(system(cmd) == 0, "the operator's status shows the two waiting items");
    kill9_station();
    start_station();
    ctl("control?up1=1", "syncs");
    CHECK(wait_until("lock_events", l0 + 8, 30), "lock events delivered via fallback");
    CHECK(wait_until("bearer_events", b0 + 6, 30), "bearer events delivered via fallback");
    rc = key_visit(10, 0, 0, 0, &st, &got);
    CHECK(rc == PV_OK && got == 1 && st.code == PVST_ST_SYNCED, "sync via fallback: %s",
          st.text);
    ctl("control?up0=1", "syncs");
}

/* A station that trusts another CA must not talk to this server: TLS refuses it, the key is
 * told there is no connection, and the server sees no request at all. */
static void test_wrong_ca(void)
{
    long syncs = ctl("stats", "syncs"), started = ctl("stats", "ingests_started");
    kill(station_pid, SIGTERM);
    waitpid(station_pid, NULL, 0);
    start_station_ca("other-ca.pem");
    pvst_status st;
    int got = 0;
    int rc = key_visit(11, 0, 1, 200, &st, &got);
    CHECK(rc == PV_OK && got == 0 && st.code == PVST_ST_OFFLINE,
          "an unverifiable server certificate is no connection (%d: %s)", rc, st.text);
    usleep(800000);
    CHECK(ctl("stats", "syncs") == syncs && ctl("stats", "ingests_started") == started,
          "nothing reached the server through the unverified TLS connection");
    CHECK(queued() == 1, "the logs wait in the queue instead");
    kill9_station();
}

int main(int argc, char **argv)
{
    if (argc != 3 || sodium_init() < 0)
        return 2;
    snprintf(fake_bin, sizeof fake_bin, "%s", argv[1]);
    snprintf(station_bin, sizeof station_bin, "%s", argv[2]);
    snprintf(dir, sizeof dir, "/tmp/pvst-e2e-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    /* a throwaway CA and a server certificate for 127.0.0.1, made at test time */
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-keyout ca.key -out ca.pem -days 2 -subj /CN=pv-test-ca 2>/dev/null && "
       "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key "
       "-out srv.csr -subj /CN=127.0.0.1 2>/dev/null && "
       "printf 'subjectAltName=IP:127.0.0.1\\n' >ext && openssl x509 -req -in srv.csr "
       "-CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null && "
       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
       "other-ca.key -out other-ca.pem -days 2 -subj /CN=pv-other-ca 2>/dev/null",
       dir);
    sh(cmd);
    uint8_t spk[32], ssk[64], seed[32];
    char seedhex[65], pkhex[65], path[128];
    pvt_seeded_keys("pv-test-station", 1, spk, ssk);
    memcpy(seed, ssk, 32); /* libsodium's secret key starts with its seed */
    sodium_bin2hex(seedhex, sizeof seedhex, seed, 32);
    sodium_bin2hex(pkhex, sizeof pkhex, spk, 32);
    snprintf(path, sizeof path, "%s/station.key", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "%s\n", seedhex);
    fclose(f);
    /* below the ephemeral range (32768+), so no outgoing connection holds our ports */
    int base = 20000 + (int)(getpid() % 4000) * 3;
    p0 = base, p1 = base + 1, pc = base + 2;
    char a0[16], a1[16], a2[16], cert[128], key[128];
    snprintf(a0, sizeof a0, "%d", p0), snprintf(a1, sizeof a1, "%d", p1);
    snprintf(a2, sizeof a2, "%d", pc);
    snprintf(cert, sizeof cert, "%s/srv.pem", dir), snprintf(key, sizeof key, "%s/srv.key", dir);
    char *fargv[] = {fake_bin, a0, a1, a2, cert, key, pkhex, NULL};
    fake_pid = spawn(fargv, "fake.log");
    for (int i = 0; i < 50 && ctl("stats", "syncs") < 0; i++)
        usleep(100000);
    start_station();
    test_sync_and_blocked();
    test_kill9_mid_upload();
    test_uplink_loss();
    test_wrong_ca();
    kill(fake_pid, SIGKILL);
    waitpid(fake_pid, NULL, 0);
    if (failures) {
        fprintf(stderr, "%d check(s) failed; logs in %s\n", failures, dir);
        return 1;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (!getenv("PVST_KEEP"))
        sh(cmd);
    printf("station e2e: all checks passed\n");
    return 0;
}
