/* The calls portvakt-server makes to the OpenID provider, with libcurl: discovery, the JWKS
 * (refetched when a token names a key we do not have: key rotation) and the code exchange.
 * One process-wide cache under a mutex; every answer bounded in size and time. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "pvs/oidc.h"

#define MAX_ANSWER (256 * 1024) /* a discovery document or JWKS is a few KB */
#define TIMEOUT_S 10L
#define REFETCH_MIN_S 1 /* a token with an unknown kid refetches the JWKS at most this often */

struct answer {
    char *p;
    size_t n;
    bool too_big;
};

static struct {
    pthread_mutex_t mu;
    char issuer[256], authorize[512], token[512], jwks[512];
    bool discovered;
    struct pvs_oidc_keys keys;
    time_t keys_at;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct answer *a = ud;
    size_t n = size * nmemb;
    if (a->n + n > MAX_ANSWER) {
        a->too_big = true;
        return 0;
    }
    char *p = realloc(a->p, a->n + n + 1);
    if (!p)
        return 0;
    memcpy(p + a->n, ptr, n);
    a->p = p;
    a->n += n;
    a->p[a->n] = '\0';
    return n;
}

/* GET (form == NULL) or POST a form; the JSON answer of a 200, or NULL. */
static json_t *call(const char *url, const char *form)
{
    pthread_once(&curl_once, curl_init);
    struct answer a = {0};
    long status = 0;
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    if (form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    json_t *o = rc == CURLE_OK && status == 200 && a.p ? json_loadb(a.p, a.n, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (a.p)
        sodium_memzero(a.p, a.n);
    free(a.p);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static bool endpoint(json_t *doc, const char *name, char *out, size_t cap)
{
    const char *v = json_string_value(json_object_get(doc, name));
    bool ok = v && strlen(v) < cap &&
              (strncmp(v, "https://", 8) == 0 || strncmp(v, "http://127.0.0.1:", 17) == 0 ||
               strncmp(v, "http://localhost:", 17) == 0);
    if (ok)
        snprintf(out, cap, "%s", v);
    return ok;
}

/* Under cache.mu: the provider's endpoints, fetched once per issuer. */
static int discover(const struct pvs_oidc_cfg *cfg)
{
    if (cache.discovered && strcmp(cache.issuer, cfg->issuer) == 0)
        return 0;
    char url[512];
    size_t il = strlen(cfg->issuer);
    snprintf(url, sizeof url, "%s%s.well-known/openid-configuration", cfg->issuer,
             il && cfg->issuer[il - 1] == '/' ? "" : "/");
    json_t *doc = call(url, NULL);
    const char *iss = json_string_value(json_object_get(doc, "issuer"));
    bool ok = iss && strcmp(iss, cfg->issuer) == 0 &&
              endpoint(doc, "authorization_endpoint", cache.authorize, sizeof cache.authorize) &&
              endpoint(doc, "token_endpoint", cache.token, sizeof cache.token) &&
              endpoint(doc, "jwks_uri", cache.jwks, sizeof cache.jwks);
    json_decref(doc);
    if (!ok)
        return -1;
    snprintf(cache.issuer, sizeof cache.issuer, "%s", cfg->issuer);
    cache.discovered = true;
    pvs_oidc_keys_free(&cache.keys);
    cache.keys_at = 0;
    return 0;
}

/* Under cache.mu: (re)load the JWKS, not more often than REFETCH_MIN_S. */
static int load_keys(bool refresh)
{
    time_t now = time(NULL);
    if (cache.keys.n && (!refresh || now - cache.keys_at < REFETCH_MIN_S))
        return 0;
    json_t *doc = call(cache.jwks, NULL);
    char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    struct pvs_oidc_keys k;
    int rc = s && pvs_oidc_keys_parse(s, strlen(s), &k) == 0 && k.n > 0 ? 0 : -1;
    free(s);
    json_decref(doc);
    if (rc == 0) {
        pvs_oidc_keys_free(&cache.keys);
        cache.keys = k;
        cache.keys_at = now;
    }
    return rc;
}

int pvs_oidc_authorize_url(const struct pvs_oidc_cfg *cfg, char *out, size_t cap)
{
    pthread_mutex_lock(&cache.mu);
    int rc = discover(cfg);
    if (rc == 0 && strlen(cache.authorize) < cap)
        snprintf(out, cap, "%s", cache.authorize);
    else
        rc = -1;
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

enum pvs_oidc_rc pvs_oidc_verify(const struct pvs_oidc_cfg *cfg, const char *jwt,
                                 const char *nonce, int64_t now, struct pvs_oidc_claims *out)
{
    enum pvs_oidc_rc rc = PVS_OIDC_PROVIDER;
    pthread_mutex_lock(&cache.mu);
    if (discover(cfg) == 0 && load_keys(false) == 0) {
        rc = pvs_oidc_check(cfg, &cache.keys, jwt, nonce, now, out);
        if (rc == PVS_OIDC_UNKNOWN_KEY && load_keys(true) == 0)
            rc = pvs_oidc_check(cfg, &cache.keys, jwt, nonce, now, out);
    }
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

static char *esc(CURL *c, const char *s)
{
    return curl_easy_escape(c, s, 0);
}

enum pvs_oidc_rc pvs_oidc_redeem(const struct pvs_oidc_cfg *cfg, const char *code,
                                 const char *verifier, char **id_token)
{
    char url[512];
    *id_token = NULL;
    pthread_mutex_lock(&cache.mu);
    int ok = discover(cfg) == 0;
    snprintf(url, sizeof url, "%s", cache.token);
    pthread_mutex_unlock(&cache.mu);
    pthread_once(&curl_once, curl_init);
    CURL *c = ok ? curl_easy_init() : NULL;
    if (!c)
        return PVS_OIDC_PROVIDER;
    char *e[5] = {esc(c, code), esc(c, verifier), esc(c, cfg->redirect_uri), esc(c, cfg->client_id),
                  esc(c, cfg->client_secret)};
    curl_easy_cleanup(c);
    char form[4096];
    int n = e[0] && e[1] && e[2] && e[3] && e[4]
                ? snprintf(form, sizeof form,
                           "grant_type=authorization_code&code=%s&code_verifier=%s&redirect_uri=%s"
                           "&client_id=%s&client_secret=%s", e[0], e[1], e[2], e[3], e[4])
                : -1;
    if (e[4])
        sodium_memzero(e[4], strlen(e[4]));
    for (int i = 0; i < 5; i++)
        curl_free(e[i]);
    json_t *ans = n > 0 && (size_t)n < sizeof form ? call(url, form) : NULL;
    sodium_memzero(form, sizeof form);
    const char *tok = json_string_value(json_object_get(ans, "id_token"));
    if (tok && strlen(tok) <= PVS_OIDC_MAX_TOKEN)
        *id_token = strdup(tok);
    json_decref(ans);
    return *id_token ? PVS_OIDC_OK : PVS_OIDC_PROVIDER;
}
