/* `portvakt-sim bench-city`: Stockholm's 07:00 — all 7,000 keys of the city sync through
 * stations over HTTPS against a real portvakt-server, measured in wall time. Registers
 * the city through the API first (not timed), one station per provider. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "http.h"
#include "link.h"

#define BC_PROVIDERS 80
#define BC_STAFF 7000
#define BC_RECIPIENTS 16000
#define BC_BUILDINGS 1000
#define BC_OWNERS 100
#define BC_RIGHTS_PER_KEY 3
#define BC_WORKERS 4  /* registration: the server serialises writes anyway */
#define BC_CLIENTS 16 /* keys at the stations at the same moment */

typedef struct bc_key {
    uint32_t provider;
    long long staff, bearer;
    uint8_t pk[32], sk[64];
    double ms;
    int ok;
} bc_key;

typedef struct bc {
    const sim_http_opts *o;
    const char *token;
    long long provider[BC_PROVIDERS], station[BC_PROVIDERS], owner[BC_OWNERS];
    long long building[BC_BUILDINGS], lock[BC_BUILDINGS];
    long long *recipient;
    bc_key *keys;
    uint8_t station_sk[BC_PROVIDERS][64];
    pid_t pid[BC_PROVIDERS];
    char dir[256];
    int phase, failed;
    size_t next;
    pthread_mutex_t mu;
    uint64_t t0;
} bc;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t take(bc *b, size_t n)
{
    pthread_mutex_lock(&b->mu);
    size_t i = b->next < n ? b->next++ : n;
    pthread_mutex_unlock(&b->mu);
    return i;
}

static json_t *hexj(const uint8_t *p, size_t n)
{
    char h[129];
    sodium_bin2hex(h, sizeof h, p, n);
    return json_string(h);
}

/* Registration, one item each (returns 0 on failure); a phase runs one of them. */
static long long reg_provider(bc *b, sim_api *a, size_t i, const char *since)
{
    char buf[96];
    snprintf(buf, sizeof buf, "Utförare %zu", i + 1);
    return b->provider[i] =
               sim_api_create(a, "/api/v1/providers", json_pack("{s:s}", "name", buf));
}

static long long reg_owner(bc *b, sim_api *a, size_t i, const char *since)
{
    char buf[96];
    snprintf(buf, sizeof buf, "Fastighetsägare %zu AB", i + 1);
    if (!(b->owner[i] = sim_api_create(a, "/api/v1/owners", json_pack("{s:s}", "name", buf))))
        return 0;
    return sim_api_create(a, "/api/v1/consents",
                          json_pack("{s:s,s:I,s:s}", "kind", "portfolio", "owner_id",
                                    (json_int_t)b->owner[i], "given_on", since));
}

static long long new_lock(sim_api *a, const char *kind, long long building)
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    sodium_memzero(sk, sizeof sk);
    return sim_api_create(a, "/api/v1/locks",
                          json_pack("{s:s,s:I,s:o}", "kind", kind, "building_id",
                                    (json_int_t)building, "lock_public_key", hexj(pk, 32)));
}

static int commission(sim_api *a, long long lock)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", lock);
    return lock && sim_api_call(a, "POST", path, json_object(), NULL) / 100 == 2;
}

static long long reg_building(bc *b, sim_api *a, size_t i, const char *since)
{
    char buf[96];
    snprintf(buf, sizeof buf, "Stadsgatan %zu, Stockholm", i + 1);
    b->building[i] = sim_api_create(a, "/api/v1/buildings",
                                    json_pack("{s:I,s:s}", "owner_id",
                                              (json_int_t)b->owner[i % BC_OWNERS], "address",
                                              buf));
    if (!b->building[i])
        return 0;
    b->lock[i] = new_lock(a, "entrance", b->building[i]);
    return commission(a, b->lock[i]);
}

/* A recipient with a lock on the apartment door (entrance rights derive from it). */
static long long reg_recipient(bc *b, sim_api *a, size_t i, const char *since)
{
    char buf[96];
    long long bld = b->building[i % BC_BUILDINGS], lock = new_lock(a, "apartment", bld);
    snprintf(buf, sizeof buf, "ST-%05zu", i + 1);
    b->recipient[i] =
        lock ? sim_api_create(a, "/api/v1/recipients",
                              json_pack("{s:s,s:I,s:I,s:I,s:s}", "alarm_code", buf, "building_id",
                                        (json_int_t)bld, "lock_id", (json_int_t)lock,
                                        "provider_id",
                                        (json_int_t)b->provider[i % BC_PROVIDERS], "valid_from",
                                        since))
             : 0;
    if (!b->recipient[i] ||
        !sim_api_create(a, "/api/v1/consents",
                        json_pack("{s:s,s:I,s:s}", "kind", "recipient", "recipient_id",
                                  (json_int_t)b->recipient[i], "given_on", since)))
        return 0;
    return commission(a, lock);
}

static long long reg_staff(bc *b, sim_api *a, size_t i, const char *since)
{
    char buf[96];
    bc_key *k = &b->keys[i];
    snprintf(buf, sizeof buf, "Personal %zu", i + 1);
    k->staff = sim_api_create(a, "/api/v1/staff",
                              json_pack("{s:s,s:I}", "display_name", buf, "provider_id",
                                        (json_int_t)b->provider[k->provider]));
    snprintf(buf, sizeof buf, "fob-%zu", i + 1);
    k->bearer = k->staff ? sim_api_create(a, "/api/v1/bearers",
                                          json_pack("{s:I,s:s,s:s,s:o}", "staff_id",
                                                    (json_int_t)k->staff, "kind", "fob", "label",
                                                    buf, "public_key", hexj(k->pk, 32)))
                         : 0;
    for (int r = 0; k->bearer && r < BC_RIGHTS_PER_KEY; r++) {
        /* recipients of the same provider: index = provider (mod 80) */
        size_t rec = ((i / BC_PROVIDERS) * BC_RIGHTS_PER_KEY + (size_t)r) * BC_PROVIDERS +
                     k->provider;
        json_t *w = json_pack("[{s:[iiiiiii],s:s,s:s}]", "days", 1, 2, 3, 4, 5, 6, 7, "from",
                              "07:00", "to", "15:30");
        if (!sim_api_create(a, "/api/v1/rights",
                            json_pack("{s:I,s:I,s:s,s:n,s:s,s:o}", "staff_id",
                                      (json_int_t)k->staff, "recipient_id",
                                      (json_int_t)b->recipient[rec % BC_RECIPIENTS], "valid_from",
                                      since, "valid_until", "kind", "standing", "windows", w)))
            return 0;
    }
    return k->bearer;
}

static long long reg_station(bc *b, sim_api *a, size_t i, const char *since)
{
    char buf[96];
    uint8_t pk[32];
    crypto_sign_keypair(pk, b->station_sk[i]);
    snprintf(buf, sizeof buf, "Station %zu", i + 1);
    return b->station[i] = sim_api_create(
               a, "/api/v1/stations",
               json_pack("{s:s,s:o,s:I}", "name", buf, "public_key", hexj(pk, 32),
                         "provider_id", (json_int_t)b->provider[i]));
}

typedef long long (*reg_fn)(bc *b, sim_api *a, size_t i, const char *since);
static const reg_fn phases[] = {reg_provider, reg_owner, reg_building, reg_recipient, reg_staff,
                                reg_station};

static long long reg_one(bc *b, sim_api *a, size_t i, const char *since)
{
    return phases[b->phase](b, a, i, since);
}

typedef struct worker {
    bc *b;
    size_t n;
    const char *since;
} worker;

static void *reg_worker(void *arg)
{
    worker *w = arg;
    bc *b = w->b;
    sim_api *a = sim_api_new(b->o->server, b->o->ca_cert);
    if (!a)
        return NULL;
    sim_api_set_token(a, b->token);
    for (size_t i; (i = take(b, w->n)) < w->n;)
        if (!reg_one(b, a, i, w->since)) {
            pthread_mutex_lock(&b->mu);
            b->failed++;
            pthread_mutex_unlock(&b->mu);
        }
    sim_api_free(a);
    return NULL;
}

static int run_phase(bc *b, int phase, size_t n, const char *since, int threads)
{
    pthread_t th[BC_CLIENTS];
    worker w = {b, n, since};
    b->phase = phase;
    b->next = 0;
    double t0 = now_ms();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, reg_worker, &w);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    fprintf(stderr, "bench-city: phase %d: %zu items in %.1f s%s\n", phase, n,
            (now_ms() - t0) / 1e3, b->failed ? " (with failures)" : "");
    return b->failed ? PV_E_IO : PV_OK;
}

static int sign_key(void *ctx, const uint8_t nonce[32], uint32_t bearer, uint8_t sig[64])
{
    return pvst_sync_sign(((bc_key *)ctx)->sk, nonce, bearer, sig);
}

/* A key at its provider's station: the full sync, as a key fob would run it. */
static void *sync_worker(void *arg)
{
    bc *b = arg;
    size_t cap = PVST_FRAME_MAX;
    uint8_t *buf = malloc(cap);
    for (size_t i; buf && (i = take(b, BC_STAFF)) < BC_STAFF;) {
        bc_key *k = &b->keys[i];
        char sock[320];
        snprintf(sock, sizeof sock, "%s/st%u.sock", b->dir, k->provider);
        double t0 = now_ms();
        int fd = pvst_key_connect(sock);
        if (fd < 0)
            continue;
        pvst_fd_link fl;
        pvst_link_ops ops;
        pvst_fd_link_init(&fl, fd, 60000, &ops);
        pvst_hello h = {.bearer_id = (uint32_t)k->bearer};
        pvst_synced sy;
        pvst_status st;
        int got = 0;
        int rc = pvst_key_sync(&ops, &h, sign_key, k, buf, cap, &sy, &got, &st);
        uint8_t root[32];
        pv_cred c;
        /* what the key checks before it installs: the entries lead to the signed root */
        k->ok = rc == PV_OK && got && pv_cred_decode(sy.cred, PV_CRED_SIZE, &c) == PV_OK &&
                c.entry_count == sy.entry_count &&
                pv_merkle_root(sy.entries, sy.entry_count, root) == PV_OK &&
                sodium_memcmp(root, c.root, 32) == 0;
        if (rc == PV_OK && pvst_key_bye(&ops) != PV_OK)
            k->ok = 0;
        close(fd);
        k->ms = now_ms() - t0;
        if (!k->ok && i < 3)
            fprintf(stderr, "bench-city: key %lld: %s\n", k->bearer, rc == PV_OK ? st.text : pv_strerror(rc));
    }
    free(buf);
    return NULL;
}

static int start_stations(bc *b, const char *station_bin)
{
    for (int p = 0; p < BC_PROVIDERS; p++) {
        char keyf[320], sock[320], q[320], id[24], seed[65];
        snprintf(keyf, sizeof keyf, "%s/st%d.key", b->dir, p);
        snprintf(sock, sizeof sock, "%s/st%d.sock", b->dir, p);
        snprintf(q, sizeof q, "%s/q%d", b->dir, p);
        snprintf(id, sizeof id, "%lld", b->station[p]);
        FILE *f = fopen(keyf, "w");
        if (!f)
            return PV_E_IO;
        sodium_bin2hex(seed, sizeof seed, b->station_sk[p], 32);
        fprintf(f, "%s\n", seed);
        fclose(f);
        char *argv[] = {(char *)station_bin, "--server", (char *)b->o->server, "--station-id", id,
                        "--station-key", keyf, "--queue-dir", q, "--key-socket", sock,
                        "--clock-file", b->dir, "--ca-cert",
                        (char *)(b->o->ca_cert ? b->o->ca_cert : ""), NULL};
        char clockf[320];
        snprintf(clockf, sizeof clockf, "%s/clock", b->dir);
        argv[12] = clockf;
        if (!b->o->ca_cert)
            argv[13] = NULL;
        b->pid[p] = fork();
        if (b->pid[p] == 0) {
            (void)prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the benchmark */
            char logf[340];
            snprintf(logf, sizeof logf, "%s/st%d.log", b->dir, p);
            if (freopen(logf, "a", stderr))
                execv(station_bin, argv);
            _exit(127);
        }
    }
    for (int p = 0; p < BC_PROVIDERS; p++) {
        char sock[320];
        struct stat st;
        snprintf(sock, sizeof sock, "%s/st%d.sock", b->dir, p);
        for (int i = 0; i < 200 && stat(sock, &st) != 0; i++)
            usleep(50000);
        if (stat(sock, &st) != 0)
            return PV_E_IO;
    }
    return PV_OK;
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void stop_stations(bc *b)
{
    for (int p = 0; p < BC_PROVIDERS; p++)
        if (b->pid[p] > 0)
            kill(b->pid[p], SIGTERM);
    for (int p = 0; p < BC_PROVIDERS; p++)
        if (b->pid[p] > 0)
            waitpid(b->pid[p], NULL, 0);
}

static int set_clock(bc *b, sim_api *a, uint64_t t)
{
    char path[320];
    snprintf(path, sizeof path, "%s/clock", b->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return PV_E_IO;
    fprintf(f, "%llu\n", (unsigned long long)t);
    fclose(f);
    return sim_api_call(a, "PUT", "/api/v1/dev/clock", json_pack("{s:I}", "now", (json_int_t)t),
                        NULL) == 200
               ? PV_OK
               : PV_E_IO;
}

static int measure(bc *b)
{
    pthread_t th[BC_CLIENTS];
    b->next = 0;
    double t0 = now_ms();
    for (int i = 0; i < BC_CLIENTS; i++)
        pthread_create(&th[i], NULL, sync_worker, b);
    for (int i = 0; i < BC_CLIENTS; i++)
        pthread_join(th[i], NULL);
    double secs = (now_ms() - t0) / 1e3;
    double *ms = malloc(BC_STAFF * sizeof *ms);
    size_t ok = 0;
    for (size_t i = 0; ms && i < BC_STAFF; i++)
        if (b->keys[i].ok)
            ms[ok++] = b->keys[i].ms;
    if (ms)
        qsort(ms, ok, sizeof *ms, cmp_d);
    double p50 = ok ? ms[ok / 2] : 0, p99 = ok ? ms[(ok * 99) / 100] : 0;
    free(ms);
    /* the 30 s budget is the target, not a reference measured in this run: no ratio */
    printf("{\"name\":\"sim.city_shift_start_s\",\"value\":%.2f,\"unit\":\"s\",\"budget\":30,"
           "\"keys\":%d,\"synced\":%zu,\"stations\":%d,\"clients\":%d,"
           "\"path\":\"key -> station (unix socket) -> HTTPS -> portvakt-server\"}\n",
           secs, BC_STAFF, ok, BC_PROVIDERS, BC_CLIENTS);
    printf("{\"name\":\"sim.city_sync_p50_ms\",\"value\":%.1f,\"unit\":\"ms\"}\n", p50);
    printf("{\"name\":\"sim.city_sync_p99_ms\",\"value\":%.1f,\"unit\":\"ms\"}\n", p99);
    fflush(stdout);
    return ok == BC_STAFF ? PV_OK : PV_E_IO;
}

int sim_bench_city(const sim_http_opts *o, const char *station_bin)
{
    bc *b = calloc(1, sizeof *b);
    if (!b)
        return 1;
    b->o = o;
    pthread_mutex_init(&b->mu, NULL);
    b->keys = calloc(BC_STAFF, sizeof *b->keys);
    b->recipient = calloc(BC_RECIPIENTS, sizeof *b->recipient);
    snprintf(b->dir, sizeof b->dir, "/tmp/portvakt-bench-XXXXXX");
    sim_api *a = sim_api_new(o->server, o->ca_cert);
    char *tok = NULL;
    if (!b->keys || !b->recipient || !a || !mkdtemp(b->dir))
        return 1;
    if (o->token)
        sim_api_set_token(a, o->token);
    else if ((tok = sim_api_bootstrap_token(a, o->admin, o->password)))
        sim_api_set_token(a, tok);
    else
        return 1;
    b->token = o->token ? o->token : tok;
    for (size_t i = 0; i < BC_STAFF; i++) {
        b->keys[i].provider = (uint32_t)(i % BC_PROVIDERS);
        crypto_sign_keypair(b->keys[i].pk, b->keys[i].sk);
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = 7, tm.tm_min = 0, tm.tm_sec = 0, tm.tm_isdst = -1;
    uint64_t seven = (uint64_t)mktime(&tm);
    char since[11];
    sim_date(seven - 7 * 86400, since);
    static const size_t n[6] = {BC_PROVIDERS, BC_OWNERS, BC_BUILDINGS, BC_RECIPIENTS, BC_STAFF,
                                BC_PROVIDERS};
    int rc = PV_OK;
    for (int ph = 0; ph < 6 && rc == PV_OK; ph++)
        rc = run_phase(b, ph, n[ph], since, ph == 0 ? 1 : BC_WORKERS);
    if (rc == PV_OK)
        rc = set_clock(b, a, seven);
    if (rc == PV_OK)
        rc = start_stations(b, station_bin);
    if (rc == PV_OK)
        rc = measure(b);
    stop_stations(b);
    if (rc != PV_OK)
        fprintf(stderr, "bench-city: failed (%s); station logs in %s\n", pv_strerror(rc), b->dir);
    else if (!getenv("PVSIM_KEEP")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench-city: could not remove %s\n", b->dir);
    }
    free(tok);
    sim_api_free(a);
    free(b->keys), free(b->recipient), free(b);
    return rc == PV_OK ? 0 : 1;
}
