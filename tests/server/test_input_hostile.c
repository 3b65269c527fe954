/* Hostile input over real HTTP: malformed JSON, wrong types, unknown and duplicate members,
 * oversized bodies, wrong media types, control bytes, SQL metacharacters, bad ids and
 * pagination parameters. Every answer is a 4xx problem that names what was wrong, never a
 * 5xx, and a refused request writes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/store.h"
#include "pvt.h"

static struct pvt_server S;
static struct pvt_client A;

static int64_t count(const char *table)
{
    struct pvs_db *db = NULL;
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if (pvt_db_open(&S, &db, false) == 0) {
        if (pvs_query_i64(db, sql, PVS_NOARGS, &n) != PVS_DB_OK)
            n = -1;
        pvs_db_close(db);
    }
    return n;
}

/* Send `body` to POST path; expect `status` and every string in `mentions` in the detail. */
static void expect(const char *method, const char *path, const char *ctype, const char *body,
                   size_t len, long status, const char *const *mentions)
{
    struct pvt_resp r;
    int64_t users = count("users"), providers = count("providers"), audit = count("audit_log");
    int rc = pvt_req_ex(&S, &A, method, path, ctype, body, len, NULL, true, &r);
    CHECK(rc == 0 && r.status == status, "%s %s [%.60s] -> %ld, want %ld: %s", method, path,
          body ? body : "", r.status, status, r.body);
    CHECK(r.status < 500, "never a 5xx: %ld", r.status);
    if (status >= 400) {
        CHECK(strncmp(r.content_type, "application/problem+json", 24) == 0, "problem+json: %s",
              r.content_type);
        const char *detail = json_string_value(json_object_get(r.json, "detail"));
        CHECK(detail && strlen(detail) > 10, "a human-readable detail");
        for (int i = 0; mentions && mentions[i]; i++)
            CHECK(detail && strstr(detail, mentions[i]), "detail names \"%s\": %s", mentions[i],
                  detail ? detail : "");
        CHECK(count("users") == users && count("providers") == providers &&
                  count("audit_log") == audit, "refused request wrote nothing");
    }
    pvt_resp_free(&r);
}

static void post(const char *path, const char *body, long status, const char *const *mentions)
{
    expect("POST", path, "application/json", body, strlen(body), status, mentions);
}

#define M(...) ((const char *const[]){__VA_ARGS__, NULL})

static void t_json(void)
{
    post("/api/v1/providers", "{\"name\": \"x\"", 400, M("not valid JSON"));
    post("/api/v1/providers", "", 400, M("not valid JSON"));
    post("/api/v1/providers", "[1,2]", 400, M("body must be a JSON object"));
    post("/api/v1/providers", "\"just a string\"", 400, NULL);
    post("/api/v1/providers", "{\"name\": 5}", 400, M("name must be a string"));
    post("/api/v1/providers", "{\"name\": \"ok\", \"active\": \"yes\"}", 400, M("active must be true or false"));
    post("/api/v1/providers", "{\"name\": \"ok\", \"colour\": \"red\", \"size\": 1}", 400,
         M("\"colour\" is not a known member", "\"size\" is not a known member"));
    post("/api/v1/providers", "{}", 400, M("name is required"));
    post("/api/v1/providers", "{\"name\": null}", 400, M("name must not be null"));
    post("/api/v1/providers", "{\"name\": \"a\", \"name\": \"b\"}", 400, M("duplicate"));
    post("/api/v1/providers", "{\"name\": \"a\"} trailing", 400, NULL);
    post("/api/v1/providers", "{\"name\": \"bell\\u0007\"}", 400, M("control characters"));
    post("/api/v1/providers", "{\"name\": \"nul\\u0000byte\"}", 400, NULL);
    post("/api/v1/providers", "{\"name\": \"\"}", 400, M("name must be 1 to 200 bytes"));
    char big[400];
    memset(big, 'x', 300);
    big[300] = '\0';
    char body[512];
    snprintf(body, sizeof body, "{\"name\": \"%s\"}", big);
    post("/api/v1/providers", body, 400, M("name must be 1 to 200 bytes"));
    post("/api/v1/users", "{\"username\":\"u1\",\"display_name\":\"U\",\"role\":\"planner\",\"provider_id\":\"1\"}",
         400, M("provider_id must be a positive integer id"));
    post("/api/v1/users", "{\"username\":\"u1\",\"display_name\":\"U\",\"role\":\"planner\",\"provider_id\":-4}",
         400, M("provider_id must be between 1"));
    post("/api/v1/users", "{\"username\":\"u1\",\"display_name\":\"U\",\"role\":\"planner\",\"provider_id\":1e3}",
         400, M("provider_id"));
    post("/api/v1/users", "{\"username\":\"u1\",\"display_name\":\"U\",\"role\":\"planner\",\"provider_id\":123456789012345678901234567890}",
         400, NULL);
    post("/api/v1/users", "{\"username\":\"u1\",\"display_name\":\"U\",\"role\":\"emperor\"}", 400,
         M("role must be"));
    post("/api/v1/users", "{\"username\":\"Robert'); DROP TABLE users;--\",\"display_name\":\"U\",\"role\":\"installer\"}",
         400, M("username must be"));
    /* deep nesting stays a 400 */
    char deep[5000];
    size_t n = 0;
    for (int i = 0; i < 2400 && n < sizeof deep - 2; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    post("/api/v1/providers", deep, 400, NULL);
    expect("POST", "/api/v1/providers", "text/plain", "{\"name\":\"x\"}", 12, 415, M("application/json"));
    expect("POST", "/api/v1/providers", NULL, "{\"name\":\"x\"}", 12, 415, NULL);
    expect("PATCH", "/api/v1/providers/1", "application/json", "{\"active\": 1}", 13, 400, NULL);
}

/* A personal identity number in any free-text member is refused with its own problem type and
 * the member named in "errors", so the UI can say which field in Swedish; nothing is written. */
static void pnr_refused(const char *path, const char *body, const char *member)
{
    struct pvt_resp r;
    int64_t providers = count("providers"), users = count("users"), audit = count("audit_log");
    int rc = pvt_req(&S, &A, "POST", path, body, &r);
    CHECK(rc == 0 && r.status == 400, "%s with a personal number -> %ld: %s", path, r.status, r.body);
    CHECK(strcmp(pvt_problem_type(&r), "personal-identity-number") == 0, "type: %s",
          pvt_problem_type(&r));
    json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
    CHECK(e && strcmp(json_string_value(json_object_get(e, "member")), member) == 0 &&
              strcmp(json_string_value(json_object_get(e, "rule")), "personal-identity-number") == 0,
          "errors names %s: %s", member, r.body);
    CHECK(count("providers") == providers && count("users") == users && count("audit_log") == audit,
          "refused request wrote nothing");
    pvt_resp_free(&r);
}

static void t_personal_numbers(void)
{
    pnr_refused("/api/v1/providers", "{\"name\": \"Omsorg Anna Berg 19121212-1212\"}", "name");
    pnr_refused("/api/v1/providers", "{\"name\": \"Omsorg 1212121212\"}", "name");
    pnr_refused("/api/v1/users", "{\"username\":\"u9\",\"display_name\":\"Anna 811218-9876\","
                "\"role\":\"installer\"}", "display_name");
    /* an organisation number and a phone number are not personal numbers */
    struct pvt_resp r;
    CHECK(pvt_req(&S, &A, "POST", "/api/v1/providers", "{\"name\": \"Omsorg AB 556036-0793\"}",
                  &r) == 0 && r.status == 201, "organisation number accepted: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    /* a password is a secret, not stored text: any digits may be in it (wrong password: 401) */
    CHECK(pvt_req(&S, NULL, "POST", "/api/v1/auth/login",
                  "{\"username\": \"nobody\", \"password\": \"19121212-1212\"}", &r) == 0 &&
              r.status == 401, "password with digits is not refused as personal data: %ld %s",
          r.status, r.body);
    pvt_resp_free(&r);
    /* length limits are in "errors" too, for the UI to say the limit */
    CHECK(pvt_req(&S, &A, "POST", "/api/v1/providers", "{\"name\": \"\"}", &r) == 0 &&
              strcmp(pvt_problem_type(&r), "invalid-body") == 0, "empty name: %s", r.body);
    json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
    CHECK(e && json_integer_value(json_object_get(e, "min")) == 1 &&
              json_integer_value(json_object_get(e, "max")) == 200, "limits given: %s", r.body);
    pvt_resp_free(&r);
}

/* A percent-encoded byte that is not UTF-8 in any path is a plain 404 problem, never a 5xx. */
static void t_invalid_utf8_paths(void)
{
    static const char *const paths[] = {"/%ff", "/api/v1/%ff", "/api/v1/%e0%80%80x", "/%c0%af",
                                        "/api/v1/staff/%ed%a0%80", NULL};
    for (int i = 0; paths[i]; i++) {
        struct pvt_resp r;
        CHECK(pvt_req(&S, &A, "GET", paths[i], NULL, &r) == 0 && r.status >= 400 && r.status < 500 &&
                  strncmp(r.content_type, "application/problem+json", 24) == 0 && r.json,
              "GET %s -> %ld %s", paths[i], r.status, r.content_type);
        pvt_resp_free(&r);
    }
}

/* MHD decodes the path before the router sees it: /providers/%31 and /providers/1%00 must not
 * read as provider 1 (which exists); any %-escape in a path is a 404 problem. */
static void t_escaped_paths(void)
{
    struct pvt_resp r;
    CHECK(pvt_req(&S, &A, "GET", "/api/v1/providers/1", NULL, &r) == 0 && r.status == 200,
          "provider 1 exists: %ld", r.status);
    pvt_resp_free(&r);
    static const char *const paths[] = {"/api/v1/providers/%31", "/api/v1/providers/1%00",
                                        "/api/v1/provider%73/1", "/%61pi/v1/providers/1",
                                        "/api/v1/providers/1%2f", NULL};
    for (int i = 0; paths[i]; i++) {
        CHECK(pvt_req(&S, &A, "GET", paths[i], NULL, &r) == 0 && r.status == 404 &&
                  strcmp(pvt_problem_type(&r), "not-found") == 0,
              "GET %s -> %ld %s", paths[i], r.status, pvt_problem_type(&r));
        pvt_resp_free(&r);
    }
    /* an escape in the query string is still decoded as usual */
    CHECK(pvt_req(&S, &A, "GET", "/api/v1/rights?staff_id=%31", NULL, &r) == 0 && r.status == 200,
          "escaped query: %ld", r.status);
    pvt_resp_free(&r);
}

/* Query filters are parsed strictly: a bad value is a 400 invalid-query naming the parameter,
 * never a dropped filter (abc), a zero (from=abc) or a prefix (1abc read as 1). */
static void t_strict_queries(void)
{
    static const char *const bad[] = {"/api/v1/rights?staff_id=abc", "/api/v1/rights?staff_id=1abc",
                                      "/api/v1/rights?recipient_id=-3", "/api/v1/access-log?from=abc",
                                      "/api/v1/access-log?to=1e9", "/api/v1/access-log?lock_id=",
                                      "/api/v1/bearers?staff_id=01", "/api/v1/locks?building_id=0x10",
                                      "/api/v1/audit?object_id=12a", NULL};
    for (int i = 0; bad[i]; i++) {
        struct pvt_resp r;
        CHECK(pvt_req(&S, &A, "GET", bad[i], NULL, &r) == 0 && r.status == 400 &&
                  strcmp(pvt_problem_type(&r), "invalid-query") == 0,
              "GET %s -> %ld %s", bad[i], r.status, pvt_problem_type(&r));
        pvt_resp_free(&r);
    }
    static const char *const good[] = {"/api/v1/rights?staff_id=1", "/api/v1/access-log?from=0&to=99",
                                       "/api/v1/bearers", NULL};
    for (int i = 0; good[i]; i++) {
        struct pvt_resp r;
        CHECK(pvt_req(&S, &A, "GET", good[i], NULL, &r) == 0 && r.status == 200, "GET %s -> %ld",
              good[i], r.status);
        pvt_resp_free(&r);
    }
}

static void t_sizes(void)
{
    size_t len = (1u << 20) + 10;
    char *body = malloc(len);
    memset(body, ' ', len);
    body[0] = '{';
    body[len - 1] = '}';
    expect("POST", "/api/v1/providers", "application/json", body, len, 413, M("larger than"));
    /* exactly at the limit is read (and is then just an empty object) */
    expect("POST", "/api/v1/providers", "application/json", body, 1u << 20, 400, NULL);
    free(body);
}

static void t_sql_metacharacters(void)
{
    const char *evil = "x'); DROP TABLE users; -- \\\" %_ ;";
    struct pvt_resp r;
    json_t *o = json_pack("{s:s}", "name", evil);
    char *text = json_dumps(o, 0);
    json_decref(o);
    CHECK(pvt_req(&S, &A, "POST", "/api/v1/providers", text, &r) == 0 && r.status == 201,
          "SQL metacharacters are data: %ld %s", r.status, r.body);
    const char *stored = json_string_value(json_object_get(r.json, "name"));
    CHECK(stored && strcmp(stored, evil) == 0, "stored verbatim");
    pvt_resp_free(&r);
    CHECK(count("users") >= 1, "users table intact");
    CHECK(pvt_req(&S, &A, "POST", "/api/v1/providers", text, &r) == 0 && r.status == 409 &&
              strcmp(pvt_problem_type(&r), "conflict") == 0, "duplicate name -> 409: %ld", r.status);
    pvt_resp_free(&r);
    free(text);
    CHECK(pvt_req(&S, &A, "GET", "/api/v1/audit?object_type=x%27%20OR%201%3D1--", NULL, &r) == 0 &&
              r.status == 200 && json_array_size(json_object_get(r.json, "items")) == 0,
          "metacharacters in a query filter match nothing: %ld", r.status);
    pvt_resp_free(&r);
}

static void t_ids_and_pages(void)
{
    expect("GET", "/api/v1/users/abc", NULL, NULL, 0, 404, M("abc"));
    expect("GET", "/api/v1/users/0", NULL, NULL, 0, 404, NULL);
    expect("GET", "/api/v1/users/-1", NULL, NULL, 0, 404, NULL);
    expect("GET", "/api/v1/users/007", NULL, NULL, 0, 404, NULL);
    expect("GET", "/api/v1/users/99999999999999999999999", NULL, NULL, 0, 404, NULL);
    expect("GET", "/api/v1/users/1%27%20OR%201=1", NULL, NULL, 0, 404, NULL);
    expect("GET", "/api/v1/users/424242", NULL, NULL, 0, 404, M("does not exist"));
    expect("GET", "/api/v1/providers?limit=0", NULL, NULL, 0, 400, M("limit"));
    expect("GET", "/api/v1/providers?limit=501", NULL, NULL, 0, 400, M("limit"));
    expect("GET", "/api/v1/providers?limit=ten", NULL, NULL, 0, 400, M("limit"));
    expect("GET", "/api/v1/providers?cursor=zzz", NULL, NULL, 0, 400, M("cursor"));
    expect("GET", "/api/v1/providers?cursor=c-5", NULL, NULL, 0, 400, M("cursor"));
    expect("GET", "/api/v1/audit?object_id=1x", NULL, NULL, 0, 400, M("object_id"));
    /* pagination walks every row exactly once */
    for (int i = 0; i < 7; i++) {
        char name[32];
        snprintf(name, sizeof name, "Paged %d", i);
        CHECK(pvt_create_provider(&S, &A, name) > 0, "provider");
    }
    int64_t total = count("providers"), seen = 0, last = 0;
    char path[128] = "/api/v1/providers?limit=3";
    for (int pages = 0; pages < 20; pages++) {
        struct pvt_resp r;
        CHECK(pvt_req(&S, &A, "GET", path, NULL, &r) == 0 && r.status == 200, "page");
        json_t *items = json_object_get(r.json, "items");
        CHECK(json_array_size(items) <= 3, "limit honoured");
        for (size_t i = 0; i < json_array_size(items); i++) {
            int64_t id = json_integer_value(json_object_get(json_array_get(items, i), "id"));
            CHECK(id > last, "ids increase across pages");
            last = id;
            seen++;
        }
        const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
        if (next)
            snprintf(path, sizeof path, "/api/v1/providers?limit=3&cursor=%s", next);
        pvt_resp_free(&r);
        if (!next)
            break;
    }
    CHECK(seen == total, "all %lld providers seen once (%lld)", (long long)total, (long long)seen);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (pvt_start(&S, argv[1], argv[2], NULL) != 0)
        return 1;
    CHECK(pvt_login_admin(&S, &A) == 0, "admin");
    t_json();
    t_personal_numbers();
    t_invalid_utf8_paths();
    t_escaped_paths();
    t_strict_queries();
    t_sizes();
    t_sql_metacharacters();
    t_ids_and_pages();
    CHECK(pvt_stop(&S) == 0, "stop");
    printf("test_input_hostile: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
