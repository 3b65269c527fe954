/* Test kit for portvakt-server (see pvt.h): daemon lifecycle, libcurl requests, TOTP
 * sign-in against the simulated clock, and helpers that create providers and users. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <liboath/oath.h>
#include <sodium.h>

#include "pg_fresh.h"
#include "pvs/store.h"
#include "pvt.h"

int pvt_failures;

static int run_capture(const char *const argv[], char *out, size_t cap)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < cap && (k = read(pipefd[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void rmrf(const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pvt: cannot remove %s\n", dir);
}

static int init_db(struct pvt_server *s)
{
    const char *argv[] = {s->exe, "init", "--db", s->db, "--issuer-key", s->key,
                          "--admin", "admin", NULL};
    char out[2048];
    int rc = run_capture(argv, out, sizeof out);
    const char *p = strstr(out, "(shown once): ");
    if (rc != 0 || !p) {
        fprintf(stderr, "pvt: init failed (%d): %s\n", rc, out);
        return -1;
    }
    p += strlen("(shown once): ");
    size_t n = strcspn(p, "\n");
    if (n >= sizeof s->admin_pw)
        return -1;
    memcpy(s->admin_pw, p, n);
    s->admin_pw[n] = '\0';
    snprintf(s->admin_user, sizeof s->admin_user, "admin");
    return 0;
}

static pid_t spawn_server(struct pvt_server *s, const char *const *extra)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = s->exe;
    argv[n++] = "serve";
    argv[n++] = "--db";
    argv[n++] = s->db;
    argv[n++] = "--issuer-key";
    argv[n++] = s->key;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--port-file";
    argv[n++] = s->portfile;
    argv[n++] = "--sim-clock";
    for (int i = 0; extra && extra[i] && n < 62; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* PVS_TEST_BACKEND=postgresql with PVS_TEST_PG_DSN (tests/server/with_postgres.sh): run the
 * daemon on a fresh, already migrated PostgreSQL database named after the scratch directory. */
static int use_postgres(struct pvt_server *s)
{
    const char *backend = getenv("PVS_TEST_BACKEND"), *base = getenv("PVS_TEST_PG_DSN");
    if (!backend || strcmp(backend, "postgresql") != 0)
        return 0;
    if (!base) {
        fprintf(stderr, "pvt: PVS_TEST_BACKEND=postgresql needs PVS_TEST_PG_DSN\n");
        return -1;
    }
    char name[64];
    pvs_pg_name_for("pvt_", s->dir, name, sizeof name);
    return pvs_pg_fresh_db(base, name, s->db, sizeof s->db);
}

/* Spawn the daemon and wait for its port file. */
static int spawn_and_wait(struct pvt_server *s, const char *const *extra)
{
    s->port = 0;
    unlink(s->portfile);
    s->pid = spawn_server(s, extra);
    if (s->pid < 0)
        return -1;
    for (int i = 0; i < 300; i++) { /* up to 30 s under sanitizers */
        FILE *f = fopen(s->portfile, "r");
        if (f) {
            int ok = fscanf(f, "%u", &s->port);
            fclose(f);
            if (ok == 1 && s->port)
                break;
        }
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            fprintf(stderr, "pvt: server exited early; see %s\n", s->log);
            s->pid = 0;
            return -1;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!s->port) {
        fprintf(stderr, "pvt: server did not start; see %s\n", s->log);
        return -1;
    }
    return 0;
}

int pvt_restart(struct pvt_server *s, const char *const *extra)
{
    if (spawn_and_wait(s, extra) != 0)
        return -1;
    return pvt_clock_set(s, s->now);
}

int pvt_start(struct pvt_server *s, const char *exe, const char *dir, const char *const *extra)
{
    memset(s, 0, sizeof *s);
    if (sodium_init() < 0 || oath_init() != OATH_OK)
        return -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(s->exe, sizeof s->exe, "%s", exe);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    rmrf(dir);
    if (mkdir(dir, 0700) != 0) {
        fprintf(stderr, "pvt: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    snprintf(s->db, sizeof s->db, "%s/portvakt.db", dir);
    snprintf(s->key, sizeof s->key, "%s/issuer.key", dir);
    snprintf(s->portfile, sizeof s->portfile, "%s/port", dir);
    snprintf(s->log, sizeof s->log, "%s/server.log", dir);
    for (int i = 0; extra && extra[i] && extra[i + 1]; i++)
        if (strcmp(extra[i], "--tls-cert") == 0)
            snprintf(s->cafile, sizeof s->cafile, "%s", extra[i + 1]);
    if (use_postgres(s) != 0 || init_db(s) != 0)
        return -1;
    if (spawn_and_wait(s, extra) != 0)
        return -1;
    return pvt_clock_set(s, PVT_T0);
}

int pvt_start_peer(struct pvt_server *peer, const struct pvt_server *first, const char *dir,
                   const char *const *extra)
{
    *peer = *first;
    peer->pid = 0;
    peer->port = 0;
    snprintf(peer->dir, sizeof peer->dir, "%s", dir);
    rmrf(dir);
    if (mkdir(dir, 0700) != 0) {
        fprintf(stderr, "pvt: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    snprintf(peer->portfile, sizeof peer->portfile, "%s/port", dir);
    snprintf(peer->log, sizeof peer->log, "%s/server.log", dir);
    return spawn_and_wait(peer, extra) == 0 ? pvt_clock_set(peer, first->now) : -1;
}

int pvt_stop(struct pvt_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ------------------------------------------------------------------ HTTP */

struct buf {
    char *p;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct buf *b = ud;
    size_t n = size * nmemb;
    char *q = realloc(b->p, b->len + n + 1);
    if (!q)
        return 0;
    memcpy(q + b->len, ptr, n);
    b->p = q;
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

static void parse_headers(struct pvt_resp *out)
{
    for (char *line = out->headers; line && *line;) {
        char *end = strstr(line, "\r\n");
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n > 14 && strncasecmp(line, "Content-Type: ", 14) == 0)
            snprintf(out->content_type, sizeof out->content_type, "%.*s", (int)(n - 14), line + 14);
        if (n > 12 && strncasecmp(line, "Set-Cookie: ", 12) == 0)
            snprintf(out->set_cookie, sizeof out->set_cookie, "%.*s", (int)(n - 12), line + 12);
        line = end ? end + 2 : NULL;
    }
}

/* Take a new session cookie from Set-Cookie (or drop it when cleared). */
static void update_cookie(struct pvt_client *c, const struct pvt_resp *out)
{
    const char *name = "__Host-pv_session=";
    if (!c || strncmp(out->set_cookie, name, strlen(name)) != 0)
        return;
    const char *v = out->set_cookie + strlen(name);
    size_t n = strcspn(v, ";");
    if (n < sizeof c->cookie)
        snprintf(c->cookie, sizeof c->cookie, "%.*s", (int)n, v);
}

int pvt_req_ex(struct pvt_server *s, struct pvt_client *c, const char *method, const char *path,
               const char *content_type, const void *body, size_t len,
               const char *const *headers, bool auto_csrf, struct pvt_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    char url[2048], line[512];
    snprintf(url, sizeof url, "%s://127.0.0.1:%u%s", s->cafile[0] ? "https" : "http", s->port, path);
    struct curl_slist *hl = NULL;
    if (content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", content_type);
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    if (c && c->token[0]) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", c->token);
        hl = curl_slist_append(hl, line);
    } else if (c && c->cookie[0]) {
        snprintf(line, sizeof line, "Cookie: __Host-pv_session=%s", c->cookie);
        hl = curl_slist_append(hl, line);
        if (auto_csrf && c->csrf[0] && strcmp(method, "GET") != 0) {
            snprintf(line, sizeof line, "X-CSRF-Token: %s", c->csrf);
            hl = curl_slist_append(hl, line);
        }
    }
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    struct buf bb = {0}, hb = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bb);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hb);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* send "/../" as written: traversal tests */
    if (s->cafile[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, s->cafile); /* verify the server's own certificate */
    if (s->source_addr[0])
        curl_easy_setopt(h, CURLOPT_INTERFACE, s->source_addr);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    out->body = bb.p ? bb.p : calloc(1, 1);
    out->len = bb.len;
    out->headers = hb.p ? hb.p : calloc(1, 1);
    if (rc != CURLE_OK) {
        fprintf(stderr, "pvt: %s %s: %s\n", method, path, curl_easy_strerror(rc));
        return -1;
    }
    parse_headers(out);
    json_error_t jerr;
    if (out->len)
        out->json = json_loadb(out->body, out->len, 0, &jerr);
    update_cookie(c, out);
    return 0;
}

int pvt_req(struct pvt_server *s, struct pvt_client *c, const char *method, const char *path,
            const char *json_body, struct pvt_resp *out)
{
    return pvt_req_ex(s, c, method, path, json_body ? "application/json" : NULL, json_body,
                      json_body ? strlen(json_body) : 0, NULL, true, out);
}

int pvt_reqf(struct pvt_server *s, struct pvt_client *c, const char *method, const char *path,
             struct pvt_resp *out, const char *fmt, ...)
{
    char body[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return pvt_req(s, c, method, path, body, out);
}

void pvt_resp_free(struct pvt_resp *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *pvt_problem_type(const struct pvt_resp *r)
{
    const char *t = json_string_value(json_object_get(r->json, "type"));
    const char *slash = t ? strrchr(t, '/') : NULL;
    return slash ? slash + 1 : "";
}

/* ------------------------------------------------------------------ clock, TOTP, login */

int pvt_clock_set(struct pvt_server *s, int64_t now)
{
    struct pvt_resp r;
    int rc = pvt_reqf(s, NULL, "PUT", "/api/v1/dev/clock", &r, "{\"now\": %lld, \"sign_in\": true}",
                      (long long)now);
    bool ok = rc == 0 && r.status == 200;
    if (!ok)
        fprintf(stderr, "pvt: clock set failed: %ld %s\n", r.status, r.body ? r.body : "");
    pvt_resp_free(&r);
    if (ok)
        s->now = now;
    return ok ? 0 : -1;
}

int pvt_clock_advance(struct pvt_server *s, int64_t seconds)
{
    return pvt_clock_set(s, s->now + seconds);
}

void pvt_totp(const struct pvt_server *s, const uint8_t *secret, size_t len, char code[7])
{
    if (oath_totp_generate((const char *)secret, len, (time_t)s->now, 30, 0, 6, code) != OATH_OK)
        snprintf(code, 7, "000000");
}

/* Decode the base32 secret from an otpauth:// URI. */
static int secret_from_uri(const char *uri, uint8_t *out, size_t cap, size_t *len)
{
    const char *p = strstr(uri, "secret=");
    if (!p)
        return -1;
    p += 7;
    size_t n = strcspn(p, "&");
    char b32[128];
    if (n >= sizeof b32)
        return -1;
    memcpy(b32, p, n);
    while (n % 8)
        b32[n++] = '=';
    b32[n] = '\0';
    char *bin = NULL;
    size_t binlen = 0;
    if (oath_base32_decode(b32, n, &bin, &binlen) != OATH_OK || binlen > cap) {
        free(bin);
        return -1;
    }
    memcpy(out, bin, binlen);
    *len = binlen;
    free(bin);
    return 0;
}

static int fill_identity(struct pvt_client *c, const json_t *user, const char *csrf)
{
    if (!json_is_object(user) || !csrf)
        return -1;
    c->user_id = json_integer_value(json_object_get(user, "id"));
    c->provider_id = json_integer_value(json_object_get(user, "provider_id"));
    snprintf(c->role, sizeof c->role, "%s", json_string_value(json_object_get(user, "role")));
    snprintf(c->csrf, sizeof c->csrf, "%s", csrf);
    return 0;
}

int pvt_login(struct pvt_server *s, struct pvt_client *c)
{
    struct pvt_resp r;
    c->cookie[0] = c->csrf[0] = '\0';
    if (pvt_clock_advance(s, 30) != 0)
        return -1;
    if (pvt_reqf(s, c, "POST", "/api/v1/auth/login", &r, "{\"username\":\"%s\",\"password\":\"%s\"}",
                 c->username, c->password) != 0 || r.status != 200) {
        fprintf(stderr, "pvt: login %s: %ld %s\n", c->username, r.status, r.body ? r.body : "");
        pvt_resp_free(&r);
        return -1;
    }
    bool enroll = strcmp(json_string_value(json_object_get(r.json, "next")), "enroll") == 0;
    pvt_resp_free(&r);
    if (enroll) {
        if (pvt_req(s, c, "GET", "/api/v1/auth/enroll", NULL, &r) != 0 || r.status != 200 ||
            secret_from_uri(json_string_value(json_object_get(r.json, "otpauth_uri")),
                            c->totp_secret, sizeof c->totp_secret, &c->totp_len) != 0) {
            fprintf(stderr, "pvt: enroll %s: %ld %s\n", c->username, r.status, r.body);
            pvt_resp_free(&r);
            return -1;
        }
        pvt_resp_free(&r);
    }
    char code[7];
    pvt_totp(s, c->totp_secret, c->totp_len, code);
    if (pvt_reqf(s, c, "POST", enroll ? "/api/v1/auth/enroll" : "/api/v1/auth/totp", &r,
                 "{\"code\":\"%s\"}", code) != 0 || r.status != 200 ||
        fill_identity(c, json_object_get(r.json, "user"),
                      json_string_value(json_object_get(r.json, "csrf_token"))) != 0) {
        fprintf(stderr, "pvt: second factor %s: %ld %s\n", c->username, r.status, r.body);
        pvt_resp_free(&r);
        return -1;
    }
    pvt_resp_free(&r);
    return 0;
}

int pvt_login_admin(struct pvt_server *s, struct pvt_client *admin)
{
    memset(admin, 0, sizeof *admin);
    snprintf(admin->username, sizeof admin->username, "%s", s->admin_user);
    snprintf(admin->password, sizeof admin->password, "%s", s->admin_pw);
    return pvt_login(s, admin);
}

int64_t pvt_create_provider(struct pvt_server *s, struct pvt_client *admin, const char *name)
{
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_reqf(s, admin, "POST", "/api/v1/providers", &r, "{\"name\":\"%s\"}", name) == 0 &&
        r.status == 201)
        id = json_integer_value(json_object_get(r.json, "id"));
    else
        fprintf(stderr, "pvt: create provider %s: %ld %s\n", name, r.status, r.body);
    pvt_resp_free(&r);
    return id;
}

int pvt_create_user(struct pvt_server *s, struct pvt_client *creator, const char *username,
                    const char *role, int64_t provider_id, struct pvt_client *out)
{
    struct pvt_resp r;
    char prov[32];
    snprintf(prov, sizeof prov, provider_id ? "%lld" : "null", (long long)provider_id);
    memset(out, 0, sizeof *out);
    if (pvt_reqf(s, creator, "POST", "/api/v1/users", &r,
                 "{\"username\":\"%s\",\"display_name\":\"%s\",\"role\":\"%s\",\"provider_id\":%s}",
                 username, username, role, prov) != 0 || r.status != 201) {
        fprintf(stderr, "pvt: create user %s: %ld %s\n", username, r.status, r.body);
        pvt_resp_free(&r);
        return -1;
    }
    snprintf(out->username, sizeof out->username, "%s", username);
    snprintf(out->password, sizeof out->password, "%s",
             json_string_value(json_object_get(r.json, "initial_password")));
    pvt_resp_free(&r);
    return pvt_login(s, out);
}

int pvt_db_open(struct pvt_server *s, struct pvs_db **db, bool writable)
{
    char err[300];
    (void)writable; /* SQLite: the same connection type; tests only write to tamper */
    if (pvs_db_open(pvs_db_ops_for(s->db), s->db, db, err, sizeof err) != PVS_DB_OK) {
        fprintf(stderr, "pvt: %s\n", err);
        return -1;
    }
    return 0;
}

int pvt_totp_secret_from_uri(const char *uri, uint8_t *out, size_t cap, size_t *len)
{
    return secret_from_uri(uri, out, cap, len);
}

char *pvt_slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *g = realloc(buf, cap + n + 1);
        if (!g)
            break;
        buf = g;
        memcpy(buf + cap, chunk, n);
        cap += n;
    }
    fclose(f);
    if (buf)
        buf[cap] = '\0';
    *len = cap;
    return buf;
}

char *pvt_db_copy(struct pvt_server *s, size_t *len)
{
    const char *backend = getenv("PVS_TEST_BACKEND");
    char path[700], cmd[2200];
    if (backend && strcmp(backend, "postgresql") == 0) {
        snprintf(path, sizeof path, "%s/dump.sql", s->dir);
        snprintf(cmd, sizeof cmd, "PATH=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1):$PATH"
                 " pg_dump '%s' > '%s'", s->db, path);
        if (system(cmd) != 0) {
            fprintf(stderr, "pvt: pg_dump failed\n");
            *len = 0;
            return NULL;
        }
        return pvt_slurp(path, len);
    }
    size_t wlen = 0;
    char *copy = pvt_slurp(s->db, len);
    snprintf(path, sizeof path, "%s-wal", s->db);
    char *wal = pvt_slurp(path, &wlen);
    if (copy && wal) { /* the log beside the file is part of any copy */
        char *g = realloc(copy, *len + wlen + 1);
        if (g) {
            memcpy(g + *len, wal, wlen);
            *len += wlen;
            g[*len] = '\0';
        }
        copy = g;
    }
    free(wal);
    return copy;
}

/* ------------------------------------------------------------------ a phone's sync */

json_t *pvt_sync_phone(struct pvt_server *s, int64_t bearer, const uint8_t sk[64], long *status)
{
    char body[600];
    struct pvt_resp r;
    *status = -1;
    snprintf(body, sizeof body, "{\"bearer_id\":%lld}", (long long)bearer);
    if (pvt_req(s, NULL, "POST", "/api/v1/sync/challenge", body, &r) != 0 || r.status != 200) {
        pvt_resp_free(&r);
        return json_object();
    }
    const char *nhex = json_string_value(json_object_get(r.json, "nonce"));
    uint8_t nonce[32] = {0}, msg[17 + 32 + 4] = "portvakt-sync-v1", sig[64];
    size_t nl = 0;
    if (!nhex || sodium_hex2bin(nonce, 32, nhex, 64, NULL, &nl, NULL) != 0 || nl != 32) {
        pvt_resp_free(&r);
        return json_object();
    }
    memcpy(msg + 17, nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)((uint64_t)bearer >> (8 * i));
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    char sh[129];
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(body, sizeof body, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
             (long long)bearer, nhex, sh);
    pvt_resp_free(&r);
    json_t *out = NULL;
    *status = pvt_req(s, NULL, "POST", "/api/v1/sync", body, &r) == 0 ? r.status : -1;
    if (r.json)
        out = json_incref(r.json);
    pvt_resp_free(&r);
    return out ? out : json_object();
}
