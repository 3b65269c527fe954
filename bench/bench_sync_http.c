/* api.sync_p99_ms: p99 latency of POST /api/v1/sync over real HTTP against the real daemon,
 * with 8 concurrent clients (stations) each syncing its own key again and again, every
 * request carrying a station signature and a fresh bearer proof of possession. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../tests/server/domain_fixture.h"
#include "pvs/store.h"
#include "pvt.h"

#define CLIENTS 8
#define SYNCS_PER_CLIENT 60
#define RIGHTS_PER_KEY 40 /* a long shift's rounds, with derived entrances */

static struct pvt_server S;
static int64_t STATION;
static uint8_t STATION_SK[64];

typedef struct client {
    int64_t bearer;
    uint8_t sk[64];
    double ms[SYNCS_PER_CLIENT];
    int failures;
} client;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* POST signed by the station; returns the parsed JSON or NULL (status in *status). */
static json_t *spost(const char *path, const char *body, long *status, double *ms)
{
    char date[32], bh[65], sh[129], msg[512], hs[3][200];
    uint8_t h[32], sig[64];
    snprintf(date, sizeof date, "%lld", (long long)S.now);
    crypto_generichash(h, 32, (const uint8_t *)body, strlen(body), NULL, 0);
    sodium_bin2hex(bh, sizeof bh, h, 32);
    int n = snprintf(msg, sizeof msg, "portvakt-station-v1\nPOST\n%s\n%s\n%s", path, date, bh);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, STATION_SK);
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(hs[0], sizeof hs[0], "X-Portvakt-Station: %lld", (long long)STATION);
    snprintf(hs[1], sizeof hs[1], "X-Portvakt-Date: %s", date);
    snprintf(hs[2], sizeof hs[2], "X-Portvakt-Signature: %s", sh);
    const char *const headers[] = {hs[0], hs[1], hs[2], NULL};
    struct pvt_resp r;
    double t0 = mono_ms();
    int rc = pvt_req_ex(&S, NULL, "POST", path, "application/json", body, strlen(body), headers,
                        false, &r);
    if (ms)
        *ms = mono_ms() - t0;
    *status = rc == 0 ? r.status : -1;
    json_t *out = r.json ? json_incref(r.json) : NULL;
    pvt_resp_free(&r);
    return out;
}

static void *run_client(void *arg)
{
    client *c = arg;
    char body[1024];
    for (int i = 0; i < SYNCS_PER_CLIENT; i++) {
        long st = 0;
        snprintf(body, sizeof body, "{\"bearer_id\":%lld}", (long long)c->bearer);
        json_t *ch = spost("/api/v1/sync/challenge", body, &st, NULL);
        const char *nh = json_string_value(json_object_get(ch, "nonce"));
        uint8_t nonce[32], m[53] = "portvakt-sync-v1", sig[64];
        size_t nl = 0;
        if (st != 200 || !nh || sodium_hex2bin(nonce, 32, nh, 64, NULL, &nl, NULL) != 0) {
            c->failures++;
            json_decref(ch);
            continue;
        }
        memcpy(m + 17, nonce, 32);
        for (int k = 0; k < 4; k++)
            m[49 + k] = (uint8_t)((uint64_t)c->bearer >> (8 * k));
        crypto_sign_detached(sig, NULL, m, sizeof m, c->sk);
        char sh[129];
        sodium_bin2hex(sh, sizeof sh, sig, 64);
        snprintf(body, sizeof body, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
                 (long long)c->bearer, nh, sh);
        json_decref(ch);
        json_t *resp = spost("/api/v1/sync", body, &st, &c->ms[i]);
        if (st != 200 || json_integer_value(json_object_get(resp, "doors")) == 0)
            c->failures++;
        json_decref(resp);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Staff, keys, a station and rights written straight into the running server's store. */
static int setup(client *cl)
{
    dfx f;
    memset(&f, 0, sizeof f);
    if (pvt_db_open(&S, &f.db, true) != 0)
        return -1;
    dfx_begin(&f);
    int64_t p = dfx_provider(&f, "Bench Omsorg"), owner = dfx_owner(&f);
    uint8_t pk[32];
    crypto_sign_keypair(pk, STATION_SK);
    int64_t id = 0;
    if (pvs_query_i64(f.db, "INSERT INTO stations (provider_id, name, public_key, created_at)"
                            " VALUES (?, 'Bench', ?, 0) RETURNING id",
                      PVS_ARGS(PVS_I64(p), PVS_BLOB(pk, 32)), &id) != PVS_DB_OK)
        return -1;
    STATION = id;
    for (int c = 0; c < CLIENTS; c++) {
        int64_t staff = dfx_staff(&f, p), house = 0;
        cl[c].bearer = dfx_bearer(&f, staff, p, cl[c].sk);
        for (int r = 0; r < RIGHTS_PER_KEY; r++) {
            if (r % 4 == 0) {
                house = dfx_building(&f, owner);
                (void)dfx_lock(&f, house, "entrance", NULL);
            }
            int64_t rec = dfx_recipient(&f, house, dfx_lock(&f, house, "apartment", NULL));
            dfx_period(&f, rec, p, "2026-01-01", NULL);
            dfx_right(&f, staff, rec, p, "2026-01-01", NULL, 0x7F, 420 + r, 1320);
        }
    }
    dfx_commit(&f);
    pvs_db_close(f.db);
    return 0;
}

int main(void)
{
    char dir[] = "/tmp/pvs-bench-XXXXXX";
    if (sodium_init() < 0 || !mkdtemp(dir))
        return 1;
    setenv("TZ", "Europe/Stockholm", 1);
    /* one HTTP worker (and store connection) per concurrent station, as deployed */
    const char *const args[] = {"--threads", "8", NULL};
    if (pvt_start(&S, PVS_SERVER_EXE, dir, args) != 0)
        return 1;
    client *cl = calloc(CLIENTS, sizeof *cl);
    pthread_t th[CLIENTS];
    int failures = 0;
    if (!cl || setup(cl) != 0) {
        pvt_stop(&S);
        return 1;
    }
    for (int c = 0; c < CLIENTS; c++)
        pthread_create(&th[c], NULL, run_client, &cl[c]);
    for (int c = 0; c < CLIENTS; c++)
        pthread_join(th[c], NULL);
    double all[CLIENTS * SYNCS_PER_CLIENT];
    size_t n = 0;
    for (int c = 0; c < CLIENTS; c++) {
        failures += cl[c].failures;
        for (int i = 0; i < SYNCS_PER_CLIENT; i++)
            all[n++] = cl[c].ms[i];
    }
    if (getenv("PVS_BENCH_TRACE"))
        for (int c = 0; c < CLIENTS; c++)
            for (int i = 0; i < SYNCS_PER_CLIENT; i++)
                if (cl[c].ms[i] > 15)
                    fprintf(stderr, "slow: client %d sync %d %.1f ms\n", c, i, cl[c].ms[i]);
    qsort(all, n, sizeof all[0], cmp_double);
    double p99 = all[(size_t)((double)n * 0.99) - 1], p50 = all[n / 2];
    printf("{\"name\":\"api.sync_p99_ms\",\"value\":%.2f,\"unit\":\"ms\"}\n", p99);
    fprintf(stderr, "bench_sync_http: %zu syncs by %d clients, p50 %.2f ms, p99 %.2f ms, %d failed\n",
            n, CLIENTS, p50, p99, failures);
    if (getenv("PVS_BENCH_TRACE")) { /* the server's own view of its latency */
        struct pvt_resp m;
        if (pvt_req(&S, NULL, "GET", "/metrics", NULL, &m) == 0 && m.body)
            for (char *l = strtok(m.body, "\n"); l; l = strtok(NULL, "\n"))
                if (strstr(l, "duration_seconds_bucket"))
                    fprintf(stderr, "%s\n", l);
        pvt_resp_free(&m);
    }
    pvt_stop(&S);
    free(cl);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_sync_http: could not remove %s\n", dir);
    return failures != 0;
}
