/* A stand-in for portvakt-server's station endpoints (challenge, sync, ingest) over TLS,
 * with the same idempotency rules, so the station's tests do not depend on the server.
 * Ports: argv primary, fallback (HTTPS) and control (plain HTTP: /stats, /control). */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portvakt/proto.h"
#include "testkeys.h"

#define MAXEV 100000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t lock_keys[MAXEV], bearer_keys[MAXEV]; /* (id << 32 | seq) stored */
static size_t nlock, nbearer;
static unsigned long dups, ingests_started, ingests_done, syncs, bad_auth;
static unsigned delay_ms;
static uint8_t station_pk[32], issuer_sk[64];
static uint8_t nonces[64][32];
static unsigned nnonce;
static struct MHD_Daemon *https[2];
static unsigned short port[2];
static char *cert_pem, *key_pem;

typedef struct req {
    char *b;
    size_t n;
} req;

static int reply(struct MHD_Connection *c, unsigned st, const char *ctype, char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", ctype);
    int ret = MHD_queue_response(c, st, r);
    MHD_destroy_response(r);
    return ret;
}

static int problem(struct MHD_Connection *c, unsigned st, const char *type, const char *detail)
{
    json_t *j = json_pack("{s:s,s:s,s:i,s:s}", "type", type, "title", type, "status", (int)st,
                          "detail", detail);
    char *s = json_dumps(j, 0);
    json_decref(j);
    return reply(c, st, "application/problem+json", s);
}

static int auth_ok(struct MHD_Connection *c, const char *url, const req *q)
{
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Portvakt-Station");
    const char *dt = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Portvakt-Date");
    const char *sg = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Portvakt-Signature");
    uint8_t sig[64], bh[32];
    char bhx[65], msg[512];
    size_t n = 0;
    if (!id || !dt || !sg || strcmp(id, "1") != 0 || strlen(sg) != 128 ||
        sodium_hex2bin(sig, 64, sg, 128, NULL, &n, NULL) != 0)
        return 0;
    long long d = atoll(dt);
    if (llabs(d - (long long)time(NULL)) > 300)
        return 0;
    crypto_generichash(bh, 32, (const uint8_t *)q->b, q->n, NULL, 0);
    sodium_bin2hex(bhx, sizeof bhx, bh, 32);
    int ml = snprintf(msg, sizeof msg, "portvakt-station-v1\nPOST\n%s\n%s\n%s", url, dt, bhx);
    return crypto_sign_verify_detached(sig, (const uint8_t *)msg, (size_t)ml, station_pk) == 0;
}

static int seen_add(uint64_t *set, size_t *n, uint64_t k)
{
    for (size_t i = 0; i < *n; i++)
        if (set[i] == k)
            return 0;
    if (*n < MAXEV)
        set[(*n)++] = k;
    return 1;
}

static int do_challenge(struct MHD_Connection *c, json_t *j)
{
    json_int_t b = json_integer_value(json_object_get(j, "bearer_id"));
    if (b == PVT_BLOCKED_BEARER)
        return problem(c, 403, "https://portvakt.org/problems/bearer-blocked",
                       "key K-0666 is reported lost; sync refused. Ask your planner to issue "
                       "a new key.");
    uint8_t nonce[32];
    char hex[65];
    randombytes_buf(nonce, 32);
    pthread_mutex_lock(&mu);
    memcpy(nonces[nnonce++ % 64], nonce, 32);
    pthread_mutex_unlock(&mu);
    sodium_bin2hex(hex, sizeof hex, nonce, 32);
    json_t *o = json_pack("{s:s,s:I}", "nonce", hex, "expires_at", (json_int_t)time(NULL) + 60);
    char *s = json_dumps(o, 0);
    json_decref(o);
    return reply(c, 200, "application/json", s);
}

static int do_sync(struct MHD_Connection *c, json_t *j)
{
    uint32_t b = (uint32_t)json_integer_value(json_object_get(j, "bearer_id"));
    const char *nh = json_string_value(json_object_get(j, "nonce"));
    const char *sh = json_string_value(json_object_get(j, "signature"));
    uint8_t nonce[32], sig[64], sk[64], pk[32], msg[17 + 36];
    size_t n1 = 0, n2 = 0;
    if (!nh || !sh || sodium_hex2bin(nonce, 32, nh, strlen(nh), NULL, &n1, NULL) || n1 != 32 ||
        sodium_hex2bin(sig, 64, sh, strlen(sh), NULL, &n2, NULL) || n2 != 64)
        return problem(c, 400, "https://portvakt.org/problems/bad-request", "malformed");
    pvt_bearer_keys(b, pk, sk);
    memcpy(msg, "portvakt-sync-v1", 17);
    memcpy(msg + 17, nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)(b >> (8 * i));
    if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0)
        return problem(c, 403, "https://portvakt.org/problems/bad-signature", "bad signature");
    uint64_t now = (uint64_t)time(NULL);
    pv_entry e = {.lock_id = 77, .start_min = 0, .end_min = 480, .flags = PV_ENTRY_F_APARTMENT};
    uint8_t ent[PV_ENTRY_SIZE], cred[PV_CRED_SIZE], beacon[PV_BEACON_SIZE];
    pv_entry_encode(&e, ent);
    pv_cred cr = {.issuer_id = 1, .serial = now, .bearer_id = b, .entry_count = 1,
                  .issued_at = now, .not_before = now, .not_after = now + 8 * 3600};
    if (pv_bearer_x_pk(pk, cr.bearer_pk) != PV_OK || pv_merkle_root(ent, 1, cr.root) != PV_OK ||
        pv_cred_sign(&cr, issuer_sk, cred) != PV_OK)
        return problem(c, 500, "about:blank", "issue failed");
    pv_beacon bc = {.issuer_id = 1, .time = now};
    if (pv_beacon_sign(&bc, issuer_sk, beacon) != PV_OK)
        return problem(c, 500, "about:blank", "beacon failed");
    char ch[2 * PV_CRED_SIZE + 1], eh[21], bh[2 * PV_BEACON_SIZE + 1];
    sodium_bin2hex(ch, sizeof ch, cred, sizeof cred);
    sodium_bin2hex(eh, sizeof eh, ent, sizeof ent);
    sodium_bin2hex(bh, sizeof bh, beacon, sizeof beacon);
    pthread_mutex_lock(&mu);
    syncs++;
    pthread_mutex_unlock(&mu);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:i,s:{s:i,s:i,s:[]}}", "credential", ch,
                          "entries", eh, "revlist", "", "beacon", bh, "valid_from",
                          (json_int_t)now, "valid_until", (json_int_t)(now + 8 * 3600), "doors",
                          1, "ingest", "stored", 0, "duplicates", 0, "gaps");
    char *s = json_dumps(o, 0);
    json_decref(o);
    return reply(c, 200, "application/json", s);
}

static int do_ingest(struct MHD_Connection *c, json_t *j)
{
    pthread_mutex_lock(&mu);
    ingests_started++;
    unsigned d = delay_ms;
    pthread_mutex_unlock(&mu);
    unsigned long stored = 0, dup = 0;
    json_t *v;
    size_t i;
    uint8_t buf[PV_LOGBATCH_MAX_SIZE];
    json_array_foreach(json_object_get(j, "lock_batches"), i, v)
    {
        const char *h = json_string_value(v);
        size_t n = 0;
        pv_logbatch b;
        if (!h || sodium_hex2bin(buf, sizeof buf, h, strlen(h), NULL, &n, NULL) != 0 ||
            pv_logbatch_decode(buf, n, &b) != PV_OK)
            return problem(c, 400, "https://portvakt.org/problems/bad-batch", "bad batch");
        for (unsigned k = 0; k < b.count; k++) {
            pv_event ev;
            if (pv_event_decode(b.events + 16 * k, &ev) != PV_OK)
                return problem(c, 400, "https://portvakt.org/problems/bad-batch", "bad event");
            pthread_mutex_lock(&mu);
            int fresh = seen_add(lock_keys, &nlock, (uint64_t)b.lock_id << 32 | ev.seq);
            pthread_mutex_unlock(&mu);
            fresh ? stored++ : dup++;
        }
    }
    json_array_foreach(json_object_get(j, "bearer_events"), i, v)
    {
        json_int_t b = json_integer_value(json_object_get(v, "bearer_id"));
        json_int_t s = json_integer_value(json_object_get(v, "seq"));
        pthread_mutex_lock(&mu);
        int fresh = seen_add(bearer_keys, &nbearer, (uint64_t)b << 32 | (uint64_t)s);
        pthread_mutex_unlock(&mu);
        fresh ? stored++ : dup++;
    }
    /* stored first, answered late: a station killed now has not seen the 200 */
    if (d)
        usleep(d * 1000u);
    pthread_mutex_lock(&mu);
    dups += dup;
    ingests_done++;
    pthread_mutex_unlock(&mu);
    json_t *o = json_pack("{s:i,s:i,s:[]}", "stored", (int)stored, "duplicates", (int)dup, "gaps");
    char *s = json_dumps(o, 0);
    json_decref(o);
    return reply(c, 200, "application/json", s);
}

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *ver, const char *data,
                              size_t *size, void **con)
{
    req *q = *con;
    if (!q) {
        *con = calloc(1, sizeof(req));
        return *con ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *nb = realloc(q->b, q->n + *size + 1);
        if (!nb)
            return MHD_NO;
        memcpy(nb + q->n, data, *size);
        q->b = nb;
        q->n += *size;
        q->b[q->n] = 0;
        *size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return problem(c, 405, "about:blank", "POST only") == MHD_YES ? MHD_YES : MHD_NO;
    if (!auth_ok(c, url, q)) {
        pthread_mutex_lock(&mu);
        bad_auth++;
        pthread_mutex_unlock(&mu);
        return problem(c, 401, "https://portvakt.org/problems/station-auth", "bad station auth")
                   ? MHD_YES : MHD_NO;
    }
    json_t *j = json_loadb(q->b ? q->b : "", q->n, 0, NULL);
    int r;
    if (!j)
        r = problem(c, 400, "about:blank", "not JSON");
    else if (strcmp(url, "/api/v1/sync/challenge") == 0)
        r = do_challenge(c, j);
    else if (strcmp(url, "/api/v1/sync") == 0)
        r = do_sync(c, j);
    else if (strcmp(url, "/api/v1/ingest") == 0)
        r = do_ingest(c, j);
    else
        r = problem(c, 404, "about:blank", "no such endpoint");
    json_decref(j);
    return r == MHD_YES ? MHD_YES : MHD_NO;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con,
                    enum MHD_RequestTerminationCode t)
{
    req *q = *con;
    if (q)
        free(q->b);
    free(q);
    *con = NULL;
}

static struct MHD_Daemon *start_https(unsigned short p)
{
    return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_TLS | MHD_USE_ERROR_LOG,
                            p, NULL, NULL, on_req, NULL, MHD_OPTION_HTTPS_MEM_KEY, key_pem,
                            MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_NOTIFY_COMPLETED,
                            on_done, NULL, MHD_OPTION_END);
}

/* Control port: GET /stats, and /control?delay_ms=N&up0=0|1&up1=0|1 (take an uplink down). */
static enum MHD_Result on_ctl(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *ver, const char *data,
                              size_t *size, void **con)
{
    if (strcmp(url, "/control") == 0) {
        const char *d = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "delay_ms");
        pthread_mutex_lock(&mu);
        if (d)
            delay_ms = (unsigned)atoi(d);
        pthread_mutex_unlock(&mu);
        for (int i = 0; i < 2; i++) {
            const char *u = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
                                                        i ? "up1" : "up0");
            if (u && atoi(u) && !https[i])
                https[i] = start_https(port[i]);
            else if (u && !atoi(u) && https[i]) {
                MHD_stop_daemon(https[i]);
                https[i] = NULL;
            }
        }
    }
    char *s = malloc(512);
    pthread_mutex_lock(&mu);
    snprintf(s, 512,
             "{\"lock_events\":%zu,\"bearer_events\":%zu,\"duplicates\":%lu,"
             "\"ingests_started\":%lu,\"ingests_done\":%lu,\"syncs\":%lu,\"bad_auth\":%lu}",
             nlock, nbearer, dups, ingests_started, ingests_done, syncs, bad_auth);
    pthread_mutex_unlock(&mu);
    return reply(c, 200, "application/json", s) == MHD_YES ? MHD_YES : MHD_NO;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = calloc(1, 65536);
    size_t n = b ? fread(b, 1, 65535, f) : 0;
    fclose(f);
    (void)n;
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 7 || sodium_init() < 0) {
        fprintf(stderr, "usage: fake_server PORT0 PORT1 CTLPORT CERT KEY STATION_PK_HEX\n");
        return 2;
    }
    port[0] = (unsigned short)atoi(argv[1]);
    port[1] = (unsigned short)atoi(argv[2]);
    cert_pem = slurp(argv[4]);
    key_pem = slurp(argv[5]);
    size_t n = 0;
    uint8_t ipk[32];
    if (!cert_pem || !key_pem ||
        sodium_hex2bin(station_pk, 32, argv[6], strlen(argv[6]), NULL, &n, NULL) || n != 32)
        return 2;
    pvt_seeded_keys("pv-test-issuer", 1, ipk, issuer_sk);
    https[0] = start_https(port[0]);
    struct MHD_Daemon *ctl = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)atoi(argv[3]),
                                              NULL, NULL, on_ctl, NULL, MHD_OPTION_END);
    if (!https[0] || !ctl) {
        fprintf(stderr, "fake_server: cannot listen\n");
        return 1;
    }
    for (;;)
        pause();
}
