/* The care-planning import over HTTP and from the command line, against the real daemon:
 * dry run (nothing stored), apply, the same file again (nothing more), a hostile file
 * (422, the line and the recipient named, nothing stored), JSON, wrong media type, a body
 * over the limit, a planner refused; `portvakt-server import` dry run, apply and refusal. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <sodium.h>

#include "pvt.h"

static struct pvt_server S;
static struct pvt_client ADMIN;
static const char *EXE;

#define HEADER "record;alarm_code;address;apartment;provider;date\n"
static const char FILE_OK[] = HEADER "recipient;LA-1;Årstavägen 1;1101;Hemtjänst Söder;\n"
                                     "recipient;LA-2;Årstavägen 1;1102;Hemtjänst Söder;\n"
                                     "provider_change;LA-1;;;Hemtjänst Norr;2026-04-01\n";

static json_t *post(struct pvt_client *c, const char *query, const char *type, const char *body,
                    size_t len, long want)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/care-planning/import%s", query);
    struct pvt_resp r;
    json_t *out = NULL;
    int rc = pvt_req_ex(&S, c, "POST", path, type, body, len, NULL, true, &r);
    CHECK(rc == 0 && r.status == want, "POST %s -> %ld, want %ld: %.300s", path, r.status, want,
          r.body ? r.body : "");
    if (rc == 0) {
        out = r.json;
        r.json = NULL;
    }
    pvt_resp_free(&r);
    return out ? out : json_object();
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static size_t recipients(void)
{
    struct pvt_resp r;
    size_t n = 0;
    if (pvt_req(&S, &ADMIN, "GET", "/api/v1/recipients?limit=100", NULL, &r) == 0)
        n = json_array_size(json_object_get(r.json, "items"));
    pvt_resp_free(&r);
    return n;
}

static void t_http(void)
{
    json_t *o = post(&ADMIN, "", "text/csv", FILE_OK, sizeof FILE_OK - 1, 200);
    CHECK(json_is_true(json_object_get(o, "dry_run")) && !json_is_true(json_object_get(o, "applied")),
          "dry run");
    CHECK(num(o, "created") == 2 && num(o, "changed") == 1, "the diff counts");
    json_t *ch = json_array_get(json_object_get(o, "changes"), 2);
    CHECK(strcmp(json_string_value(json_object_get(ch, "from_provider")) ?: "", "Hemtjänst Söder") == 0 &&
          num(ch, "line") == 4, "the change names the provider before it");
    json_decref(o);
    CHECK(recipients() == 0, "a dry run stores nothing");

    o = post(&ADMIN, "?apply=1", "text/csv", FILE_OK, sizeof FILE_OK - 1, 200);
    CHECK(json_is_true(json_object_get(o, "applied")) && num(o, "created") == 2, "applied");
    json_decref(o);
    CHECK(recipients() == 2, "two recipients");
    o = post(&ADMIN, "?apply=1", "text/csv", FILE_OK, sizeof FILE_OK - 1, 200);
    CHECK(num(o, "created") == 0 && num(o, "changed") == 0 && num(o, "unchanged") == 3,
          "the same file again changes nothing");
    json_decref(o);

    static const char bad[] = HEADER "recipient;LA-3;Årstavägen 1;;Hemtjänst Söder;\n"
                                     "recipient;LA-4;Årstavägen 1;;=cmd|' /C calc'!A0;\n";
    o = post(&ADMIN, "?apply=1", "text/csv", bad, sizeof bad - 1, 422);
    json_t *line = json_array_get(json_object_get(o, "lines"), 0);
    CHECK(strcmp(json_string_value(json_object_get(o, "type")) ?: "",
                 "https://portvakt.org/problems/import-refused") == 0, "problem type");
    CHECK(num(line, "line") == 3 && strstr(json_string_value(json_object_get(line, "message")) ?: "",
                                           "Rad 3 (larmkod LA-4, Årstavägen 1)"),
          "the refused line is named: %s", json_string_value(json_object_get(line, "message")));
    json_decref(o);
    CHECK(recipients() == 2, "a refused file stores nothing");

    static const char js[] = "{\"records\":[{\"record\":\"recipient\",\"alarm_code\":\"LA-5\","
                             "\"address\":\"Årstavägen 1\",\"provider\":\"Hemtjänst Norr\"}]}";
    o = post(&ADMIN, "?apply=1", "application/json", js, sizeof js - 1, 200);
    CHECK(num(o, "created") == 1, "JSON applied");
    json_decref(o);
    json_decref(post(&ADMIN, "", "text/plain", FILE_OK, sizeof FILE_OK - 1, 415));
    json_decref(post(&ADMIN, "?apply=2", "text/csv", FILE_OK, sizeof FILE_OK - 1, 400));
    size_t big_len = (1u << 20) + 100;
    char *big = malloc(big_len);
    memset(big, 'x', big_len);
    json_decref(post(&ADMIN, "", "text/csv", big, big_len, 413));
    free(big);
}

static void t_planner(void)
{
    struct pvt_client planner;
    if (pvt_create_user(&S, &ADMIN, "planerare.import", "planner", 1, &planner) != 0) {
        CHECK(0, "planner created");
        return;
    }
    json_decref(post(&planner, "", "text/csv", FILE_OK, sizeof FILE_OK - 1, 403));
}

/* Runs the CLI on the daemon's store; returns its exit status, output in out. */
static int cli(const char *file_text, bool apply, char *out, size_t cap)
{
    char path[700], cmd[2400];
    snprintf(path, sizeof path, "%s/import.csv", S.dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(file_text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' import --db '%s' %s '%s' 2>&1", EXE, S.db,
             apply ? "--apply" : "", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The CLI reads the real clock (the daemon a simulated one): its dates lie years ahead. */
static void t_cli(void)
{
    char out[4096];
    static const char more[] = HEADER "provider_change;LA-2;;;Hemtjänst Norr;2030-05-01\n";
    CHECK(cli(more, false, out, sizeof out) == 0 && strstr(out, "Provkörning") &&
              strstr(out, "larmkod LA-2 byter utförare från Hemtjänst Söder till Hemtjänst Norr"),
          "CLI dry run: %s", out);
    CHECK(cli(more, true, out, sizeof out) == 0 && strstr(out, "Genomfört: 0 nya brukare, 1 byten"),
          "CLI apply: %s", out);
    CHECK(cli(more, true, out, sizeof out) == 0 && strstr(out, "1 rader redan rätt"),
          "CLI again: %s", out);
    static const char bad[] = HEADER "provider_change;LA-2;;;Hemtjänst Väst;2030-05-01\n";
    CHECK(cli(bad, true, out, sizeof out) == 1 &&
              strstr(out, "Rad 2 (larmkod LA-2): utföraren finns inte i Portvakt") &&
              strstr(out, "Ingenting har ändrats"),
          "CLI refusal: %s", out);
}

int main(int argc, char **argv)
{
    if (argc < 3 || sodium_init() < 0)
        return 2;
    EXE = argv[1];
    if (pvt_start(&S, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&S, &ADMIN) != 0)
        return 1;
    CHECK(pvt_create_provider(&S, &ADMIN, "Hemtjänst Söder") > 0, "provider");
    CHECK(pvt_create_provider(&S, &ADMIN, "Hemtjänst Norr") > 0, "provider");
    struct pvt_resp r;
    int64_t owner = -1;
    if (pvt_reqf(&S, &ADMIN, "POST", "/api/v1/owners", &r, "{\"name\":\"Bostäder AB\"}") == 0)
        owner = json_integer_value(json_object_get(r.json, "id"));
    pvt_resp_free(&r);
    CHECK(pvt_reqf(&S, &ADMIN, "POST", "/api/v1/buildings", &r,
                   "{\"owner_id\":%lld,\"address\":\"Årstavägen 1\"}", (long long)owner) == 0 &&
              r.status == 201, "building");
    pvt_resp_free(&r);
    t_http();
    t_planner();
    t_cli();
    pvt_stop(&S);
    printf("%s\n", pvt_failures ? "FAILED" : "ok");
    return pvt_failures ? 1 : 0;
}
