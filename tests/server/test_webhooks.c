/* Outgoing events over real HTTP: a receiver on loopback (a child process) that fails its
 * first deliveries, is killed with SIGKILL once and started again; the server is killed with
 * SIGKILL between the commit of changes and their delivery. Every event arrives, each
 * exactly once by its idempotency key, signed with the webhook's secret; a receiver that
 * never answers ends in the dead-letter list, which only the central administration sees. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "pvt.h"

static struct pvt_server S;
static struct pvt_client ADMIN;
static char LOG[700];  /* one line per accepted delivery: "<event id> <object_id>" */
static uint8_t SECRET[32];

/* ------------------------------------------------------------------ the receiver */

static int listen_on(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1; /* not the server's */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("receiver");
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static const char *header(const char *req, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = req; (p = strstr(p, "\r\n")) != NULL; p += 2)
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ')
                v++;
            size_t k = strcspn(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(k < cap ? k : cap - 1), v);
            return out;
        }
    out[0] = 0;
    return out;
}

/* The signature a receiver checks: v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>")). */
static bool signature_ok(const char *ts, const char *body, size_t blen, const char *sig)
{
    crypto_auth_hmacsha256_state h;
    uint8_t mac[32];
    char hex[65], want[70];
    crypto_auth_hmacsha256_init(&h, SECRET, sizeof SECRET);
    crypto_auth_hmacsha256_update(&h, (const uint8_t *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&h, (const uint8_t *)".", 1);
    crypto_auth_hmacsha256_update(&h, (const uint8_t *)body, blen);
    crypto_auth_hmacsha256_final(&h, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(want, sizeof want, "v1=%s", hex);
    return strlen(sig) == strlen(want) && sodium_memcmp(sig, want, strlen(want)) == 0;
}

/* One request: 500 while `fail` > 0, else check and log it, 200 (401 when badly signed). */
static void serve_one(int c, int *fail)
{
    static char buf[65536];
    size_t n = 0;
    char *end = NULL, v[256], ts[32], sig[128];
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(c, buf + n, sizeof buf - 1 - n)) > 0) {
        buf[n += (size_t)k] = 0;
        if ((end = strstr(buf, "\r\n\r\n")) != NULL &&
            n - (size_t)(end + 4 - buf) >= (size_t)atol(header(buf, "Content-Length", v, sizeof v)))
            break;
    }
    const char *status = "500 Internal Server Error";
    if (end && (*fail)-- <= 0) {
        const char *body = end + 4;
        size_t blen = n - (size_t)(body - buf);
        header(buf, "Portvakt-Timestamp", ts, sizeof ts);
        header(buf, "Portvakt-Signature", sig, sizeof sig);
        header(buf, "Idempotency-Key", v, sizeof v);
        status = "401 Unauthorized";
        if (signature_ok(ts, body, blen, sig)) {
            const char *o = strstr(body, "\"object_id\":");
            FILE *f = fopen(LOG, "a");
            if (f) {
                fprintf(f, "%s %ld\n", v, o ? atol(o + 12) : -1L);
                fclose(f);
                status = "200 OK";
            }
        }
    }
    dprintf(c, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
}

/* A receiver process on listening socket fd that fails its first `fail` requests. */
static pid_t receiver_start(int fd, int fail)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;) {
            int c = accept(fd, NULL, NULL);
            if (c >= 0) {
                serve_one(c, &fail);
                close(c);
            }
        }
    }
    close(fd); /* only the child listens: when it dies, connections are refused */
    return pid;
}

static void receiver_kill(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------------ checks */

/* Distinct event ids logged, and whether object `id` arrived. */
static int logged(int64_t want_object, int *dups)
{
    char lines[256][160];
    int n = 0, found = 0;
    *dups = 0;
    FILE *f = fopen(LOG, "r");
    char key[128];
    long obj;
    while (f && n < 256 && fscanf(f, "%127s %ld", key, &obj) == 2) {
        bool seen = false;
        for (int i = 0; i < n; i++)
            seen = seen || strcmp(lines[i], key) == 0;
        if (seen)
            (*dups)++;
        else
            snprintf(lines[n++], sizeof lines[0], "%s", key);
        if (obj == want_object)
            found = 1;
    }
    if (f)
        fclose(f);
    return want_object ? found : n;
}

/* Advance the simulated clock a minute at a time until `want` distinct events are logged. */
static bool wait_for(int want)
{
    int dups;
    for (int i = 0; i < 150; i++) {
        if (logged(0, &dups) >= want)
            return pvt_login(&S, &ADMIN) == 0; /* the session ages with the simulated clock */
        pvt_clock_advance(&S, 60);
        usleep(200 * 1000);
    }
    return false;
}

static int64_t post_id(const char *path, const char *body, long want)
{
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_req(&S, &ADMIN, "POST", path, body, &r) == 0 && r.status == want)
        id = r.json ? json_integer_value(json_object_get(r.json, "id")) : 0;
    else
        fprintf(stderr, "POST %s -> %ld %s\n", path, r.status, r.body ? r.body : "");
    pvt_resp_free(&r);
    return id;
}

/* A fresh key of `staff`, reported lost: one event. Returns the key's id. */
static int64_t lose_key(int64_t staff, int n)
{
    uint8_t pk[32], sk[64];
    char hex[65], body[300], path[96];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    snprintf(body, sizeof body,
             "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"Bricka %d\",\"public_key\":\"%s\"}",
             (long long)staff, n, hex);
    int64_t id = post_id("/api/v1/bearers", body, 201);
    snprintf(path, sizeof path, "/api/v1/bearers/%lld/report-lost", (long long)id);
    CHECK(id > 0 && post_id(path, "{}", 200) >= 0, "key %d reported lost", n);
    return id;
}

static int64_t make_webhook(const char *url, const char *events, bool keep_secret)
{
    char body[300];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"events\":%s}", url, events);
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_req(&S, &ADMIN, "POST", "/api/v1/webhooks", body, &r) == 0 && r.status == 201) {
        id = json_integer_value(json_object_get(r.json, "id"));
        const char *hex = json_string_value(json_object_get(r.json, "secret"));
        CHECK(hex && (!keep_secret || sodium_hex2bin(SECRET, sizeof SECRET, hex, strlen(hex), NULL,
                                                     NULL, NULL) == 0),
              "the secret is shown once, 32 bytes in hex");
    }
    pvt_resp_free(&r);
    return id;
}

static size_t dead_letters(struct pvt_client *c, long want_status, int64_t *first)
{
    struct pvt_resp r;
    size_t n = 0;
    if (pvt_req(&S, c, "GET", "/api/v1/webhook-dead-letters?limit=100", NULL, &r) == 0 &&
        r.status == want_status && r.json) {
        json_t *items = json_object_get(r.json, "items");
        n = json_array_size(items);
        if (n && first)
            *first = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    }
    CHECK(r.status == want_status, "dead letters -> %ld, want %ld", r.status, want_status);
    pvt_resp_free(&r);
    return n;
}

/* Refusals of bad input, and the dead-letter list: a receiver that is never there. */
static void dead_letter_part(int64_t prov, int nevents)
{
    char url[96];
    CHECK(make_webhook("http://example.org/hook", "[\"*\"]", false) < 0, "plain http off this host refused");
    CHECK(make_webhook("https://example.org/hook", "[\"door.painted\"]", false) < 0, "unknown event refused");
    int64_t first = 0;
    size_t n = 0;
    for (int i = 0; i < 60 && n < (size_t)nevents; i++) {
        pvt_clock_advance(&S, 3600); /* past each backoff; sessions end within the hour */
        usleep(250 * 1000);
        CHECK(pvt_login(&S, &ADMIN) == 0, "signed in again");
        n = dead_letters(&ADMIN, 200, &first);
    }
    CHECK(n == (size_t)nevents, "%zu dead letters, want %d", n, nevents);
    snprintf(url, sizeof url, "/api/v1/webhook-dead-letters/%lld/retry", (long long)first);
    CHECK(post_id(url, "{}", 204) >= 0, "the central administrator sends one again");
    CHECK(dead_letters(&ADMIN, 200, NULL) == (size_t)nevents - 1, "back in the queue");
    struct pvt_client plan;
    CHECK(pvt_create_user(&S, &ADMIN, "planerare1", "planner", prov, &plan) == 0, "planner");
    dead_letters(&plan, 403, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 3 || sodium_init() < 0)
        return 2;
    snprintf(LOG, sizeof LOG, "%s.deliveries", argv[2]);
    unlink(LOG);
    unsigned port = 0, nowhere = 0;
    int fd = listen_on(&port), gone = listen_on(&nowhere);
    close(gone); /* a port where nobody listens */
    if (fd < 0 || gone < 0 || pvt_start(&S, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&S, &ADMIN) != 0)
        return 1;
    int64_t prov = pvt_create_provider(&S, &ADMIN, "Hemtjänst Söder");
    char body[200], url[96];
    snprintf(body, sizeof body, "{\"display_name\":\"Eva Berg\",\"provider_id\":%lld}", (long long)prov);
    int64_t staff = post_id("/api/v1/staff", body, 201);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", port);
    CHECK(make_webhook(url, "[\"*\"]", true) > 0, "webhook registered");
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", nowhere);
    CHECK(make_webhook(url, "[\"key.reported_lost\"]", false) > 0, "second webhook registered");

    int64_t keys[7];
    int nk = 0;
    pid_t rx = receiver_start(fd, 3); /* fails the first three deliveries */
    while (nk < 3)
        keys[nk] = lose_key(staff, nk), nk++;
    CHECK(wait_for(3), "three events through three failures");

    receiver_kill(rx); /* the receiver dies; two more changes meanwhile */
    while (nk < 5)
        keys[nk] = lose_key(staff, nk), nk++;
    pvt_clock_advance(&S, 120);
    usleep(600 * 1000); /* tries fail: connection refused */
    rx = receiver_start(listen_on(&port), 0);
    CHECK(wait_for(5), "delivered once the receiver is back");

    receiver_kill(rx); /* nothing can be delivered: the changes commit, then the server dies */
    while (nk < 7)
        keys[nk] = lose_key(staff, nk), nk++;
    kill(S.pid, SIGKILL);
    waitpid(S.pid, NULL, 0);
    rx = receiver_start(listen_on(&port), 0);
    CHECK(pvt_restart(&S, NULL) == 0 && pvt_login(&S, &ADMIN) == 0, "server back after SIGKILL");
    CHECK(wait_for(7), "events committed before SIGKILL delivered after the restart");

    int dups = 0;
    CHECK(logged(0, &dups) == 7, "exactly seven distinct events: %d", logged(0, &dups));
    for (int i = 0; i < nk; i++)
        CHECK(logged(keys[i], &dups), "the loss of key %lld arrived", (long long)keys[i]);
    fprintf(stderr, "test_webhooks: 7 events, %d repeated deliveries deduplicated by key\n", dups);

    dead_letter_part(prov, nk);
    receiver_kill(rx);
    CHECK(pvt_stop(&S) == 0, "clean shutdown");
    if (pvt_failures)
        fprintf(stderr, "test_webhooks: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
