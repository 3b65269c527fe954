/* libcurl uplink: station-signed JSON POSTs with primary/fallback failover. */
#include "uplink.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PVST_HTTP_BODY_MAX (8u << 20) /* a sync answer of ~400 k entries; more is hostile */

struct pvst_uplink {
    CURL *h[2];
    char *url[2];
    char *ca_file;
    uint32_t station_id;
    uint8_t sk[PV_SIGN_SK_SIZE];
    long timeout_ms;
    pvst_now_fn now;
    void *now_ctx;
    int prefer;                 /* the address that answered last */
    uint64_t fallback_since_ms; /* when the fallback took over (monotonic) */
};

#define PVST_PRIMARY_RETRY_MS 60000u /* back to the office network once it may be up again */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int pvst_sign_headers(const uint8_t sk[PV_SIGN_SK_SIZE], const char *method, const char *path,
                      uint64_t date, const uint8_t *body, size_t len,
                      char sig_hex[2 * PV_SIG_SIZE + 1])
{
    uint8_t bh[32], sig[PV_SIG_SIZE];
    char bh_hex[65], msg[1024];
    crypto_generichash(bh, sizeof bh, body, len, NULL, 0);
    sodium_bin2hex(bh_hex, sizeof bh_hex, bh, sizeof bh);
    int n = snprintf(msg, sizeof msg, "portvakt-station-v1\n%s\n%s\n%llu\n%s", method, path,
                     (unsigned long long)date, bh_hex);
    if (n < 0 || (size_t)n >= sizeof msg)
        return PV_E_ARG;
    if (crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, sk) != 0)
        return PV_E_CRYPTO;
    sodium_bin2hex(sig_hex, 2 * PV_SIG_SIZE + 1, sig, sizeof sig);
    return PV_OK;
}

pvst_uplink *pvst_uplink_new(const pvst_uplink_cfg *cfg)
{
    static int global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        global_done = 1;
    }
    pvst_uplink *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    for (int i = 0; i < 2; i++) {
        if (!cfg->url[i])
            continue;
        u->url[i] = strdup(cfg->url[i]);
        u->h[i] = curl_easy_init();
        if (!u->url[i] || !u->h[i])
            goto fail;
    }
    if (!u->h[0] || (cfg->ca_file && !(u->ca_file = strdup(cfg->ca_file))))
        goto fail;
    u->station_id = cfg->station_id;
    memcpy(u->sk, cfg->sk, sizeof u->sk);
    u->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
    u->now = cfg->now;
    u->now_ctx = cfg->now_ctx;
    return u;
fail:
    pvst_uplink_free(u);
    return NULL;
}

void pvst_uplink_free(pvst_uplink *u)
{
    if (!u)
        return;
    for (int i = 0; i < 2; i++) {
        if (u->h[i])
            curl_easy_cleanup(u->h[i]);
        free(u->url[i]);
    }
    free(u->ca_file);
    sodium_memzero(u->sk, sizeof u->sk);
    free(u);
}

void pvst_http_free(pvst_http *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

typedef struct sink {
    char *p;
    size_t n;
    int over;
} sink;

static size_t on_body(char *data, size_t sz, size_t nm, void *ud)
{
    sink *s = ud;
    size_t add = sz * nm;
    if (s->n + add > PVST_HTTP_BODY_MAX) {
        s->over = 1;
        return 0; /* aborts the transfer */
    }
    char *np = realloc(s->p, s->n + add + 1);
    if (!np)
        return 0;
    memcpy(np + s->n, data, add);
    s->p = np;
    s->n += add;
    s->p[s->n] = 0;
    return add;
}

static void read_problem(pvst_http *r)
{
    r->ptype[0] = r->detail[0] = 0;
    if (r->status < 400 || !r->body)
        return;
    json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
    const char *t = json_string_value(json_object_get(j, "type"));
    const char *d = json_string_value(json_object_get(j, "detail"));
    if (t)
        snprintf(r->ptype, sizeof r->ptype, "%s", t);
    if (d)
        snprintf(r->detail, sizeof r->detail, "%s", d);
    else
        snprintf(r->detail, sizeof r->detail, "server answered HTTP %ld", r->status);
    json_decref(j);
}

/* One attempt against address i. Returns PV_OK if the server answered (any status). */
static int post_one(pvst_uplink *u, int i, const char *path, const char *body, size_t len,
                    pvst_http *r)
{
    CURL *h = u->h[i];
    char url[1024], hdr[3][200], sig[2 * PV_SIG_SIZE + 1];
    uint64_t date = u->now(u->now_ctx);
    int rc = pvst_sign_headers(u->sk, "POST", path, date, (const uint8_t *)body, len, sig);
    if (rc != PV_OK)
        return rc;
    snprintf(url, sizeof url, "%s%s", u->url[i], path);
    snprintf(hdr[0], sizeof hdr[0], "X-Portvakt-Station: %u", u->station_id);
    snprintf(hdr[1], sizeof hdr[1], "X-Portvakt-Date: %llu", (unsigned long long)date);
    snprintf(hdr[2], sizeof hdr[2], "X-Portvakt-Signature: %s", sig);
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip per upload */
    for (int k = 0; k < 3; k++)
        hl = curl_slist_append(hl, hdr[k]);
    sink s = {0};
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (u->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, u->ca_file);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, u->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, u->timeout_ms < 3000 ? u->timeout_ms : 3000L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hl);
    if (cc != CURLE_OK) {
        snprintf(r->detail, sizeof r->detail, "%s: %s", u->url[i],
                 s.over ? "answer too large" : curl_easy_strerror(cc));
        free(s.p);
        return PV_E_IO;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = s.p ? s.p : calloc(1, 1);
    r->body_len = s.n;
    r->via = i;
    read_problem(r);
    return r->body ? PV_OK : PV_E_NOMEM;
}

int pvst_uplink_post(pvst_uplink *u, const char *path, const char *body, size_t len,
                     pvst_http *r)
{
    memset(r, 0, sizeof *r);
    r->via = -1;
    /* the fallback (mobile network) is for outages: give the primary another chance */
    if (u->prefer == 1 && mono_ms() - u->fallback_since_ms > PVST_PRIMARY_RETRY_MS)
        u->prefer = 0;
    int order[2] = {u->prefer, 1 - u->prefer};
    int rc = PV_E_IO;
    for (int k = 0; k < 2; k++) {
        int i = order[k];
        if (!u->h[i])
            continue;
        pvst_http_free(r);
        r->status = 0;
        rc = post_one(u, i, path, body, len, r);
        if (rc == PV_OK && r->status < 500) {
            if (i == 1 && u->prefer != 1)
                u->fallback_since_ms = mono_ms();
            u->prefer = i;
            return PV_OK;
        }
    }
    /* every address failed or answered 5xx: report the last answer, if any */
    return rc == PV_OK ? PV_OK : PV_E_IO;
}
