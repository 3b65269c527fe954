/* Admin user rules over real HTTP: who may create which role where, central roles carry no
 * provider, nobody changes their own role or disables themselves, a password reset ends
 * the sessions and forces a new TOTP enrolment, and providers' deactivation signs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvt.h"

static long create(struct pvt_server *s, struct pvt_client *as, const char *user, const char *role,
                   const char *provider_json)
{
    struct pvt_resp r;
    long st = pvt_reqf(s, as, "POST", "/api/v1/users", &r,
                       "{\"username\":\"%s\",\"display_name\":\"%s\",\"role\":\"%s\",\"provider_id\":%s}",
                       user, user, role, provider_json) == 0 ? r.status : -1;
    if (st >= 500)
        fprintf(stderr, "unexpected: %s\n", r.body);
    pvt_resp_free(&r);
    return st;
}

static long req(struct pvt_server *s, struct pvt_client *c, const char *m, const char *p, const char *b)
{
    struct pvt_resp r;
    long st = pvt_req(s, c, m, p, b, &r) == 0 ? r.status : -1;
    pvt_resp_free(&r);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    struct pvt_server s;
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0)
        return 1;
    struct pvt_client admin, pa, planner;
    CHECK(pvt_login_admin(&s, &admin) == 0, "admin");
    int64_t p1 = pvt_create_provider(&s, &admin, "Users Omsorg AB");
    int64_t p2 = pvt_create_provider(&s, &admin, "Second Omsorg AB");
    char p1s[24], p2s[24];
    snprintf(p1s, sizeof p1s, "%lld", (long long)p1);
    snprintf(p2s, sizeof p2s, "%lld", (long long)p2);

    /* central roles have no provider, provider roles need one */
    CHECK(create(&s, &admin, "inst-with-provider", "installer", p1s) == 400, "installer is central");
    CHECK(create(&s, &admin, "ca-with-provider", "central_admin", p1s) == 400, "central admin is central");
    CHECK(create(&s, &admin, "planner-without", "planner", "null") == 400, "planner needs a provider");
    CHECK(create(&s, &admin, "planner-ghost", "planner", "999") == 400, "unknown provider refused");
    CHECK(create(&s, &admin, "central-auditor", "auditor", "null") == 201, "central auditor");
    CHECK(create(&s, &admin, "central-auditor", "auditor", "null") == 409, "duplicate username -> 409");

    CHECK(pvt_create_user(&s, &admin, "users-pa", "provider_admin", p1, &pa) == 0, "provider admin");
    /* a provider admin manages its own provider's provider roles only */
    CHECK(create(&s, &pa, "pa-planner", "planner", p1s) == 201, "own planner");
    CHECK(create(&s, &pa, "pa-planner-implicit", "planner", "null") == 201, "provider defaults to its own");
    CHECK(create(&s, &pa, "pa-planner-other", "planner", p2s) == 403, "not in another provider");
    CHECK(create(&s, &pa, "pa-central", "central_admin", "null") == 403, "no central admins");
    CHECK(create(&s, &pa, "pa-installer", "installer", "null") == 403, "no installers");
    CHECK(pvt_create_user(&s, &pa, "users-planner", "planner", 0, &planner) == 0, "planner");
    CHECK(planner.provider_id == p1, "the planner belongs to the provider admin's provider");
    CHECK(req(&s, &planner, "GET", "/api/v1/users", NULL) == 403, "a planner does not manage users");
    CHECK(req(&s, &planner, "POST", "/api/v1/providers", "{\"name\":\"Mine\"}") == 403,
          "only central admins create providers");

    char path[96];
    snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)admin.user_id);
    CHECK(req(&s, &pa, "GET", path, NULL) == 404, "central users are invisible to a provider admin");
    CHECK(req(&s, &admin, "PATCH", path, "{\"disabled\":true}") == 409, "no self-disable");
    CHECK(req(&s, &admin, "PATCH", path, "{\"role\":\"planner\"}") == 409, "no self role change");
    snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)planner.user_id);
    CHECK(req(&s, &pa, "PATCH", path, "{\"role\":\"central_admin\"}") == 403, "no promotion to central");
    CHECK(req(&s, &pa, "PATCH", path, "{\"role\":\"auditor\"}") == 200, "planner becomes auditor");
    CHECK(req(&s, &planner, "GET", "/api/v1/me", NULL) == 401, "a role change ends the sessions");
    CHECK(pvt_login(&s, &planner) == 0 && strcmp(planner.role, "auditor") == 0, "signs in with the new role");

    /* password reset: sessions end, old password and authenticator are gone */
    snprintf(path, sizeof path, "/api/v1/users/%lld/reset-password", (long long)planner.user_id);
    struct pvt_resp r;
    CHECK(pvt_req(&s, &pa, "POST", path, NULL, &r) == 0 && r.status == 200, "reset");
    const char *pw = json_string_value(json_object_get(r.json, "initial_password"));
    char newpw[64];
    snprintf(newpw, sizeof newpw, "%s", pw ? pw : "");
    pvt_resp_free(&r);
    CHECK(req(&s, &planner, "GET", "/api/v1/me", NULL) == 401, "reset ends the sessions");
    CHECK(pvt_login(&s, &planner) != 0, "the old password no longer works");
    snprintf(planner.password, sizeof planner.password, "%s", newpw);
    planner.totp_len = 0;
    CHECK(pvt_login(&s, &planner) == 0, "the new password and a new enrolment work");

    /* deactivating a provider signs its users out and keeps them out */
    snprintf(path, sizeof path, "/api/v1/providers/%lld", (long long)p1);
    CHECK(req(&s, &admin, "PATCH", path, "{\"active\":false}") == 200, "deactivate provider");
    CHECK(req(&s, &pa, "GET", "/api/v1/me", NULL) == 401, "its users are signed out");
    CHECK(pvt_login(&s, &pa) != 0, "and cannot sign in");
    CHECK(create(&s, &admin, "late-planner", "planner", p1s) == 400, "no new users in a deactivated provider");

    CHECK(pvt_stop(&s) == 0, "stop");
    printf("test_users: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
