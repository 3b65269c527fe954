/* Authorization matrix fixtures of the sign-in extensions (security keys): a user's own keys
 * and a central administrator's view and recovery of anybody's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

static int seq;

/* The caller's own keys: tokens are refused in the handler (403), people get an answer. */
static int me_keys(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                   enum mx_tenant t, char *path, size_t cap, char **body)
{
    if (t == MX_OTHER)
        return MX_SKIP; /* the caller's own keys: no other tenant to aim at */
    if (strcmp(rt->method, "DELETE") == 0)
        snprintf(path, cap, "/api/v1/me/webauthn/%d", 999999); /* nobody's: 404 */
    else
        snprintf(path, cap, "%s", rt->pattern);
    if (strcmp(rt->pattern, "/api/v1/me/webauthn") == 0 && strcmp(rt->method, "POST") == 0)
        *body = strdup("{\"client_data_json\":\"e30\",\"attestation_object\":\"oA\",\"name\":\"Nyckel\"}");
    bool list = strcmp(rt->method, "GET") == 0;
    return list && !w->who[as].token[0] ? MX_EXPECT_OK : MX_EXPECT_ANY;
}

/* A fresh planner of tenant t (so a reset, which ends the user's sessions, never signs out a
 * principal of the matrix); its id, or -1. */
static int64_t fresh_user(struct mx_world *w, enum mx_tenant t)
{
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_reqf(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", "/api/v1/users", &r,
                 "{\"username\":\"mx-wa-%d\",\"display_name\":\"Matrix\",\"role\":\"planner\",\"provider_id\":%lld}",
                 seq++, (long long)w->provider[t]) == 0 && r.status == 201)
        id = json_integer_value(json_object_get(json_object_get(r.json, "user"), "id"));
    pvt_resp_free(&r);
    return id;
}

static int user_keys(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                     enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)as, (void)body;
    int64_t id = strcmp(rt->method, "DELETE") == 0 ? fresh_user(w, t) : w->user_id[t];
    if (id <= 0)
        return -1;
    snprintf(path, cap, "/api/v1/users/%lld/webauthn", (long long)id);
    return MX_EXPECT_OK;
}

const struct mx_fixture mx_fixtures_auth[] = {
    {"POST", "/api/v1/me/webauthn/options", me_keys},
    {"POST", "/api/v1/me/webauthn", me_keys},
    {"GET", "/api/v1/me/webauthn", me_keys},
    {"DELETE", "/api/v1/me/webauthn/{id}", me_keys},
    {"GET", "/api/v1/users/{id}/webauthn", user_keys},
    {"DELETE", "/api/v1/users/{id}/webauthn", user_keys},
};
const size_t mx_fixtures_auth_count = sizeof mx_fixtures_auth / sizeof mx_fixtures_auth[0];
