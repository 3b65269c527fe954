/* JSON-over-HTTPS client for the simulator's calls to portvakt-server. */
#include "api.h"

#include <curl/curl.h>
#include <oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sim_api {
    CURL *h;
    char *base, *ca;
    char token[256];
    char cookie[512];
    char csrf[128];
};

sim_api *sim_api_new(const char *base, const char *ca_file)
{
    static int init;
    if (!init && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        init = 1;
    sim_api *a = calloc(1, sizeof *a);
    if (!a || !(a->h = curl_easy_init()) || !(a->base = strdup(base)) ||
        (ca_file && !(a->ca = strdup(ca_file)))) {
        sim_api_free(a);
        return NULL;
    }
    return a;
}

void sim_api_free(sim_api *a)
{
    if (!a)
        return;
    if (a->h)
        curl_easy_cleanup(a->h);
    free(a->base);
    free(a->ca);
    free(a);
}

void sim_api_set_token(sim_api *a, const char *token)
{
    snprintf(a->token, sizeof a->token, "%s", token);
}

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_body(char *d, size_t s, size_t n, void *u)
{
    buf *b = u;
    char *np = realloc(b->p, b->n + s * n + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, s * n);
    b->p = np;
    b->n += s * n;
    b->p[b->n] = 0;
    return s * n;
}

/* Keeps the newest session cookie (login rotates it). */
static size_t on_header(char *d, size_t s, size_t n, void *u)
{
    sim_api *a = u;
    size_t len = s * n;
    if (len > 12 && strncasecmp(d, "Set-Cookie: ", 12) == 0) {
        size_t k = strcspn(d + 12, ";\r\n");
        if (k < sizeof a->cookie)
            snprintf(a->cookie, sizeof a->cookie, "%.*s", (int)k, d + 12);
    }
    return len;
}

long sim_api_call(sim_api *a, const char *method, const char *path, json_t *body,
                  json_t **out)
{
    char url[1024], auth[300], cookie[600], csrf[200];
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    buf b = {0};
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    if (a->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", a->token);
        hl = curl_slist_append(hl, auth);
    } else if (a->cookie[0]) {
        snprintf(cookie, sizeof cookie, "Cookie: %s", a->cookie);
        hl = curl_slist_append(hl, cookie);
        if (a->csrf[0]) {
            snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", a->csrf);
            hl = curl_slist_append(hl, csrf);
        }
    }
    snprintf(url, sizeof url, "%s%s", a->base, path);
    curl_easy_reset(a->h);
    curl_easy_setopt(a->h, CURLOPT_URL, url);
    curl_easy_setopt(a->h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, hl);
    if (a->ca)
        curl_easy_setopt(a->h, CURLOPT_CAINFO, a->ca);
    curl_easy_setopt(a->h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(a->h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(a->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(a->h, CURLOPT_TIMEOUT, 60L);
    if (txt)
        curl_easy_setopt(a->h, CURLOPT_POSTFIELDS, txt);
    curl_easy_setopt(a->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(a->h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(a->h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(a->h, CURLOPT_HEADERDATA, a);
    long status = 0;
    CURLcode cc = curl_easy_perform(a->h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, "portvakt-sim: %s %s: %s\n", method, url, curl_easy_strerror(cc));
    curl_slist_free_all(hl);
    json_t *j = b.p ? json_loads(b.p, 0, NULL) : NULL;
    if (status >= 400) {
        const char *d = json_string_value(json_object_get(j, "detail"));
        fprintf(stderr, "portvakt-sim: %s %s -> %ld: %s\n", method, path, status,
                d ? d : (b.p ? b.p : ""));
    }
    free(b.p);
    free(txt);
    if (out)
        *out = j;
    else
        json_decref(j);
    return status;
}

long long sim_api_create(sim_api *a, const char *path, json_t *body)
{
    json_t *o = NULL;
    long st = sim_api_call(a, "POST", path, body, &o);
    long long id = (st == 200 || st == 201) ? json_integer_value(json_object_get(o, "id")) : 0;
    json_decref(o);
    return id;
}

/* The base32 secret from an otpauth:// URI, decoded for liboath. */
static int totp_now(const char *uri, char code[8])
{
    const char *s = strstr(uri, "secret=");
    if (!s)
        return -1;
    s += 7;
    size_t n = strcspn(s, "&");
    char b32[128];
    if (n >= sizeof b32)
        return -1;
    memcpy(b32, s, n);
    b32[n] = 0;
    char *raw = NULL;
    size_t rawlen = 0;
    if (oath_init() != OATH_OK || oath_base32_decode(b32, n, &raw, &rawlen) != OATH_OK)
        return -1;
    int rc = oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK ? 0 : -1;
    free(raw);
    return rc;
}

char *sim_api_bootstrap_token(sim_api *a, const char *user, const char *password)
{
    json_t *o = NULL;
    char code[8];
    long st = sim_api_call(a, "POST", "/api/v1/auth/login",
                           json_pack("{s:s,s:s}", "username", user, "password", password), &o);
    json_decref(o);
    if (st != 200 || sim_api_call(a, "GET", "/api/v1/auth/enroll", NULL, &o) != 200)
        return NULL;
    const char *uri = json_string_value(json_object_get(o, "otpauth_uri"));
    int ok = uri && totp_now(uri, code) == 0;
    json_decref(o);
    if (!ok || sim_api_call(a, "POST", "/api/v1/auth/enroll", json_pack("{s:s}", "code", code),
                            &o) != 200)
        return NULL;
    const char *csrf = json_string_value(json_object_get(o, "csrf_token"));
    snprintf(a->csrf, sizeof a->csrf, "%s", csrf ? csrf : "");
    json_decref(o);
    st = sim_api_call(a, "POST", "/api/v1/tokens",
                      json_pack("{s:s,s:s}", "name", "portvakt-sim", "role", "central_admin"), &o);
    const char *secret = json_string_value(json_object_get(o, "secret"));
    char *t = (st == 200 || st == 201) && secret ? strdup(secret) : NULL;
    json_decref(o);
    return t;
}
