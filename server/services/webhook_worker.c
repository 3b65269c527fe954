/* The delivery worker of outgoing events (webhook_worker.h): read due deliveries, send each
 * signed with libcurl outside any transaction, record the answer in a short transaction. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "pvs/clock.h"
#include "pvs/vault.h"
#include "webhook_worker.h"
#include "webhooks.h"

#define BATCH 16       /* deliveries read per pass */
#define IDLE_MS 200    /* pause between passes when nothing was due */
#define URL_MAX 1024   /* as the route checks */
#define ERR_MAX 200

/* One due delivery, copied out of the database before sending. */
struct due {
    int64_t id, webhook_id, attempts;
    char url[URL_MAX + 1];
    char key[128];
    char *body;
    uint8_t secret[PVS_WEBHOOK_SECRET_LEN];
    bool secret_ok;
};

/* The retry settings (defaults until pvs_webhook_worker_configure(); set before the thread). */
static struct pvs_webhook_cfg cfg = {10, 3600, 15, 10};

void pvs_webhook_worker_configure(const struct pvs_webhook_cfg *c)
{
    cfg = *c;
}

int64_t pvs_webhook_backoff(int64_t attempts)
{
    int64_t d = cfg.backoff_base_s;
    /* a cap below the first delay would shorten it: the first delay wins */
    int64_t cap = cfg.backoff_cap_s > cfg.backoff_base_s ? cfg.backoff_cap_s : cfg.backoff_base_s;
    for (int64_t i = 1; i < attempts && d < cap; i++)
        d *= 2;
    return d < cap ? d : cap;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Row -> struct due; the secret opened with the vault (a secret that does not open makes
 * the delivery fail, and after its tries go dead, rather than go out unsigned). */
static void read_due(pvs_stmt *st, struct due *d)
{
    d->id = pvs_col_i64(st, 0);
    d->webhook_id = pvs_col_i64(st, 1);
    d->attempts = pvs_col_i64(st, 2);
    copy_text(d->url, sizeof d->url, pvs_col_text(st, 3));
    copy_text(d->key, sizeof d->key, pvs_col_text(st, 4));
    const char *b = pvs_col_text(st, 5);
    d->body = strdup(b ? b : "{}");
    size_t len = 0, out = 0;
    const void *sealed = pvs_col_blob(st, 6, &len);
    char ctx[40];
    pvs_webhook_secret_ctx(d->webhook_id, ctx);
    d->secret_ok = sealed && pvs_vault_open(ctx, sealed, len, d->secret, sizeof d->secret, &out) == 0 &&
                   out == PVS_WEBHOOK_SECRET_LEN;
}

static int load_due(pvs_db *db, int64_t now, int max, struct due *out, int *n)
{
    pvs_stmt st;
    *n = 0;
    int rc = pvs_query(db, &st,
                       "SELECT d.id, d.webhook_id, d.attempts, w.url, e.event_key, e.body, w.secret"
                       " FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id"
                       " JOIN webhooks w ON w.id = d.webhook_id"
                       " WHERE d.state = 'pending' AND d.next_at <= ? AND w.active = 1"
                       " ORDER BY d.next_at, d.id LIMIT ?",
                       PVS_ARGS(PVS_I64(now), PVS_I64(max)));
    if (rc != PVS_DB_OK)
        return rc;
    while (*n < max && (rc = pvs_next(&st)) == PVS_DB_ROW)
        read_due(&st, &out[(*n)++]);
    pvs_finalize(&st);
    return rc == PVS_DB_ROW || rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

static size_t discard(char *p, size_t size, size_t nmemb, void *ud)
{
    (void)p;
    (void)ud;
    return size * nmemb;
}

/* "v1=" + hex(HMAC-SHA256(secret, "<ts>.<body>")). */
static void sign(const struct due *d, int64_t ts, char out[3 + 65])
{
    crypto_auth_hmacsha256_state h;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    char t[24];
    int tn = snprintf(t, sizeof t, "%lld.", (long long)ts);
    crypto_auth_hmacsha256_init(&h, d->secret, sizeof d->secret);
    crypto_auth_hmacsha256_update(&h, (const uint8_t *)t, (size_t)tn);
    crypto_auth_hmacsha256_update(&h, (const uint8_t *)d->body, strlen(d->body));
    crypto_auth_hmacsha256_final(&h, mac);
    memcpy(out, "v1=", 3);
    sodium_bin2hex(out + 3, 65, mac, sizeof mac);
    sodium_memzero(&h, sizeof h);
}

/* POST the event; the HTTP status (0: no answer) and, on failure, a reason in err. */
static long post(const struct due *d, int64_t ts, char err[ERR_MAX])
{
    char sig[3 + 65], hdr[4][200];
    sign(d, ts, sig);
    snprintf(hdr[0], sizeof hdr[0], "Portvakt-Event-Id: %s", d->key);
    snprintf(hdr[1], sizeof hdr[1], "Idempotency-Key: %s", d->key);
    snprintf(hdr[2], sizeof hdr[2], "Portvakt-Timestamp: %lld", (long long)ts);
    snprintf(hdr[3], sizeof hdr[3], "Portvakt-Signature: %s", sig);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    for (int i = 0; i < 4; i++)
        h = curl_slist_append(h, hdr[i]);
    CURL *c = curl_easy_init();
    long status = 0;
    char ebuf[CURL_ERROR_SIZE] = "";
    if (c && h) {
        curl_easy_setopt(c, CURLOPT_URL, d->url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg.timeout_s);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (status < 200 || status > 299)
        snprintf(err, ERR_MAX, "%.*s", ERR_MAX - 1, status ? "the receiver answered with an error" : ebuf);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return status;
}

/* Record one try: delivered, or the next try's time, or dead. */
static int record(pvs_db *db, const struct due *d, long status, const char *err, int64_t now)
{
    bool ok = status >= 200 && status <= 299;
    int64_t tries = d->attempts + 1;
    const char *state = ok ? "delivered" : tries >= (int64_t)cfg.max_attempts ? "dead" : "pending";
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(
            db,
            "UPDATE outbox_deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?,"
            " last_error = ?, delivered_at = ? WHERE id = ? AND state = 'pending'",
            PVS_ARGS(PVS_TEXT(state), PVS_I64(tries), PVS_I64(now + pvs_webhook_backoff(tries)),
                     PVS_I64(status), ok ? PVS_NULL : PVS_TEXT(err), ok ? PVS_I64(now) : PVS_NULL,
                     PVS_I64(d->id))));
    if (rc == PVS_DB_NOTFOUND)
        rc = PVS_DB_OK; /* another instance recorded it first */
    return pvs_tx_finish(db, rc);
}

int pvs_webhook_deliver_due(pvs_store *store, int64_t now, int max)
{
    struct due *due = calloc((size_t)max, sizeof *due);
    if (!due)
        return PVS_DB_ERROR;
    int n = 0;
    pvs_db *db = pvs_store_acquire(store);
    int rc = load_due(db, now, max, due, &n);
    pvs_store_release(store, db);
    for (int i = 0; i < n; i++) {
        char err[ERR_MAX] = "the secret of this webhook does not open with the vault key";
        long status = due[i].secret_ok && due[i].body ? post(&due[i], now, err) : 0;
        db = pvs_store_acquire(store);
        int r2 = record(db, &due[i], status, err, pvs_now());
        pvs_store_release(store, db);
        if (rc == PVS_DB_OK)
            rc = r2;
        free(due[i].body);
        sodium_memzero(due[i].secret, sizeof due[i].secret);
    }
    free(due);
    return rc == PVS_DB_OK ? n : rc;
}

static int (*periodic_fn)(pvs_db *db, int64_t now);

void pvs_webhook_worker_periodic(int (*fn)(pvs_db *db, int64_t now))
{
    periodic_fn = fn;
}

/* The registered periodic check, in its own write transaction, about once an hour. */
static void periodic(pvs_store *store, int64_t *last)
{
    int64_t now = pvs_now();
    if (!periodic_fn || (*last && now - *last < 3600))
        return;
    pvs_db *db = pvs_store_acquire(store);
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_finish(db, periodic_fn(db, now));
    pvs_store_release(store, db);
    if (rc == PVS_DB_OK)
        *last = now;
}

static struct {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, running;
    pvs_store *store;
} worker = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *run(void *arg)
{
    (void)arg;
    int64_t last_check = 0;
    pthread_mutex_lock(&worker.mu);
    while (!worker.stop) {
        pthread_mutex_unlock(&worker.mu);
        int n = 0;
        if (!pvs_clock_waiting_for_sim()) {
            periodic(worker.store, &last_check);
            n = pvs_webhook_deliver_due(worker.store, pvs_now(), BATCH);
        }
        pthread_mutex_lock(&worker.mu);
        if (n < BATCH && !worker.stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += IDLE_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&worker.cv, &worker.mu, &ts);
        }
    }
    pthread_mutex_unlock(&worker.mu);
    return NULL;
}

int pvs_webhook_worker_start(pvs_store *store)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    worker.store = store;
    worker.stop = false;
    if (pthread_create(&worker.th, NULL, run, NULL) != 0)
        return -1;
    worker.running = true;
    return 0;
}

void pvs_webhook_worker_stop(void)
{
    if (!worker.running)
        return;
    pthread_mutex_lock(&worker.mu);
    worker.stop = true;
    pthread_cond_signal(&worker.cv);
    pthread_mutex_unlock(&worker.mu);
    pthread_join(worker.th, NULL);
    worker.running = false;
}
