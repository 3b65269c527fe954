/* portvakt-server basics over real HTTP: health, metrics, security headers, static files
 * without traversal, 404/405 problems, issuer keys, API tokens, graceful shutdown, and the
 * audit-verify and rotate-issuer-key commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvs/store.h"
#include "pvt.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void make_web_root(const char *dir, char *root, size_t cap)
{
    char p[2400];
    snprintf(root, cap, "%s-web", dir);
    snprintf(p, sizeof p, "rm -rf '%s' && mkdir -p '%s/js'", root, root);
    if (system(p) != 0)
        return;
    snprintf(p, sizeof p, "%s/index.html", root);
    write_file(p, "<!doctype html><title>Portvakt</title>");
    snprintf(p, sizeof p, "%s/js/app.js", root);
    write_file(p, "export const x = 1;");
    snprintf(p, sizeof p, "%s/.secret.html", root);
    write_file(p, "hidden");
    snprintf(p, sizeof p, "%s/notes.bin", root);
    write_file(p, "unknown type");
    snprintf(p, sizeof p, "%s/passwd.txt", root);
    if (symlink("/etc/passwd", p) != 0)
        fprintf(stderr, "symlink failed\n");
}

static void expect_status(struct pvt_server *s, struct pvt_client *c, const char *method,
                          const char *path, long want, const char *want_type)
{
    struct pvt_resp r;
    CHECK(pvt_req(s, c, method, path, NULL, &r) == 0 && r.status == want,
          "%s %s -> %ld, want %ld (%s)", method, path, r.status, want, r.body);
    if (want_type)
        CHECK(strncmp(r.content_type, want_type, strlen(want_type)) == 0, "%s %s type %s", method,
              path, r.content_type);
    pvt_resp_free(&r);
}

static void t_static(struct pvt_server *s)
{
    struct pvt_resp r;
    CHECK(pvt_req(s, NULL, "GET", "/", NULL, &r) == 0 && r.status == 200 &&
              strstr(r.body, "Portvakt") && strncmp(r.content_type, "text/html", 9) == 0,
          "index: %ld %s", r.status, r.content_type);
    CHECK(strstr(r.headers, "Content-Security-Policy: default-src 'self'") != NULL, "CSP on static");
    CHECK(strstr(r.headers, "X-Content-Type-Options: nosniff") != NULL, "nosniff on static");
    pvt_resp_free(&r);
    expect_status(s, NULL, "GET", "/js/app.js", 200, "text/javascript");
    expect_status(s, NULL, "GET", "/../../etc/passwd", 404, "application/problem+json");
    expect_status(s, NULL, "GET", "/js/../../../etc/passwd", 404, NULL);
    expect_status(s, NULL, "GET", "/%2e%2e/%2e%2e/etc/passwd", 404, NULL);
    expect_status(s, NULL, "GET", "/.secret.html", 404, NULL);
    expect_status(s, NULL, "GET", "/passwd.txt", 404, NULL); /* symlink out of the root */
    expect_status(s, NULL, "GET", "/notes.bin", 404, NULL);  /* no known content type */
    expect_status(s, NULL, "GET", "/js/", 404, NULL);
    expect_status(s, NULL, "GET", "/missing.html", 404, NULL);
    expect_status(s, NULL, "POST", "/index.html", 405, "application/problem+json");
}

static void t_api_basics(struct pvt_server *s)
{
    struct pvt_resp r;
    CHECK(pvt_req(s, NULL, "GET", "/healthz", NULL, &r) == 0 && r.status == 200 &&
              strcmp(json_string_value(json_object_get(r.json, "status")), "ok") == 0,
          "healthz: %ld", r.status);
    pvt_resp_free(&r);
    expect_status(s, NULL, "GET", "/api/v1/nothing", 404, "application/problem+json");
    expect_status(s, NULL, "DELETE", "/api/v1/me", 405, "application/problem+json");
    expect_status(s, NULL, "GET", "/api/v1/me", 401, "application/problem+json");
    CHECK(pvt_req(s, NULL, "GET", "/api/v1/users", NULL, &r) == 0 && r.status == 401 &&
              strcmp(pvt_problem_type(&r), "unauthenticated") == 0 &&
              strstr(r.headers, "Cache-Control: no-store") != NULL,
          "API needs sign-in: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    CHECK(pvt_req(s, NULL, "GET", "/api/v1/issuer/keys", NULL, &r) == 0 && r.status == 200 &&
              json_array_size(json_object_get(r.json, "items")) == 1,
          "issuer keys: %ld %s", r.status, r.body);
    const char *pk = json_string_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "public_key"));
    CHECK(pk && strlen(pk) == 64, "issuer public key is 32 bytes hex");
    pvt_resp_free(&r);
    CHECK(pvt_req(s, NULL, "GET", "/metrics", NULL, &r) == 0 && r.status == 200 &&
              strstr(r.body, "pvs_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}") &&
              strstr(r.body, "pvs_http_request_duration_seconds_bucket") &&
              strstr(r.body, "pvs_db_errors_total"),
          "metrics: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
}

static void t_tokens(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_resp r;
    int64_t p = pvt_create_provider(s, admin, "Token Care AB");
    CHECK(pvt_reqf(s, admin, "POST", "/api/v1/tokens", &r,
                   "{\"name\":\"roster sync\",\"role\":\"planner\",\"provider_id\":%lld}", (long long)p) == 0 &&
              r.status == 201, "create token: %ld %s", r.status, r.body);
    struct pvt_client tok = {0};
    const char *secret = json_string_value(json_object_get(r.json, "secret"));
    snprintf(tok.token, sizeof tok.token, "%s", secret ? secret : "");
    int64_t id = json_integer_value(json_object_get(json_object_get(r.json, "token"), "id"));
    CHECK(strstr(r.body, "token_hash") == NULL, "the hash is never shown");
    pvt_resp_free(&r);
    CHECK(pvt_req(s, &tok, "GET", "/api/v1/me", NULL, &r) == 0 && r.status == 200 &&
              strcmp(json_string_value(json_object_get(json_object_get(r.json, "user"), "role")), "planner") == 0,
          "token acts as its role: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    CHECK(pvt_req(s, &tok, "GET", "/api/v1/users", NULL, &r) == 0 && r.status == 403,
          "token limited to its role: %ld", r.status);
    pvt_resp_free(&r);
    CHECK(pvt_req(s, &tok, "POST", "/api/v1/auth/logout", NULL, &r) == 0 && r.status == 204,
          "tokens need no CSRF header: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)id);
    expect_status(s, admin, "DELETE", path, 204, NULL);
    CHECK(pvt_req(s, &tok, "GET", "/api/v1/me", NULL, &r) == 0 && r.status == 401,
          "revoked token refused: %ld", r.status);
    pvt_resp_free(&r);
    snprintf(tok.token, sizeof tok.token, "pvt_%064d", 0);
    expect_status(s, &tok, "GET", "/api/v1/me", 401, NULL);
}

static int run(const char *const *argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Without --sim-clock the clock endpoint does not exist. */
static void t_no_sim_clock(struct pvt_server *s)
{
    char portfile[700];
    snprintf(portfile, sizeof portfile, "%s/port2", s->dir);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 2);
        execl(s->exe, s->exe, "serve", "--db", s->db, "--issuer-key", s->key, "--listen",
              "127.0.0.1:0", "--port-file", portfile, (char *)NULL);
        _exit(127);
    }
    struct pvt_server plain = *s;
    plain.port = 0;
    for (int i = 0; i < 300 && !plain.port; i++) {
        FILE *f = fopen(portfile, "r");
        if (f) {
            if (fscanf(f, "%u", &plain.port) != 1)
                plain.port = 0;
            fclose(f);
        }
        usleep(100 * 1000);
    }
    CHECK(plain.port != 0, "plain server started");
    if (plain.port) {
        struct pvt_resp r;
        CHECK(pvt_req(&plain, NULL, "PUT", "/api/v1/dev/clock", "{\"now\": 1}", &r) == 0 &&
                  r.status == 404, "no simulation clock without --sim-clock: %ld", r.status);
        pvt_resp_free(&r);
    }
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "clean exit");
}

static void t_cli_after_stop(struct pvt_server *s)
{
    const char *verify[] = {s->exe, "audit-verify", "--db", s->db, NULL};
    CHECK(run(verify) == 0, "audit-verify exits 0 on an intact trail");
    const char *rotate[] = {s->exe, "rotate-issuer-key", "--db", s->db, "--issuer-key", s->key, NULL};
    CHECK(run(rotate) == 0, "rotate-issuer-key");
    struct stat st;
    CHECK(stat(s->key, &st) == 0 && (st.st_mode & 077) == 0, "key file stays 0600");
    struct pvs_db *db = NULL;
    int64_t n = 0, cur = 0;
    if (pvt_db_open(s, &db, false) == 0) {
        CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM issuer_keys", PVS_NOARGS, &n) == 0 && n == 2,
              "old public key kept next to the new one (%lld)", (long long)n);
        CHECK(pvs_query_i64(db, "SELECT MAX(key_id) FROM issuer_keys", PVS_NOARGS, &cur) == 0 && cur == 2,
              "new key id");
        pvs_db_close(db);
    }
    const char *init_again[] = {s->exe, "init", "--db", s->db, "--issuer-key", s->key, "--admin", "x", NULL};
    CHECK(run(init_again) != 0, "init never overwrites an existing key or database");
    CHECK(run(verify) == 0, "trail still intact after rotation");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    char web[700];
    make_web_root(argv[2], web, sizeof web);
    const char *extra[] = {"--web-root", web, NULL};
    struct pvt_server s;
    if (pvt_start(&s, argv[1], argv[2], extra) != 0)
        return 1;
    t_static(&s);
    t_api_basics(&s);
    struct pvt_client admin;
    CHECK(pvt_login_admin(&s, &admin) == 0, "admin login");
    t_tokens(&s, &admin);
    CHECK(pvt_stop(&s) == 0, "graceful shutdown exits 0");
    t_cli_after_stop(&s);
    t_no_sim_clock(&s);
    printf("test_server_basics: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
