/* kill -9 of the real server in the middle of log ingestion, again and again: a station's
 * queue keeps an upload until the server answered it and sends it again after the restart
 * (docs/station.md). The test plays that queue over HTTP with large uploads back to back
 * while another process SIGKILLs the daemon at a random moment, and proves after each
 * restart that every acknowledged upload is stored, the upload in flight is stored whole or
 * not at all (never half), and at the end every event is stored exactly once.
 * Usage: test_ingest_kill portvakt-server scratch-dir */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "portvakt/proto.h"
#include "pvs/store.h"
#include "pvt.h"

#define NLOCKS 4         /* locks whose logs each upload carries */
#define NBATCH 20        /* batches per lock and upload: 80 a request (limit 256) */
#define NUPLOADS 24      /* uploads in the station's queue */
#define NKILLS 6         /* times the daemon is killed */
#define PER_UPLOAD ((int64_t)NLOCKS * NBATCH * PV_LOG_BATCH_MAX)

static struct pvt_server S;
static struct pvt_client ADMIN;
static int64_t STATION;
static uint8_t STATION_SK[64];
static int64_t LOCK_ID[NLOCKS];
static uint8_t LOCK_SK[NLOCKS][64];

static int64_t post(struct pvt_client *c, const char *path, const char *body)
{
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_req(&S, c, "POST", path, body, &r) == 0 && r.status / 100 == 2)
        id = json_integer_value(json_object_get(r.json, "id"));
    CHECK(id >= 0 || strstr(path, "commission"), "POST %s -> %ld %s", path, r.status,
          r.body ? r.body : "");
    pvt_resp_free(&r);
    return id;
}

static void setup(void)
{
    char body[512], hex[65], path[96];
    int64_t prov = pvt_create_provider(&S, &ADMIN, "Hemtjänst Kvarn");
    int64_t owner = post(&ADMIN, "/api/v1/owners", "{\"name\":\"Bostads AB Kvarn\"}");
    snprintf(body, sizeof body, "{\"owner_id\":%lld,\"address\":\"Kvarngatan 2, Stockholm\"}",
             (long long)owner);
    int64_t building = post(&ADMIN, "/api/v1/buildings", body);
    snprintf(body, sizeof body, "{\"kind\":\"portfolio\",\"owner_id\":%lld,\"given_on\":\"2026-03-01\"}",
             (long long)owner);
    post(&ADMIN, "/api/v1/consents", body);
    for (int i = 0; i < NLOCKS; i++) {
        uint8_t pk[32];
        crypto_sign_keypair(pk, LOCK_SK[i]);
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        snprintf(body, sizeof body, "{\"kind\":\"common\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                 (long long)building, hex);
        LOCK_ID[i] = post(&ADMIN, "/api/v1/locks", body);
        snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)LOCK_ID[i]);
        post(&ADMIN, path, "{}");
    }
    uint8_t spk[32];
    crypto_sign_keypair(spk, STATION_SK);
    sodium_bin2hex(hex, sizeof hex, spk, 32);
    snprintf(body, sizeof body, "{\"name\":\"Kontoret Kvarn\",\"public_key\":\"%s\",\"provider_id\":%lld}",
             hex, (long long)prov);
    STATION = post(&ADMIN, "/api/v1/stations", body);
}

/* Upload u of the queue: batches NBATCH * 40 events long per lock, continuing each lock's
 * chain (chains[] holds each lock's chain value before the upload and is moved on). */
static char *make_upload(int u, uint8_t chains[NLOCKS][32])
{
    size_t cap = (size_t)NLOCKS * NBATCH * (2 * PV_LOGBATCH_MAX_SIZE + 4) + 64, len = 0;
    char *body = malloc(cap);
    len += (size_t)snprintf(body, cap, "{\"lock_batches\":[");
    for (int l = 0; l < NLOCKS; l++)
        for (int b = 0; b < NBATCH; b++) {
            pv_event ev[PV_LOG_BATCH_MAX];
            uint8_t raw[PV_EVENT_SIZE], out[PV_LOGBATCH_MAX_SIZE], before[32];
            memcpy(before, chains[l], 32);
            for (uint32_t i = 0; i < PV_LOG_BATCH_MAX; i++) {
                uint32_t seq = (uint32_t)((u * NBATCH + b) * PV_LOG_BATCH_MAX + i);
                ev[i] = (pv_event){seq, (uint32_t)PVT_T0 - 3600 + seq / 16, PV_EV_BOOT, 0, 0, seq};
                pv_event_encode(&ev[i], raw);
                pv_log_chain_next(chains[l], raw, chains[l]);
            }
            size_t n = 0;
            CHECK(pv_logbatch_sign((uint32_t)LOCK_ID[l], before, ev, PV_LOG_BATCH_MAX, LOCK_SK[l],
                                   out, sizeof out, &n) == PV_OK, "sign batch");
            body[len++] = '"';
            sodium_bin2hex(body + len, cap - len, out, n);
            len += 2 * n;
            len += (size_t)snprintf(body + len, cap - len, "\"%s",
                                    l == NLOCKS - 1 && b == NBATCH - 1 ? "" : ",");
        }
    snprintf(body + len, cap - len, "]}");
    return body;
}

/* One signed station upload. Returns the HTTP status, or -1 when no answer came (the
 * daemon was killed). */
static long upload(const char *body)
{
    static const char path[] = "/api/v1/ingest";
    char date[32], msg[512], sig_hex[129], bh[65], hs[3][200];
    uint8_t h[32], sig[64];
    snprintf(date, sizeof date, "%lld", (long long)S.now);
    crypto_generichash(h, 32, (const uint8_t *)body, strlen(body), NULL, 0);
    sodium_bin2hex(bh, sizeof bh, h, 32);
    int n = snprintf(msg, sizeof msg, "portvakt-station-v1\nPOST\n%s\n%s\n%s", path, date, bh);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, STATION_SK);
    sodium_bin2hex(sig_hex, sizeof sig_hex, sig, 64);
    snprintf(hs[0], sizeof hs[0], "X-Portvakt-Station: %lld", (long long)STATION);
    snprintf(hs[1], sizeof hs[1], "X-Portvakt-Date: %s", date);
    snprintf(hs[2], sizeof hs[2], "X-Portvakt-Signature: %s", sig_hex);
    const char *const headers[] = {hs[0], hs[1], hs[2], NULL};
    struct pvt_resp r;
    long st = -1;
    if (pvt_req_ex(&S, NULL, "POST", path, "application/json", body, strlen(body), headers,
                   false, &r) == 0)
        st = r.status;
    CHECK(st == -1 || st == 200, "upload answered %ld: %s", st, r.body ? r.body : "");
    pvt_resp_free(&r);
    return st;
}

static int64_t q(const char *sql)
{
    struct pvs_db *db = NULL;
    int64_t n = -1;
    if (pvt_db_open(&S, &db, false) == 0) {
        if (pvs_query_i64(db, sql, PVS_NOARGS, &n) != PVS_DB_OK)
            n = -1;
        pvs_db_close(db);
    }
    return n;
}

/* Events of uploads [0, upto) all present, each once (seq ranges are per upload). */
static int64_t stored_of(int u)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM lock_events WHERE lock_id >= %lld AND "
             "lock_id <= %lld AND seq >= %lld AND seq < %lld", (long long)LOCK_ID[0],
             (long long)LOCK_ID[NLOCKS - 1], (long long)u * NBATCH * PV_LOG_BATCH_MAX,
             (long long)(u + 1) * NBATCH * PV_LOG_BATCH_MAX);
    return q(sql);
}

/* A process that SIGKILLs the daemon after `us` microseconds. */
static pid_t killer(pid_t victim, long us)
{
    pid_t k = fork();
    if (k == 0) {
        struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
        nanosleep(&ts, NULL);
        kill(victim, SIGKILL);
        _exit(0);
    }
    return k;
}

/* Uploads from `next` on until the daemon dies under them; the index of the upload in
 * flight when it died (or NUPLOADS when the queue emptied first). */
static int run_until_killed(char **bodies, int next, long delay_us, int *acked)
{
    pid_t k = killer(S.pid, delay_us);
    int u = next;
    for (; u < NUPLOADS; u++) {
        if (upload(bodies[u]) != 200)
            break;
        acked[u] = 1;
    }
    int status;
    waitpid(k, &status, 0);
    kill(S.pid, SIGKILL); /* the queue may have emptied before the killer fired */
    waitpid(S.pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the daemon died of SIGKILL");
    return u;
}

/* After a kill: what was acknowledged is there, the upload in flight whole or absent. */
static int check_after_kill(int in_flight, const int *acked, int *whole_stored)
{
    for (int u = 0; u < NUPLOADS; u++) {
        int64_t n = stored_of(u);
        if (acked[u])
            CHECK(n == PER_UPLOAD, "acknowledged upload %d: %lld of %lld events stored", u,
                  (long long)n, (long long)PER_UPLOAD);
        else if (u == in_flight) {
            CHECK(n == 0 || n == PER_UPLOAD, "upload %d in flight half stored: %lld", u,
                  (long long)n);
            *whole_stored += n == PER_UPLOAD;
        } else
            CHECK(n == 0, "upload %d never sent, yet %lld events", u, (long long)n);
    }
    return in_flight;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s portvakt-server scratch-dir\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0 || pvt_start(&S, argv[1], argv[2], NULL) != 0)
        return 2;
    if (pvt_login_admin(&S, &ADMIN) != 0)
        return 2;
    setup();
    uint8_t chains[NLOCKS][32] = {{0}};
    char *bodies[NUPLOADS];
    for (int u = 0; u < NUPLOADS; u++)
        bodies[u] = make_upload(u, chains);
    /* the time one upload takes here, so the kills land inside the queue's run */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int acked[NUPLOADS] = {0};
    acked[0] = upload(bodies[0]) == 200;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long one_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    CHECK(acked[0], "first upload stored");
    int next = 1, kills = 0, whole = 0;
    srand((unsigned)getpid());
    for (; kills < NKILLS && next < NUPLOADS; kills++) {
        long delay = one_us + rand() % (3 * one_us + 1); /* one to four uploads in */
        int in_flight = run_until_killed(bodies, next, delay, acked);
        check_after_kill(in_flight, acked, &whole);
        CHECK(pvt_restart(&S, NULL) == 0, "restart after kill %d", kills + 1);
        next = in_flight; /* the queue sends the unanswered upload again */
    }
    for (int u = next; u < NUPLOADS; u++)
        acked[u] = upload(bodies[u]) == 200;
    for (int u = 0; u < NUPLOADS; u++)
        CHECK(acked[u] && stored_of(u) == PER_UPLOAD, "upload %d stored whole", u);
    int64_t total = q("SELECT COUNT(*) FROM lock_events");
    int64_t distinct = q("SELECT COUNT(*) FROM (SELECT DISTINCT lock_id, seq FROM lock_events) d");
    CHECK(total == (int64_t)NUPLOADS * PER_UPLOAD && distinct == total,
          "every event once: %lld stored, %lld distinct, %lld sent", (long long)total,
          (long long)distinct, (long long)NUPLOADS * PER_UPLOAD);
    printf("test_ingest_kill: %d kills (one upload %.0f ms; %d in-flight uploads had committed, "
           "%d had not), %lld events stored once\n", kills, one_us / 1000.0, whole, kills - whole,
           (long long)total);
    for (int u = 0; u < NUPLOADS; u++)
        free(bodies[u]);
    int st = pvt_stop(&S);
    CHECK(st == 0, "clean shutdown (%d)", st);
    if (pvt_failures)
        fprintf(stderr, "%d check(s) failed\n", pvt_failures);
    return pvt_failures != 0;
}
