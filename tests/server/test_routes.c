/* Route table rules without a server: a user route must declare roles and a scope, patterns
 * are well formed, no (method, pattern) twice; the shipped tables pass; matching prefers
 * literal segments and fills {params}. */
#include <stdio.h>
#include <string.h>

#include "pvs/http.h"

static int failures;
#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            failures++;                                                              \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
        }                                                                            \
    } while (0)

static void h(struct pvs_req *r)
{
    (void)r;
}

static int validate(const struct pvs_route *t, size_t n, char *err, size_t cap)
{
    return pvs_routes_validate(t, n, err, cap);
}

int main(void)
{
    char err[300];
    CHECK(validate(pvs_core_routes, pvs_core_routes_count, err, sizeof err) == 0, "core: %s", err);
    CHECK(validate(pvs_domain_routes, pvs_domain_routes_count, err, sizeof err) == 0, "domain: %s", err);
    CHECK(validate(pvs_auth_routes, pvs_auth_routes_count, err, sizeof err) == 0, "auth: %s", err);
    CHECK(validate(pvs_phone_routes, pvs_phone_routes_count, err, sizeof err) == 0, "phone: %s", err);
    for (size_t i = 0; i < pvs_core_routes_count; i++)
        CHECK(pvs_core_routes[i].auth != PVS_AUTH_PUBLIC || pvs_core_routes[i].roles == 0 ||
                  strcmp(pvs_core_routes[i].method, "GET") == 0, "public routes list no roles");

    const struct pvs_route no_roles[] = {{"GET", "/api/v1/x", h, 0, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0}};
    CHECK(validate(no_roles, 1, err, sizeof err) != 0 && strstr(err, "declares no roles"),
          "a user route without roles is refused: %s", err);
    const struct pvs_route no_scope[] = {{"GET", "/api/v1/x", h, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_UNSET, 0}};
    CHECK(validate(no_scope, 1, err, sizeof err) != 0 && strstr(err, "declares no scope"),
          "a route without scope is refused: %s", err);
    const struct pvs_route twice[] = {
        {"GET", "/api/v1/x", h, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
        {"GET", "/api/v1/x", h, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    };
    CHECK(validate(twice, 2, err, sizeof err) != 0, "duplicates refused");
    const char *bad[] = {"api/v1", "/api//x", "/api/{", "/api/{}", "/API/x", "/a/{a}/{b}/{c}/{d}/{e}", "/a b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const struct pvs_route r1[] = {{"GET", bad[i], h, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0}};
        CHECK(validate(r1, 1, err, sizeof err) != 0, "pattern %s refused", bad[i]);
    }
    const struct pvs_route no_handler[] = {{"GET", "/x", NULL, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0}};
    CHECK(validate(no_handler, 1, err, sizeof err) != 0, "no handler refused");
    const struct pvs_route bad_method[] = {{"TRACE", "/x", h, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0}};
    CHECK(validate(bad_method, 1, err, sizeof err) != 0, "unknown method refused");
    const struct pvs_route public_ok[] = {{"GET", "/x", h, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SHARED, 0}};
    CHECK(validate(public_ok, 1, err, sizeof err) == 0, "public routes need no roles");

    struct pvs_req r;
    bool known;
    memset(&r, 0, sizeof r);
    const struct pvs_route *m = pvs_route_match(&r, "POST", "/api/v1/users/42/reset-password", &known);
    CHECK(m && strcmp(m->pattern, "/api/v1/users/{id}/reset-password") == 0 && r.nparams == 1 &&
              strcmp(r.params[0], "42") == 0, "param route matched");
    m = pvs_route_match(&r, "GET", "/api/v1/audit/verify", &known);
    CHECK(m && strcmp(m->pattern, "/api/v1/audit/verify") == 0 && r.nparams == 0,
          "literal segment preferred");
    m = pvs_route_match(&r, "DELETE", "/api/v1/me", &known);
    CHECK(!m && known, "known path, wrong method -> 405");
    m = pvs_route_match(&r, "GET", "/api/v1/users/", &known);
    CHECK(!m && !known, "empty segment never matches a parameter");
    m = pvs_route_match(&r, "HEAD", "/api/v1/me", &known);
    CHECK(m && strcmp(m->method, "GET") == 0, "HEAD is served by GET");
    printf("test_routes: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
